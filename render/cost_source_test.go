package render

import (
	"bytes"
	"strings"
	"testing"
)

// The cost table says where its vCPU- and GiB-seconds come from: the
// allocation_time metrics, or billable time times the containers' limits,
// on the terminal, in Markdown and on the page.
func TestCostSaysItsResourceSource(t *testing.T) {
	for source, want := range map[string][]string{
		"allocation_time": {"vCPU (allocation_time)", "memory (allocation_time)", "vCPU-seconds, from the allocation_time metrics"},
		"limits":          {"vCPU (limits)", "memory (limits)", "vCPU-seconds, from billable time × every container"},
	} {
		rpt := sampleReport()
		rpt.Cost.ResourceSource = source
		var text, md, page bytes.Buffer
		if err := Text(&text, rpt, Options{Width: 120}); err != nil {
			t.Fatal(err)
		}
		if err := Markdown(&md, rpt, Options{Width: 120}); err != nil {
			t.Fatal(err)
		}
		if err := HTML(&page, rpt, Options{}); err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string]string{"table": text.String(), "markdown": md.String()} {
			for _, w := range want[:2] {
				if !strings.Contains(out, w) {
					t.Errorf("%s, source %s: no %q", name, source, w)
				}
			}
		}
		if !strings.Contains(page.String(), want[2]) {
			t.Errorf("page, source %s: no %q", source, want[2])
		}
	}
}
