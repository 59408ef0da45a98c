package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter/pkg/twwidth"
	"github.com/runlens/runlens/internal/fixturetest"
)

// checkLines fails for each line of out longer than width, in runes or in
// display columns.
func checkLines(t *testing.T, out string, width int) {
	t.Helper()
	for i, line := range strings.Split(out, "\n") {
		if n, w := utf8.RuneCountInString(line), twwidth.Width(line); n > width || w > width {
			t.Errorf("line %d is %d runes, %d columns wide, over %d: %q", i+1, n, w, width, line)
		}
	}
}

// TestReportFitsColumns runs `runlens report fixtures/NAME` for every
// fixture with COLUMNS=80 and COLUMNS=100: no line of the terminal output
// is longer.
func TestReportFitsColumns(t *testing.T) {
	for _, dir := range fixturetest.Dirs(t, "../../fixtures", 6) {
		for _, cols := range []string{"80", "100"} {
			t.Run(filepath.Base(dir)+"/"+cols, func(t *testing.T) {
				t.Setenv("COLUMNS", cols)
				stdout, stderr, err := runCLI(t, "report", dir)
				if err != nil {
					t.Fatalf("%v\n%s", err, stderr)
				}
				if !strings.Contains(stdout, "Request statistics") || !strings.Contains(stdout, "Reconciliation") {
					t.Fatalf("no tables:\n%s", stdout)
				}
				width := 80
				if cols == "100" {
					width = 100
				}
				checkLines(t, stdout, width)
			})
		}
	}
}

// TestDiffFitsColumns does the same for runlens diff of two fixtures.
func TestDiffFitsColumns(t *testing.T) {
	t.Setenv("COLUMNS", "80")
	stdout, stderr, err := runCLI(t, "diff", paper, "../../fixtures/clock-skew-and-strays")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	checkLines(t, stdout, 80)
}

func TestTerminalColumns(t *testing.T) {
	for env, want := range map[string]int{"": 0, "80": 80, " 120 ": 120, "wide": 0, "-5": 0, "0": 0} {
		t.Setenv("COLUMNS", env)
		if env == "" {
			os.Unsetenv("COLUMNS")
		}
		if got := terminalColumns(); got != want {
			t.Errorf("COLUMNS=%q: %d, want %d", env, got, want)
		}
	}
}
