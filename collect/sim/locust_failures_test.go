package sim

import (
	"testing"
	"time"
)

func TestPyRepr(t *testing.T) {
	for in, want := range map[string]string{
		"x":                  `'x'`,
		"it's":               `"it's"`,
		`say "hi"`:           `'say "hi"'`,
		`a\b`:                `'a\\b'`,
		`both ' and "`:       `'both \' and "'`,
		connectionRefused:    `"ConnectionRefusedError(111, 'Connection refused')"`,
		"HTTPError('503 x')": `"HTTPError('503 x')"`,
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, want %s", in, got, want)
		}
	}
}

// The keys are Python's: hashlib.sha256(f"{method}.{name}.{error!r}").
func TestErrorKey(t *testing.T) {
	for _, tc := range []struct{ method, name, err, want string }{
		{"GET", "/products", connectionRefused, "69592176e24e753c4bd23d34aa166061f20ed6042d37c1bc02c2c145d05be1e7"},
		{"POST", "/cart", connectionRefused, "31a1a32782d0693176551df2a0463b77e5463b6fb546d21a4ee5424a00199305"},
		{"GET", "/", "x", "a62e7710bd9dc5a550e836d37bd711a72cf1257813f88268b8efb809b3116512"},
	} {
		if got := errorKey(tc.method, tc.name, tc.err); got != tc.want {
			t.Errorf("errorKey(%s, %s, %s) = %s, want %s", tc.method, tc.name, tc.err, got, tc.want)
		}
	}
}

// Failures count as requests and failures; the failures file lists them
// in the order of their keys, not of their names.
func TestLocustFailures(t *testing.T) {
	s := newLocustStats(t0, []float64{0.5, 1})
	log := func(sec int, method, name, err string) {
		s.log(Call{Task: Task{Method: method, Name: name, Latency: 2 * time.Millisecond}, Sent: at(sec * 1000), Error: err})
	}
	log(1, "GET", "/products", connectionRefused)
	log(2, "GET", "/products", connectionRefused)
	log(3, "POST", "/cart", connectionRefused)
	log(4, "GET", "/products", "")
	want := "Method,Name,Error,Occurrences\r\n" +
		"POST,/cart,\"ConnectionRefusedError(111, 'Connection refused')\",1\r\n" +
		"GET,/products,\"ConnectionRefusedError(111, 'Connection refused')\",2\r\n"
	if got := string(s.failuresCSV()); got != want {
		t.Errorf("failures:\n%q\nwant\n%q", got, want)
	}
	// 4 requests and 3 failures over the 4.002 s from the start to the last
	// response (as Unix-time floats, hence the last digits).
	wantStats := ",Aggregated,4,3,2,2.0,2.0,2.0,0.0,0.9995002860784753,0.7496252145588566,2,2\r\n"
	if got := string(s.statsCSV()); !containsLine(got, wantStats) {
		t.Errorf("stats:\n%s\nwant the row\n%q", got, wantStats)
	}
}

func containsLine(text, line string) bool {
	for len(text) > 0 {
		i := 0
		for i < len(text) && text[i] != '\n' {
			i++
		}
		if i < len(text) {
			i++
		}
		if text[:i] == line {
			return true
		}
		text = text[i:]
	}
	return false
}
