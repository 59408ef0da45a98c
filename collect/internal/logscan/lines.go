package logscan

import "bytes"

// Lines is a chunk of NDJSON, one line at a time (Next). The quotes of
// each line are marked as it is found, where the CPU can, for Scan.
type Lines struct {
	st    *State
	data  []byte
	final bool // the text after the chunk's last newline is a line
	done  bool
}

// Lines starts reading data, a run of whole lines; final says that the
// text after its last newline, even none, is a line too (the file's end).
// Call Done when the chunk is read.
func (st *State) Lines(data []byte, final bool) *Lines {
	if need := len(data)/64 + 1; len(st.marks) < need {
		st.marks = make([]uint64, need)
	}
	return &Lines{st: st, data: data, final: final}
}

// Next returns the next line trimmed of white space (it may be empty) and
// the form to scan it with; ok is false when there is none.
func (l *Lines) Next() (t []byte, form Form, ok bool) {
	if l.done || len(l.data) == 0 && !l.final {
		return nil, FormOther, false
	}
	st, data := l.st, l.data
	n, plain, marked := quoteLine(data, st.marks)
	raw := data[:n]
	if n < len(data) {
		l.data = data[n+1:]
	} else {
		l.data, l.done = data[n:], true
	}
	t = bytes.TrimSpace(raw)
	st.quotes = nil
	if marked && plain && len(t) > 0 && &t[0] == &raw[0] { // the marks start where t does
		st.quotes = st.marks[:len(t)/64+1]
	}
	if plain {
		return t, FormPlain, true
	}
	return t, FormOther, true
}

// Done forgets the chunk's marks.
func (l *Lines) Done() { l.st.quotes = nil }
