package render

import (
	"bytes"
	"fmt"
	"io"
)

// DefaultMaxMarkdownBytes bounds the Markdown when Options.MaxMarkdownBytes
// is zero: GitHub takes at most 1 MiB of a step's job summary.
const DefaultMaxMarkdownBytes = 1 << 20

// section is a table or a list of a text output; its rows (or items) may
// be left out to keep the Markdown under its bound.
type section interface {
	// write writes the section as Markdown, or for a terminal of width
	// columns.
	write(w io.Writer, md bool, width int) error
	// rowCount is how many rows may be left out.
	rowCount() int
	// first is the section with its first n rows only, and a note saying
	// how many were left out to stay under limit bytes.
	first(n, limit int) section
}

// list is a titled bulleted list: findings, warnings, what is missing.
type list struct {
	heading string
	items   []string
	omitted int
	limit   int
}

func (l list) write(w io.Writer, md bool, width int) error {
	if len(l.items) == 0 && l.omitted == 0 {
		return nil
	}
	if md {
		fmt.Fprintf(w, "### %s\n\n", l.heading)
	} else {
		fmt.Fprintf(w, "%s\n", l.heading)
	}
	for _, it := range l.items {
		if md {
			fmt.Fprintf(w, "- %s\n", markdownLine(it))
			continue
		}
		for _, line := range wrapText("- "+terminalText(it), width, "  ") {
			fmt.Fprintf(w, "%s\n", line)
		}
	}
	if l.omitted > 0 {
		if len(l.items) > 0 && md {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s\n", omittedNote(l.omitted, "item", l.limit))
	}
	_, err := fmt.Fprintln(w)
	return err
}

func (l list) rowCount() int { return len(l.items) }

func (l list) first(n, limit int) section {
	if n >= len(l.items) {
		return l
	}
	l.omitted, l.limit, l.items = len(l.items)-n, limit, l.items[:n]
	return l
}

// omittedNote says how many rows or items were left out, and why.
func omittedNote(n int, what string, limit int) string {
	if n != 1 {
		what += "s"
	}
	return fmt.Sprintf("%s more %s left out to keep this Markdown under %s; the JSON has them all.", pageCount(int64(n)), what, byteSize(limit))
}

// byteSize writes a size in bytes as people say it: 1 MiB, 64 KiB, 1,000 bytes.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return pageCount(int64(n)) + " bytes"
}

// markdownLimit is the bound on the Markdown's size, in bytes: -1 for none.
func markdownLimit(opts Options) int {
	switch {
	case opts.MaxMarkdownBytes < 0:
		return -1
	case opts.MaxMarkdownBytes == 0:
		return DefaultMaxMarkdownBytes
	}
	return opts.MaxMarkdownBytes
}

// writeDoc writes a text output: head (already escaped), then the
// sections. Markdown is kept under limit bytes (unless limit < 0): while
// it is over, the largest section loses its last rows (a table keeps its
// totals), with a note saying how many. On a terminal every line fits
// width columns: the head's lines are wrapped.
func writeDoc(w io.Writer, md bool, limit, width int, head string, secs []section) error {
	if !md {
		head = wrapLines(head, width, "")
	}
	bufs := make([]bytes.Buffer, len(secs))
	total := len(head)
	for i, s := range secs {
		if err := s.write(&bufs[i], md, width); err != nil {
			return err
		}
		total += bufs[i].Len()
	}
	if md && limit >= 0 && total >= limit {
		if err := fit(md, limit, len(head), secs, bufs); err != nil {
			return err
		}
	}
	if _, err := io.WriteString(w, head); err != nil {
		return err
	}
	for i := range bufs {
		if _, err := w.Write(bufs[i].Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// fit leaves rows out of the sections until the whole (the head's bytes
// and each section's, rendered in bufs) is under limit. Each section that
// has rows to leave out gives up its share of the excess, in proportion to
// its size: every table keeps its first rows. Rows of a Markdown table are
// padded to one width, so the bytes per row say how many rows fit.
func fit(md bool, limit, head int, secs []section, bufs []bytes.Buffer) error {
	counts := make([]int, len(secs))
	total := head
	for i, s := range secs {
		counts[i] = s.rowCount()
		total += bufs[i].Len()
	}
	for total >= limit {
		shrinkable := 0
		for i := range secs {
			if counts[i] > 0 {
				shrinkable += bufs[i].Len()
			}
		}
		if shrinkable == 0 {
			return nil // nothing left to leave out
		}
		over := total - (limit - 1)
		for i := range secs {
			if counts[i] == 0 {
				continue
			}
			size := bufs[i].Len()
			target := size - (over*size+shrinkable-1)/shrinkable
			k := min(counts[i]-1, max(0, target/max(1, size/(counts[i]+1))-1))
			bufs[i].Reset()
			if err := secs[i].first(k, limit).write(&bufs[i], md, 0); err != nil {
				return err
			}
			total += bufs[i].Len() - size
			counts[i] = k
		}
	}
	return nil
}
