package main

import (
	"fmt"
	"slices"
	"strings"
)

// formatUsage is the -format flag's usage for report and audit.
const formatUsage = "what to print on stdout: table, markdown, json or none (default table, or none when -o or -json is -)"

// stdoutFormat checks -format and the file outputs (flag name to path) that
// name stdout ("-"): at most one output may go there. An empty -format is
// table, or none when a file output is stdout.
func stdoutFormat(format string, outputs map[string]string) (string, error) {
	switch format {
	case "", "table", "markdown", "json", "none":
	default:
		return "", usagef("-format: %q is not table, markdown, json or none", format)
	}
	var toStdout []string
	for name, path := range outputs {
		if path == "-" {
			toStdout = append(toStdout, "-"+name)
		}
	}
	slices.Sort(toStdout)
	switch {
	case len(toStdout) > 1:
		return "", usagef("%s all write to stdout (-): give all but one a file", strings.Join(toStdout, " and "))
	case len(toStdout) == 1 && format != "" && format != "none":
		return "", usagef("%s - and -format %s both write to stdout: give -format none, or %s a file", toStdout[0], format, toStdout[0])
	case len(toStdout) == 1:
		return "none", nil
	case format == "":
		return "table", nil
	}
	return format, nil
}

// outputNote is the usage of a file output flag.
func outputNote(what string) string {
	return fmt.Sprintf("write %s to `FILE` (- for stdout); replaced whole, or not at all when any output fails", what)
}

// maxMarkdownUsage is the -max-markdown flag's usage for report and audit.
const maxMarkdownUsage = "keep the Markdown under `BYTES` by leaving out the last rows of its largest tables and lists, " +
	"saying how many (GitHub takes 1 MiB of a job summary, 65,536 characters of a pull-request comment); -1 for no bound"

// checkMaxMarkdown checks -max-markdown.
func checkMaxMarkdown(n int) error {
	if n == 0 || n < -1 {
		return usagef("-max-markdown: want a positive number of bytes, or -1 for no bound")
	}
	return nil
}
