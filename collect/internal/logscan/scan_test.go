package logscan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gojson "github.com/goccy/go-json"
	"github.com/google/go-cmp/cmp"
	"github.com/runlens/runlens/internal/logtest"
)

// scanSeeds are lines the scanner must take or refuse as a decoder would.
func scanSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, l := range bytes.Split(logtest.NDJSON(t, 50), []byte("\n")) {
		seeds = append(seeds, l)
	}
	names, _ := filepath.Glob(filepath.Join("testdata", "logging", "*.ndjson"))
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, bytes.Split(b, []byte("\n"))...)
	}
	const ok = `{"logName":"projects/p/logs/run.googleapis.com%2Frequests","resource":{"type":"cloud_run_revision","labels":{"location":"eu"}},` +
		`"timestamp":"2026-03-02T10:00:00Z","httpRequest":{"requestUrl":"https://a/x","status":200,"requestSize":"12","responseSize":34,"latency":"0.5s"},"labels":{"instanceId":"i"}}`
	for _, s := range []string{
		ok,
		strings.Replace(ok, `"status":200`, `"status":200.5`, 1),
		strings.Replace(ok, `"status":200`, `"status":"200"`, 1),
		strings.Replace(ok, `"status":200`, `"status":null`, 1),
		strings.Replace(ok, `"requestSize":"12"`, `"requestSize":"1x"`, 1),
		strings.Replace(ok, `"requestSize":"12"`, `"requestSize":""`, 1),
		strings.Replace(ok, `"requestSize":"12"`, `"requestSize":1e3`, 1),
		strings.Replace(ok, `"https://a/x"`, `"https://a/\u00e9"`, 1),
		strings.Replace(ok, `"https://a/x"`, `"https://a/é"`, 1),
		strings.Replace(ok, `"https://a/x"`, "\"https://a/\tx\"", 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"Labels":{"instanceId":"i"}`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"labels":{"InstanceID":"i"}`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"labels":null`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"labels":{"instanceId":"i"},"labels":{"service":"s"}`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"other":[1,-2.5e+3,true,false,null,{"a":"\"\\\/\b\f\n\r\t\u12aF"}]`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"other":"\x"`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"other":"\u12G4"`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"other":01`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"other":"é\xff"`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"jsonPayload":null`, 1),
		strings.Replace(ok, `"labels":{"instanceId":"i"}`, `"textPayload":"This request caused a new container instance to be started"`, 1),
		strings.Replace(ok, `{"type"`, ` { "type" `, 1),
		ok + " x", ok + "}", "null", "[]", `{"a":1,}`, `{"a" 1}`, `{`, `{"a":[1,]}`, `{"a":tru}`, `{"a":-}`, `{"a":1.}`, `{"a":1e}`,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// guessLine is a request line that checkScan trains key guesses on.
var guessLine = []byte(`{"httpRequest":{"requestMethod":"GET","requestUrl":"https://s-abc.a.run.app/predict?x=1","requestSize":"12",` +
	`"status":200,"responseSize":"34","userAgent":"locust/2.20","remoteIp":"10.0.0.1","latency":"0.012s","protocol":"HTTP/1.1"},` +
	`"insertId":"abc","labels":{"instanceId":"00f0"},"logName":"projects/p/logs/run.googleapis.com%2Frequests",` +
	`"receiveTimestamp":"2024-05-01T10:00:00.5Z","resource":{"labels":{"configuration_name":"s","location":"us-central1",` +
	`"project_id":"p","revision_name":"s-00001-abc","service_name":"s"},"type":"cloud_run_revision"},"severity":"INFO",` +
	`"spanId":"1","timestamp":"2024-05-01T10:00:00.1Z","trace":"projects/p/traces/1","traceSampled":true}`)

// checkScan checks the scanner against goccy/go-json, the decoder the
// fast path used before it, and encoding/json's syntax check: where the
// scanner takes a line, the decoder gives the same Entry and the line
// is valid JSON.
func checkScan(t *testing.T, line []byte) bool {
	t.Helper()
	var got, want, compact Entry
	taken := scanEntry(line, &got)
	// Guesses of the keys, right or wrong, change nothing: with guesses
	// from a generated line, and then from this line itself.
	g := new(State)
	var trained Entry
	scanLine(guessLine, &trained, g, true)
	for range 2 {
		if ok := scanLine(line, &trained, g, plain(line)); ok != taken || ok && trained != got {
			t.Fatalf("with guesses, %q gives %v, %+v; without, %v, %+v", line, ok, trained, taken, got)
		}
	}
	// So do the marks of its quotes, where quoteLine makes them.
	q := make([]uint64, len(line)/64+1)
	if n, p, marked := quoteLine(line, q); marked && p && n == len(line) {
		var withMarks Entry
		if ok := scanLine(line, &withMarks, &State{quotes: q}, true); ok != taken || ok && withMarks != got {
			t.Fatalf("with its quotes marked, %q gives %v, %+v; without, %v, %+v", line, ok, withMarks, taken, got)
		}
	}
	// The compact path, where it decides, decides as the scanner: on a
	// plain line, and on a line plain but for newlines, as pretty text.
	if p, n := prettyPlain(line); p {
		ok, done := scanCompact(line, &compact, new(State), !plain(line), n)
		var slow Entry
		s := scanner{b: line, plain: true}
		slowOK := s.object(scanTop, &slow) && s.i == len(line)
		if done && (ok != slowOK || ok && compact != slow) {
			t.Fatalf("on %q the compact path says %v, %+v; the scanner %v, %+v", line, ok, compact, slowOK, slow)
		}
	}
	// Read as an array's element, the line gives what the decoder gives.
	var elem, elemWant Entry
	if scanElement(line, &elem, new(State)) {
		if !json.Valid(line) || !decodeFast(line, &elemWant) || elem != elemWant {
			t.Fatalf("as an element, %q gives %+v; the decoder %v, %+v", line, elem, json.Valid(line), elemWant)
		}
	}
	if !taken {
		return false
	}
	if !json.Valid(line) {
		t.Fatalf("scanner took invalid JSON %q", line)
	}
	if !decodeFast(line, &want) {
		t.Fatalf("scanner took %q, which the decoder refuses", line)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("scanner and decoder differ on %q (-decoder +scanner):\n%s", line, diff)
	}
	return true
}

func TestNextLine(t *testing.T) {
	for _, s := range []string{"", "\n", "abc", "abc\ndef", "abcdefghijkl\r\nx", "abcdefghijk\rl\n", "abcdefgh\\ijkl\n",
		"abcdefgh\x01ijkl\nm", "abcdefghé\n", "\tabcdefghijklmnop\n", "abcdefghijklmnopq", `"a""b"#"#"c\"d"`,
		`{"a":"b","cdefghij":"kl"}` + "\n" + `"x"`, `""""""""""""""""""`} {
		checkNextLine(t, []byte(s))
	}
}

// blockModes are the values haveBlocks can take here, for tests that run
// with the vector blocks and without: false, and true where AVX2 is.
func blockModes() []bool {
	if haveBlocks {
		return []bool{false, true}
	}
	return []bool{false}
}

// plainRef is plain, a byte at a time.
func plainRef(b []byte) bool {
	return slices.IndexFunc(b, isSpecial) < 0
}

// TestQuoteLine checks quoteLine against nextLine and a byte loop, on
// lines of every length up to a few blocks with quotes at every place and
// another line after them, with the vector blocks and without.
func TestQuoteLine(t *testing.T) {
	defer func(h bool) { haveBlocks = h }(haveBlocks)
	for _, blocks := range blockModes() {
		haveBlocks = blocks
		for n := 0; n <= 200; n++ {
			for _, p := range []int{0, 1, n / 3, n - 2, n - 1} {
				if p < 0 || p >= n {
					continue
				}
				for _, end := range []string{"", "\n", "\r\n", "\t\n", "é\n"} {
					line := []byte(strings.Repeat("a", n))
					line[p] = '"'
					line[n/2] = '"'
					b := append(bytes.Clone(line), end...)
					b = append(b, `"next" "line"`...)
					for _, b := range [][]byte{b, line} {
						q := make([]uint64, len(b)/64+1)
						for i := range q {
							q[i] = 0x5555555555555555 // stale marks
						}
						gotN, gotPlain, marked := quoteLine(b, q)
						wantN, wantPlain := nextLine(b)
						if gotN != wantN || gotPlain != wantPlain || marked != blocks {
							t.Fatalf("blocks %v: quoteLine(%q) = %d, %v, %v; nextLine %d, %v", blocks, b, gotN, gotPlain, marked, wantN, wantPlain)
						}
						if !marked || !gotPlain {
							continue
						}
						for i := range gotN {
							if mark := q[i/64]>>(i%64)&1 == 1; mark != (b[i] == '"') {
								t.Fatalf("quoteLine(%q): the mark of byte %d is %v", b, i, mark)
							}
						}
					}
				}
			}
		}
	}
}

// TestFirstSpecial puts each kind of byte that plain refuses at every
// place of lines of every length up to a few blocks, among the bytes next
// to them that it takes, with the vector blocks and without.
func TestFirstSpecial(t *testing.T) {
	defer func(h bool) { haveBlocks = h }(haveBlocks)
	fill := []byte{0x20, 0x7f, '[', ']', 'a', '"'}
	for _, blocks := range blockModes() {
		haveBlocks = blocks
		for n := 0; n <= 200; n++ {
			b := make([]byte, n+1) // one byte past the end, which must not count
			for i := range b {
				b[i] = fill[i%len(fill)]
			}
			b[n] = '\\'
			if got := firstSpecial(b[:n]); got != n {
				t.Fatalf("blocks %v: firstSpecial of %d plain bytes = %d", blocks, n, got)
			}
			for p := 0; p < n; p++ {
				for _, c := range []byte{0, '\n', 0x1f, '\\', 0x80, 0xc3, 0xff} {
					old := b[p]
					b[p] = c
					if got := firstSpecial(b[:n]); got != p {
						t.Fatalf("blocks %v: firstSpecial with %#x at %d of %d = %d", blocks, c, p, n, got)
					}
					b[n-1], b[p] = c, c // a second one after it does not count
					if got := firstSpecial(b[:n]); got != p {
						t.Fatalf("blocks %v: firstSpecial with %#x at %d and %d of %d = %d", blocks, c, p, n-1, n, got)
					}
					b[p], b[n-1] = old, fill[(n-1)%len(fill)]
				}
			}
		}
	}
}

func TestScanEntryAgreesWithDecoder(t *testing.T) {
	taken := 0
	for _, s := range scanSeeds(t) {
		if checkScan(t, bytes.TrimSpace(s)) {
			taken++
		}
	}
	if !checkScan(t, guessLine) {
		t.Fatal("the scanner refused guessLine, which trains the guesses")
	}
	// Every generated line is taken, by the compact path: it is the hot
	// path.
	if taken < 50 {
		t.Errorf("the scanner took %d lines, want at least the 50 generated ones", taken)
	}
	for _, l := range bytes.Split(bytes.TrimSpace(logtest.NDJSON(t, 50)), []byte("\n")) {
		var e Entry
		if ok, done := scanCompact(l, &e, new(State), false, 0); !plain(l) || !ok || !done {
			t.Fatalf("the compact path gave %v, %v (plain %v) on the generated line %s", ok, done, plain(l), l)
		}
		// With its quotes marked, too.
		q := make([]uint64, len(l)/64+1)
		if _, _, marked := quoteLine(l, q); marked {
			if ok, done := scanCompact(l, &e, &State{quotes: q}, false, 0); !ok || !done {
				t.Fatalf("the compact path with marks gave %v, %v on the generated line %s", ok, done, l)
			}
		}
	}
	// So is every element of gcloud's pretty-printed array.
	for _, el := range logtest.Elements(t, logtest.NDJSON(t, 50)) {
		var e Entry
		p, n := prettyPlain(el)
		if ok, done := scanCompact(el, &e, new(State), true, n); !p || !ok || !done {
			t.Fatalf("the compact path gave %v, %v (pretty plain %v) on the element %s", ok, done, p, el)
		}
		checkScan(t, el)
	}
	const ok = `{"resource":{"type":"cloud_run_revision"},"httpRequest":{"status":200,"requestSize":"12","responseSize":34}}`
	for _, s := range []string{ok, strings.Replace(ok, `"https://a/x"`, `"https://a/\u00e9"`, 1)} {
		if !checkScan(t, []byte(s)) {
			t.Errorf("scanner refused %s", s)
		}
	}
	for _, s := range []string{`{"a":"\x"}`, `{"a":"é\xff"}`, `{"a":01}`, `{"a":1,}`, `{"httpRequest":{"status":"200"}}`,
		`{"labels":{"InstanceID":"i"}}`, `{"jsonPayload":null}`, `{"textPayload":"\u00e9"}`, "{\"trace\":\"a\tb\"}"} {
		if checkScan(t, []byte(s)) {
			t.Errorf("scanner took %s", s)
		}
	}
}

// FuzzScanEntry checks the scanner against the decoder on any line.
func FuzzScanEntry(f *testing.F) {
	for _, s := range scanSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("{}\r\n{\"a\":1}\n"))
	f.Add([]byte("{\n  \"labels\": {\n    \"instanceId\": \"i\"\n  },\n  \"x\": [1, \"a\"]\n}"))
	f.Add([]byte("{\n  \"trace\": \"a\nb\"\n}"))
	f.Fuzz(func(t *testing.T, line []byte) {
		checkScan(t, line)
		checkNextLine(t, line)
	})
}

