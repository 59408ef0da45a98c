package analyze_test

import (
	"regexp"
	"strings"
	"testing"
)

var (
	// ungrouped is a count of four digits or more without its thousands
	// separator (a decimal part, as in $0.009905, is not one).
	ungrouped = regexp.MustCompile(`(^|[^\d.,])\d{4,}`)
	// oneMany is the count 1 with a plural noun.
	oneMany = regexp.MustCompile(`(^|[^\d.,=])1 (cold starts|requests|server requests|client failures|times|earlier runs|of its failures were)\b`)
)

// TestReportTextCountsAndPlurals checks the prose the analysis writes
// (summary, recommendations, findings, reconciliation explanations) on
// every fixture: counts grouped in thousands, and nouns that agree with
// them. clock-skew-and-strays has 1 cold start and 6,058 client requests.
func TestReportTextCountsAndPlurals(t *testing.T) {
	for _, name := range []string{"paper-mobilenet", "continuous-coldstarts", "orchestrator-waiting", "fat-container", "clock-skew-and-strays", "gpu-inference"} {
		t.Run(name, func(t *testing.T) {
			rpt := fixtureRun(t, name)
			texts := []string{rpt.Verdict.Summary}
			for _, r := range rpt.Verdict.Recommendations {
				texts = append(texts, r.Text)
			}
			for _, f := range rpt.Findings {
				texts = append(texts, f.Message)
			}
			for _, r := range rpt.Reconciliation {
				texts = append(texts, r.Explanations...)
			}
			for _, s := range texts {
				if ungrouped.MatchString(s) {
					t.Errorf("a count without thousands separators: %q", s)
				}
				if oneMany.MatchString(s) {
					t.Errorf("1 with a plural: %q", s)
				}
			}
			if name == "clock-skew-and-strays" {
				all := strings.Join(texts, "\n")
				for _, want := range []string{"1 cold start added", "6,058", "with 1 cold start,"} {
					if !strings.Contains(all, want) {
						t.Errorf("no %q in:\n%s", want, all)
					}
				}
			}
		})
	}
}
