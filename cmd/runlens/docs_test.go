package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readmeExamples returns the "runlens ..." lines of README.md's Examples block.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(b), "Examples:\n\n```\n")
	if !ok {
		t.Fatal("README.md has no Examples block")
	}
	block, _, _ := strings.Cut(after, "```")
	return strings.Split(strings.TrimSpace(block), "\n")
}

// The README shows the same examples as runlens help, so neither can rot alone.
func TestREADMEExamplesMatchHelp(t *testing.T) {
	var help []string
	for _, c := range commands() {
		help = append(help, c.examples...)
	}
	readme := readmeExamples(t)
	for _, e := range readme {
		if !slices.Contains(help, e) {
			t.Errorf("README example %q is not in runlens help", e)
		}
	}
	for _, e := range help {
		if !slices.Contains(readme, e) {
			t.Errorf("runlens help example %q is not in README.md", e)
		}
	}
}

// Every example runs, with its input files stood in by the fixture's and its
// outputs sent to a temporary directory.
func TestExamplesRun(t *testing.T) {
	dir := t.TempDir()
	stand := strings.NewReplacer(
		"fixtures/paper-mobilenet", paper,
		"fixtures/", "../../fixtures/",
		"report.html", filepath.Join(dir, "report.html"),
		"report.json", filepath.Join(dir, "report.json"),
		"summary.json", filepath.Join(dir, "summary.json"),
		"requests.json", filepath.Join(paper, "requests.ndjson.gz"),
		"request_count.json", filepath.Join(paper, "metrics", "request_count.json"),
		"results/run", filepath.Join(paper, "client", "mobilenet"),
		"/tmp/paper", filepath.Join(dir, "paper"),
	)
	for _, c := range commands() {
		for _, e := range c.examples {
			args := strings.Fields(stand.Replace(e))[1:]
			if args[0] == "collect" || args[0] == "fake-gcp" || slices.Contains(args, "-endpoint") || slices.Contains(args, "-project") {
				continue // need a server: covered by the live tests
			}
			t.Run(e, func(t *testing.T) {
				if _, stderr, err := runCLI(t, args...); err != nil {
					t.Errorf("%v\n%s", err, stderr)
				}
			})
		}
	}
}

func TestHelp(t *testing.T) {
	for _, c := range commands() {
		out, _, err := runCLI(t, "help", c.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Arguments:", "Options:", "Examples:", c.examples[0]} {
			if !strings.Contains(out, want) {
				t.Errorf("help %s lacks %q", c.name, want)
			}
		}
	}
}