// checkNextLine checks nextLine against bytes.IndexByte and plain.
func checkNextLine(t *testing.T, b []byte) {
	n, p := nextLine(b)
	want := bytes.IndexByte(b, '\n')
	if want < 0 {
		want = len(b)
	}
	line := b[:want]
	if want < len(b) { // a CR before the newline is not the line's
		line = bytes.TrimSuffix(line, []byte("\r"))
	}
	if n != want || p != plainRef(line) {
		t.Fatalf("nextLine(%q) = %d, %v; want %d, %v", b, n, p, want, plainRef(line))
	}

}

// decodeFast decodes a line into a Entry with goccy/go-json, the
// decoder the scanner stands in for: the reference the scanner is checked
// against.
func decodeFast(t []byte, e *Entry) bool {
	*e = Entry{}
	return gojson.UnmarshalWithOption(t, e, gojson.DecodeNoCopyString()) == nil
}

// BenchmarkScanEntry compares the scanner with the decoder it stands in
// for, on generated request lines.
func BenchmarkScanEntry(b *testing.B) {
	lines := bytes.Split(bytes.TrimSpace(logtest.NDJSON(b, 2000)), []byte("\n"))
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	g := new(State)
	for _, c := range []struct {
		name string
		f    func([]byte, *Entry) bool
	}{
		{"scanner", func(l []byte, e *Entry) bool { return scanLine(l, e, g, plain(l)) }},
		{"goccy", decodeFast},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			var e Entry
			for b.Loop() {
				for _, l := range lines {
					if !c.f(l, &e) {
						b.Fatal("refused")
					}
				}
			}
			b.ReportMetric(float64(b.N*len(lines))/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkNextLine finds the lines of generated request logs.
func BenchmarkNextLine(b *testing.B) {
	data := logtest.NDJSON(b, 2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for d := data; len(d) > 0; {
			n, _ := nextLine(d)
			d = d[min(n+1, len(d)):]
		}
	}
}

// TestKnownKey checks knownKey against a search of fields and skipKeys
// for every key, cut short, with each byte changed, in another case, and
// with text of every length after it.
func TestKnownKey(t *testing.T) {
	ref := func(kind objectKind, b []byte) (fieldID, int) {
		for _, f := range fields[kind] {
			if bytes.HasPrefix(b, []byte(f.key+`"`)) {
				return f.id, len(f.key) + 1
			}
		}
		for _, k := range skipKeys[kind] {
			if bytes.HasPrefix(b, []byte(k+`"`)) {
				return fSkip, len(k) + 1
			}
		}
		return fUnknown, 0
	}
	var keys []string
	for _, fs := range fields {
		for _, f := range fs {
			keys = append(keys, f.key)
		}
	}
	for _, ks := range skipKeys {
		keys = append(keys, ks...)
	}
	var g keyGuess
	check := func(b []byte) {
		for kind := range fields {
			id, n := knownKey(objectKind(kind), b)
			wid, wn := ref(objectKind(kind), b)
			if id != wid || n != wn {
				t.Fatalf("knownKey(%d, %q) = %d, %d; want %d, %d", kind, b, id, n, wid, wn)
			}
			// A guess of each key of the object is taken only if it is
			// the key, and always then, where b is long enough.
			for _, ks := range keyWords[kind] {
				for _, k := range ks {
					g[1] = k
					got := g.guessKey(1, b)
					hit := wid == k.id && wn == k.n
					if got.n != 0 && !hit || got.n == 0 && hit && len(b) >= 24 {
						t.Fatalf("a guess of %d, %d on %q gives %d, %d; knownKey %d, %d", k.id, k.n, b, got.id, got.n, wid, wn)
					}
				}
			}
		}
	}
	matched := 0
	for _, k := range keys {
		for tail := range 30 {
			b := []byte(k + `"` + strings.Repeat(":", tail))
			check(b)
			if id, _ := knownKey(scanTop, b); id != fUnknown {
				matched++
			}
			for cut := range len(k) + 1 {
				check(b[:cut])
			}
			for i := range len(k) + 1 {
				for _, c := range []byte{b[i] ^ 0x20, b[i] + 1, 0, '"'} {
					old := b[i]
					b[i] = c
					check(b)
					b[i] = old
				}
			}
		}
	}
	if matched == 0 {
		t.Fatal("no key matched at the top level")
	}
}

// TestKeyGuess changes each byte of each key of a line, in ways that keep
// the line valid JSON, and checks that the scanner, with guesses trained
// on the line as it was, reads each changed line as it reads it without
// guesses; and the line as it was with guesses trained on each changed
// line.
func TestKeyGuess(t *testing.T) {
	changed := 0
	for i := 0; i+1 < len(guessLine); i++ {
		if guessLine[i] != '"' || guessLine[i+1] == ':' || bytes.IndexByte(guessLine[i+1:], '"') < 0 {
			continue
		}
		end := i + 1 + bytes.IndexByte(guessLine[i+1:], '"')
		if end+1 >= len(guessLine) || guessLine[end+1] != ':' {
			continue // a value, not a key
		}
		for j := i + 1; j < end; j++ {
			for _, c := range []byte{guessLine[j] ^ 0x20, guessLine[j] + 1, '_'} {
				if c == '"' || c == '\\' || c < 0x20 || c >= 0x7f {
					continue
				}
				line := bytes.Clone(guessLine)
				line[j] = c
				changed++
				for _, pair := range [][2][]byte{{guessLine, line}, {line, guessLine}} {
					train, scan := pair[0], pair[1]
					var want, got Entry
					wantOK := scanEntry(scan, &want)
					g := new(State)
					scanLine(train, &got, g, true)
					if ok := scanLine(scan, &got, g, true); ok != wantOK || ok && got != want {
						t.Fatalf("trained on %s, the scanner reads %s as %v, %+v; untrained, %v, %+v", train, scan, ok, got, wantOK, want)
					}
				}
			}
		}
	}
	if changed < 100 {
		t.Fatalf("changed %d keys' bytes, want at least 100", changed)
	}
}

// TestPrettyPlain checks prettyPlain, with the vector blocks and without,
// against a byte loop, on text of every length up to a few blocks with
// newlines and each kind of refused byte at every place.
func TestPrettyPlain(t *testing.T) {
	ref := func(b []byte) (bool, int) {
		n := bytes.Count(b, []byte("\n"))
		for _, c := range b {
			if c != '\n' && isSpecial(c) {
				return false, n
			}
		}
		return true, n
	}
	defer func(h bool) { haveBlocks = h }(haveBlocks)
	for _, blocks := range blockModes() {
		haveBlocks = blocks
		for n := 0; n <= 130; n++ {
			b := []byte(strings.Repeat("a\n  \"b\": ", n/8+1))[:n]
			for p := -1; p < n; p++ {
				for _, c := range []byte{'\n', 0, '\t', '\\', 0x80, 0xff, 0x7f, ' '} {
					c2 := bytes.Clone(b)
					if p >= 0 {
						c2[p] = c
					}
					gotOK, gotN := prettyPlain(c2)
					wantOK, wantN := ref(c2)
					if gotOK != wantOK || gotOK && gotN != wantN {
						t.Fatalf("blocks %v: prettyPlain(%q) = %v, %d; want %v, %d", blocks, c2, gotOK, gotN, wantOK, wantN)
					}
				}
			}
		}
	}
}

// TestKeyTableLimits builds key tables past each limit: an error, not a
// panic, and the package's own table is within them.
func TestKeyTableLimits(t *testing.T) {
	if keyTableErr != nil {
		t.Fatalf("the package's key table: %v", keyTableErr)
	}
	long := strings.Repeat("k", MaxKeyBytes+1)
	if _, err := newKeyTable([][]keyField{{{long, fLogName}}}, nil); err == nil || !strings.Contains(err.Error(), "want 1 to 23 bytes") {
		t.Errorf("a key of %d bytes: %v, want an error naming the limit", len(long), err)
	}
	if _, err := newKeyTable([][]keyField{{{strings.Repeat("k", MaxKeyBytes), fLogName}}}, nil); err != nil {
		t.Errorf("a key of %d bytes: %v", MaxKeyBytes, err)
	}
	var many []keyField
	for i := range MaxKeys + 1 {
		many = append(many, keyField{fmt.Sprintf("key%d", i), fLogName})
	}
	if _, err := newKeyTable([][]keyField{many}, nil); err == nil || !strings.Contains(err.Error(), "more than 64 keys") {
		t.Errorf("%d keys: %v, want an error naming the limit", len(many), err)
	}
	tab, err := newKeyTable([][]keyField{many[:MaxKeys]}, nil)
	if err != nil {
		t.Errorf("%d keys: %v", MaxKeys, err)
	}
	for _, ks := range tab[0] {
		for _, k := range ks {
			if k.slot == 0 || k.slot >= firstSlot(0) {
				t.Errorf("%d keys: key slot %d, want 1 to %d (the objects' slots start at %d)", MaxKeys, k.slot, firstSlot(0)-1, firstSlot(0))
			}
		}
	}
}
