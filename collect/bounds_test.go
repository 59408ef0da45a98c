package collect

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/runlens/runlens/model"
)

// TestLongStringsCutAtInput reads entries whose URL, user agent, instance
// id and system text are 1 MB long, in each form: every string kept is at
// most MaxStringBytes and a little, valid UTF-8, says its full length,
// and a warning names the file with the count and the longest.
func TestLongStringsCutAtInput(t *testing.T) {
	long := strings.Repeat("é", 1<<19) // 1 MiB, two bytes a character: a cut must not split one
	req := fmt.Sprintf(`{"insertId":"a","httpRequest":{"requestMethod":"GET","requestUrl":"https://h/%s?q=1","status":200,"userAgent":%q,"latency":"0.1s"},`+
		`"resource":{"type":"cloud_run_revision","labels":{"service_name":"s","location":"r","revision_name":"s-1"}},`+
		`"timestamp":"2024-03-14T10:00:00Z","labels":{"instanceId":%q},"logName":"projects/p/logs/run.googleapis.com%%2Frequests"}`, long, long, long)
	sys := fmt.Sprintf(`{"insertId":"b","textPayload":"Starting new instance. %s","resource":{"type":"cloud_run_revision","labels":{"service_name":"s","location":"r","revision_name":"s-1"}},`+
		`"timestamp":"2024-03-14T10:00:00Z","labels":{"instanceId":"i"},"logName":"projects/p/logs/run.googleapis.com%%2Fvarlog%%2Fsystem"}`, long)
	for _, form := range []struct {
		name, text string
		read       model.ReadOptions
	}{
		{"ndjson", req + "\n" + sys + "\n", model.ReadOptions{}},
		{"ndjson, small chunks", req + "\n" + sys + "\n", model.ReadOptions{ChunkBytes: 4 << 10, Workers: 2}},
		{"array", "[" + req + ",\n" + sys + "]\n", model.ReadOptions{}},
	} {
		t.Run(form.name, func(t *testing.T) {
			ds := &model.Dataset{Read: form.read}
			if _, err := ReadLogs("big.json", strings.NewReader(form.text), ds); err != nil {
				t.Fatal(err)
			}
			if len(ds.Requests) != 1 || len(ds.Events) != 1 {
				t.Fatalf("%d requests, %d events; want 1 and 1", len(ds.Requests), len(ds.Events))
			}
			r, ev := ds.Requests[0], ds.Events[0]
			for name, s := range map[string]string{"url": r.URL, "path": r.Path, "user agent": r.UserAgent, "instance": r.InstanceID, "text": ev.Text} {
				if len(s) > model.MaxStringBytes+32 || !utf8.ValidString(s) || !strings.HasSuffix(s, " bytes)") {
					t.Errorf("%s: %d bytes, valid UTF-8 %v, ends %q", name, len(s), utf8.ValidString(s), s[max(0, len(s)-20):])
				}
			}
			if ev.Kind != model.EventStart {
				t.Errorf("event kind %v, want a start", ev.Kind)
			}
			want := fmt.Sprintf("big.json: 5 strings (URLs, user agents, instance ids, texts...) longer than %d bytes were cut to it; the longest had %d bytes", model.MaxStringBytes, len("Starting new instance. ")+len(long))
			if strings.Join(ds.Warnings, "\n") != want {
				t.Errorf("warnings %q, want %q", ds.Warnings, want)
			}
		})
	}
}
