package gcp

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress prints what a long read is doing, at most once a second and
// only once it has taken a second: entries, pages, rate, how far through
// the window it is and when it should end.
type progress struct {
	w       io.Writer
	part    string
	start   time.Time // of the read
	window  [2]time.Time
	last    time.Time // last line printed
	inPlace bool      // a terminal: rewrite one line
	printed bool
	open    bool // a line rewritten in place awaits its newline
}

func newProgress(w io.Writer, part string, start, end time.Time) *progress {
	now := time.Now()
	return &progress{w: w, part: part, start: now, last: now, window: [2]time.Time{start, end}, inPlace: isTerminal(w)}
}

// tick reports entries and pages so far; at is the newest entry's time.
func (p *progress) tick(entries, pages int, at time.Time) {
	if p == nil || p.w == nil {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < time.Second {
		return
	}
	p.last = now
	el := now.Sub(p.start)
	line := fmt.Sprintf("%s: %d entries, %d pages, %.0f entries/s", p.part, entries, pages, float64(entries)/el.Seconds())
	span := p.window[1].Sub(p.window[0])
	if f := float64(at.Sub(p.window[0])) / float64(span); f > 0 && f <= 1 {
		eta := time.Duration(float64(el) * (1 - f) / f)
		line += fmt.Sprintf(", %.0f%% of the window, ETA %s", f*100, eta.Round(time.Second))
	}
	p.print(line)
}

// note prints an event (a retry and why, a resumption) on a line of its
// own.
func (p *progress) note(format string, args ...any) {
	if p == nil || p.w == nil {
		return
	}
	p.end()
	fmt.Fprintf(p.w, format+"\n", args...)
}

// done closes the progress line with the totals, if anything was printed.
func (p *progress) done(entries, pages int) {
	if p == nil || p.w == nil || !p.printed {
		return
	}
	el := time.Since(p.start)
	p.print(fmt.Sprintf("%s: %d entries, %d pages in %s", p.part, entries, pages, el.Round(time.Second/10)))
	p.end()
}

func (p *progress) print(line string) {
	p.printed = true
	if p.inPlace {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
		p.open = true
		return
	}
	fmt.Fprintln(p.w, line)
}

// end finishes a line rewritten in place.
func (p *progress) end() {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
}

// isTerminal reports whether w is a character device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
