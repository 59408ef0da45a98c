package english

import "testing"

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 6058: "6,058", -1234: "-1,234",
		123456: "123,456", 1234567: "1,234,567", -9223372036854775808: "-9,223,372,036,854,775,808"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{
		{0, "0 cold starts"}, {1, "1 cold start"}, {-1, "-1 cold start"}, {2, "2 cold starts"}, {1000, "1,000 cold starts"},
	} {
		if got := Plural(tt.n, "cold start", "cold starts"); got != tt.want {
			t.Errorf("Plural(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	if got := Plural(1, "service", "services"); got != "1 service" {
		t.Errorf("got %q", got)
	}
	if got := Plural(5, "request was", "requests were"); got != "5 requests were" {
		t.Errorf("got %q", got)
	}
}
