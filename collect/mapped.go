package collect

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"runtime/debug"
)

// A regular file is read through a memory mapping of it rather than with
// read calls, which copy every byte from the page cache: plain NDJSON is
// cut into chunks that are slices of the mapping, and every other form is
// copied out of it as a read would. The pages of a parsed chunk are let
// go once it is parsed, those it shares with its neighbours once the
// chunks before them are merged, and those copied out once they are
// behind the reading, a few megabytes at a time; the chunks are cut at
// most mappedAhead ahead of the merge. So the memory a file holds stays about
// what the read buffers held. What is kept of a chunk is
// copied, as it is from a reused buffer. A file that grows while it is
// read is read on with read calls past what was mapped; one that shrinks
// stops the reading with an error, as a failed read does.

// errShrank stops the reading of a mapped file cut short while read.
var errShrank = errors.New("the file shrank while it was read")

// mappedFile is a file mapped whole, read from where its offset was.
type mappedFile struct {
	f       *os.File
	data    []byte        // the file's bytes, as mapped
	off     int64         // the next byte Read gives, from the file's start
	dropped int           // the pages before this offset, a page's start, were let go
	br      *bufio.Reader // over the mappedFile: the reader the decoders get
	ahead   chan struct{} // a token for each chunk cut and not yet merged
}

// mappedAhead is how many chunks of the mapping are cut ahead of the
// merge: those in the workers' queue, being parsed, and parsed.
const mappedAhead = 8

// mapFile maps r when it is a regular file that can be mapped; nil when
// it is not, and r is read as it is.
func mapFile(r io.Reader) *mappedFile {
	f, ok := r.(*os.File)
	if !ok {
		return nil
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() <= 0 || int64(int(st.Size())) != st.Size() {
		return nil
	}
	off, err := f.Seek(0, io.SeekCurrent)
	if err != nil || off >= st.Size() {
		return nil
	}
	data, err := mmap(f, int(st.Size()))
	if err != nil {
		return nil
	}
	m := &mappedFile{f: f, data: data, off: off, ahead: make(chan struct{}, mappedAhead)}
	m.br = bufio.NewReaderSize(m, 64<<10)
	return m
}

// Read copies from the mapping, and past it from the file.
func (m *mappedFile) Read(p []byte) (int, error) {
	if m.off >= int64(len(m.data)) {
		n, err := m.f.ReadAt(p, m.off)
		m.off += int64(n)
		if n > 0 && err == io.EOF {
			err = nil
		}
		return n, err
	}
	var n int
	if err := faultless(func() { n = copy(p, m.data[m.off:]) }); err != nil {
		return 0, err
	}
	m.off += int64(n)
	m.dropBefore(int(m.off))
	return n, nil
}

// dropLag is how far behind the reading the pages let go end: a fault
// maps the pages around the one it is on (fault-around, a large folio of
// the page cache), up to 2 MiB of them, and any it mapped again behind
// the pages let go would stay.
const dropLag = 2 << 20

// dropBatch is the least a call lets go of: each call stops both cores
// to flush their address translations (a TLB shootdown), so fewer, larger
// calls cost less, and the pages held wait at most this long.
const dropBatch = 4 << 20

// dropBefore lets go of the pages read, up to dropLag before off,
// dropBatch or more at a time.
func (m *mappedFile) dropBefore(off int) {
	end := (off - dropLag) &^ (pageSize - 1)
	if end-m.dropped >= dropBatch {
		dropPages(m.data[m.dropped:end])
		m.dropped = end
	}
}

// parsed lets go of the pages that lie within the chunk b, a slice of the
// mapping, once it is parsed: those it shares with its neighbours, and
// any a fault mapped again, go once the merge has passed them.
func (m *mappedFile) parsed(b []byte) {
	start := len(m.data) - cap(b)
	lo, hi := (start+pageSize-1)&^(pageSize-1), (start+len(b))&^(pageSize-1)
	if lo < hi {
		dropPages(m.data[lo:hi])
	}
}

// merged is told that the chunk b, a slice of the mapping, and every
// chunk before it are merged.
func (m *mappedFile) merged(b []byte) {
	<-m.ahead
	m.dropBefore(len(m.data) - cap(b) + len(b))
}

// close unmaps the file and leaves its offset after what was read, as
// reading it would.
func (m *mappedFile) close() {
	munmap(m.data)
	m.data = nil
	_, _ = m.f.Seek(m.off, io.SeekStart)
}

// splitChunks is splitChunks for a mapped file that br, its own reader,
// reads plain: the chunks of whole lines from where br stands are slices
// of the mapping. What follows the mapping's last newline is read on as
// splitChunks reads.
func (m *mappedFile) splitChunks(br *bufio.Reader, out chan<- ndjsonChunk, free chan []byte, size func(round int) int) (err error) {
	rest := m.data[m.off-int64(br.Buffered()):]
	_, _ = br.Discard(br.Buffered())
	m.off = int64(len(m.data))
	seq, round := 0, 0
	err = faultless(func() {
		for ; ; round++ {
			n := min(size(round), len(rest))
			cut := bytes.LastIndexByte(rest[:n], '\n') + 1
			if cut == 0 && n < len(rest) { // a line longer than a chunk
				if cut = bytes.IndexByte(rest[n:], '\n') + 1; cut > 0 {
					cut += n
				}
			}
			if cut == 0 {
				return
			}
			m.ahead <- struct{}{}
			out <- ndjsonChunk{seq: seq, data: rest[:cut], mapped: true}
			rest = rest[cut:]
			seq++
		}
	})
	if err != nil {
		return err
	}
	var carry []byte
	if err := faultless(func() { carry = bytes.Clone(rest) }); err != nil {
		return err
	}
	return splitFrom(br, carry, seq, round, out, free, size)
}

// faultless runs f, and returns errShrank when it faulted on the mapping:
// the file was cut short under it.
func faultless(f func()) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			if re, ok := p.(runtime.Error); ok && isFault(re) {
				err = errShrank
				return
			}
			panic(p)
		}
	}()
	f()
	return nil
}

// isFault reports whether e is a memory fault at an address.
func isFault(e runtime.Error) bool {
	_, ok := e.(interface{ Addr() uintptr })
	return ok
}
