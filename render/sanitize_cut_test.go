package render

import (
	"strings"
	"testing"
)

// A string the reader already cut (collect.MaxStringBytes) keeps saying
// its full length when an output cuts it again.
func TestClipKeepsInputLength(t *testing.T) {
	inputCut := strings.Repeat("b", 4096) + "…(1048583 bytes)"
	if got := clip(inputCut); !strings.HasSuffix(got, "b…(1048583 bytes)") || len(got) > MaxTextBytes+32 {
		t.Errorf("clip of an input-cut string ends %q", got[len(got)-30:])
	}
	plain := strings.Repeat("c", 600)
	if got := clip(plain); !strings.HasSuffix(got, "c…(600 bytes)") {
		t.Errorf("clip of a plain string ends %q", got[len(got)-30:])
	}
}
