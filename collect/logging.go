package collect

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/runlens/runlens/collect/internal/logscan"
	"github.com/runlens/runlens/internal/jsonerr"
	"github.com/runlens/runlens/model"
)

// Formats a logging export is read as (Source.Format).
const (
	formatArray  = "logging-array"  // one JSON array: gcloud --format=json, Console download
	formatNDJSON = "logging-ndjson" // one LogEntry per line: a log sink
	formatStream = "logging-stream" // pretty-printed objects one after another (jq '.[]')
)

// maxWarnings is how many warnings one file may add before the rest are
// only counted.
const maxWarnings = 20

// ColdStartMarker starts the text Cloud Run gives a request entry whose
// request made a new instance start.
const ColdStartMarker = "This request caused a new container instance to be started"

// ReadLogs reads a Cloud Logging export from r: one JSON array of LogEntry
// objects (gcloud logging read --format=json, a Console download) or one
// LogEntry per line (a log sink), plain or gzip, in UTF-8 or UTF-16. Cloud
// Run request entries become ds.Requests, system entries ds.Events, and every
// other entry is counted in ds.Skipped. Malformed entries become warnings
// naming name and the line. It returns the number of log entries read; it
// fails only when the file holds no log entry at all (YAML included), and
// then leaves ds as it was.
func ReadLogs(name string, r io.Reader, ds *model.Dataset) (int, error) {
	lr := newLogReader(name, ds)
	start := len(ds.Warnings)
	format, err := lr.read(r)
	if err != nil {
		ds.Warnings = ds.Warnings[:start]
		return 0, located(name, err)
	}
	lr.flush()
	lr.mergeShard()
	ds.Sources = append(ds.Sources, model.Source{Path: name, Format: format, Items: lr.n})
	return lr.n, nil
}

// newLogReader is the reader of one file (or one sequence of entries) into
// ds, sharing the Dataset's repeat set and scope.
func newLogReader(name string, ds *model.Dataset) *logReader {
	seen, _ := ds.Reading.(*entrySet)
	if seen == nil {
		seen = newEntrySet()
		ds.Reading = seen
	}
	lr := &logReader{name: name, ds: ds, aids: new(logscan.State), paths: new(pathCache), seen: seen}
	if !ds.Scope.IsZero() {
		lr.scope = &ds.Scope
	}
	return lr
}

// AddEntries adds log entries that are already decoded (a simulated
// replay's, held in memory) to ds as ReadLogs adds those it reads: the
// same classification, scope, repeat check and bounds, with warnings
// naming name and the entry's place from 1. It returns the number of log
// entries added.
func AddEntries(name string, entries iter.Seq[LogEntry], ds *model.Dataset) int {
	lr := newLogReader(name, ds)
	i := 0
	for e := range entries {
		i++
		lr.entry = e
		lr.handle(i, nil)
	}
	lr.flush()
	lr.mergeShard()
	ds.Sources = append(ds.Sources, model.Source{Path: name, Format: "log entries", Items: lr.n})
	return lr.n
}

// AddRequests adds requests that were never log entries (a simulated
// replay's, made as they are read) to ds as AddEntries adds those of
// request entries: the same scope check and bounds, to the Dataset's Sink
// where it has one, else to Requests. Each request's Path is read from its
// URL, as from a request entry's. A request without an InsertID is not
// checked for repeats. It returns the number of requests added.
func AddRequests(name string, reqs iter.Seq[*model.Request], ds *model.Dataset) int {
	lr := newLogReader(name, ds)
	for r := range reqs {
		lr.n++
		r.Path = urlPath(r.URL)
		lr.emit(r)
	}
	lr.flush()
	lr.mergeShard()
	ds.Sources = append(ds.Sources, model.Source{Path: name, Format: "requests", Items: lr.n})
	return lr.n
}

// logReader is the state of reading one export file.
type logReader struct {
	// The service and location of the last request checked for repeats,
	// and their hash.
	placeSvc, placeLoc string
	placeHash          uint64
	placeSet           bool
	name               string
	ds                 *model.Dataset
	entry              LogEntry // reused for every entry
	fast               logscan.Entry
	aids               *logscan.State // what the scanner carries from line to line
	paths              *pathCache     // the URLs' paths, by URL
	strs               stringTable    // the repeated strings of the requests kept (clone)
	cursor             *setCursor     // where in seen it looked last
	req                model.Request  // the fast path's request, reused
	minutes            minuteCache
	gzipped            bool        // the file is inflated as it is read
	mapped             *mappedFile // the file, when it is read through a mapping
	reqLog             string      // the last logName found to be Cloud Run's requests log
	n                  int         // log entries read (values with a logName)
	values             int         // JSON values seen, log entries or not
	skipped            map[skipKey]*int
	scope              *model.Scope // nil: every entry is in scope
	out                outCounts    // entries out of scope, by reason

	seen      *entrySet // the Dataset's entries, to find repeats
	repeats   int       // entries left out as repeats
	unchecked int       // entries not remembered: seen was full
	cuts      int       // strings cut to MaxStringBytes
	longest   int       // the longest of them, in bytes

	warnings int
	first    string // the first warning, without the file name and line
	firstAt  int    // its line, 0 for none

	// closedLate is set when the closing bracket of an array was found
	// after a malformed element had hidden it from the framer.
	closedLate bool

	stopLine int   // where reading stopped early
	stopErr  error // why: a syntax or read error

	// shard receives the requests where the Dataset has a Sink.
	shard model.RequestShard
	sunk  int // requests given to shard
	// clone is set when the entry's strings point into a reused buffer.
	clone bool
	// chunk is set for the reader of one chunk of a file read in
	// parallel: its warnings are kept in deferred, in line order, and
	// replayed by the file's reader.
	chunk    bool
	deferred []lineWarning
	// lineBase is, in a chunk's reader, the lines parsed so far; in the
	// file's, the lines of the chunks merged so far.
	lineBase int
}

// lineWarning is a warning of a chunk reader, not yet given to the Dataset.
type lineWarning struct {
	line int
	msg  string
}

// skipKey groups skipped entries: by resource type, and by log for Cloud
// Run's own resource type.
type skipKey struct{ resType, logName string }

// read reads the whole file and decides whether anything usable was in it.
func (lr *logReader) read(r io.Reader) (string, error) {
	if m := mapFile(r); m != nil {
		defer m.close()
		lr.mapped, r = m, m.br
	}
	dr, gzipped, err := decode(r)
	if err != nil {
		return "", err
	}
	lr.gzipped = gzipped
	br, ok := dr.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(dr, 64<<10)
	}
	format, err := lr.readFormat(br)
	if err != nil {
		return "", err
	}
	return format, lr.verdict(format)
}

// sequentialArrays reads arrays with the streaming decoder, as the
// parallel reading must read them: tests compare the two.
var sequentialArrays = false

// readFormat tells the layouts apart by their first bytes and reads.
func (lr *logReader) readFormat(br *bufio.Reader) (string, error) {
	lines, err := skipSpace(br)
	head, _ := br.Peek(4096)
	switch {
	case len(head) == 0 && err != nil && err != io.EOF:
		return "", err
	case len(head) == 0:
		return "", errors.New("empty file")
	case head[0] == '[' && sequentialArrays:
		lr.readValues(br, lines, true)
		return formatArray, nil
	case head[0] == '[':
		lr.readArray(br, lines)
		return formatArray, nil
	case head[0] == '{' && firstLineIsBrace(head):
		lr.readValues(br, lines, false)
		return formatStream, nil
	case head[0] == '{':
		lr.readNDJSON(br, lines)
		return formatNDJSON, nil
	case Sniff(head) == FormatYAML:
		return "", errors.New("this is YAML (gcloud's default output); export with --format=json")
	}
	return "", fmt.Errorf("not a JSON array or one JSON object per line: starts with %q", firstLine(head, 40))
}

// verdict turns what was read into the result: an error when the file held
// no log entry, warnings when it held some but not all was well.
func (lr *logReader) verdict(format string) error {
	switch {
	case lr.n > 0:
		if lr.stopErr != nil {
			lr.warnf(lr.stopLine, "stopped reading after %d entries: %v", lr.n, lr.stopErr)
		}
		return nil
	case lr.stopErr != nil:
		return &lineError{lr.stopLine, lr.stopErr}
	case lr.values == 0 && format == formatArray:
		lr.warnf(0, "empty array: no log entries")
		return nil
	case lr.first != "":
		return &lineError{lr.firstAt, fmt.Errorf("no log entries: %s", lr.first)}
	}
	return errors.New("no log entries")
}

// stop records that reading could not go on at line.
func (lr *logReader) stop(line int, err error) {
	lr.stopLine, lr.stopErr = line, err
}

// warnf adds a warning naming the file and, when known (line > 0), the
// line. Past maxWarnings, warnings are only counted.
func (lr *logReader) warnf(line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if lr.chunk {
		lr.warnings++
		if len(lr.deferred) < maxWarnings {
			lr.deferred = append(lr.deferred, lineWarning{line, msg})
		}
		return
	}
	lr.warnings++
	if lr.warnings == 1 {
		lr.first, lr.firstAt = msg, line
	}
	switch {
	case lr.warnings > maxWarnings:
	case line > 0:
		lr.ds.Warnf("%s:%d: %s", lr.name, line, msg)
	default:
		lr.ds.Warnf("%s: %s", lr.name, msg)
	}
}

// flush adds the skipped counts and the warning summary to the Dataset.
func (lr *logReader) flush() {
	if lr.warnings > maxWarnings {
		lr.ds.Warnf("%s: %d warnings in all, %d not shown", lr.name, lr.warnings, lr.warnings-maxWarnings)
	}
	if len(lr.skipped) > 0 && lr.ds.Skipped == nil {
		lr.ds.Skipped = make(map[string]int)
	}
	for k, p := range lr.skipped {
		lr.ds.Skipped[k.String()] += *p
	}
	if lr.cuts > 0 {
		lr.ds.Warnf("%s: %d strings (URLs, user agents, instance ids, texts...) longer than %d bytes were cut to it; the longest had %d bytes",
			lr.name, lr.cuts, model.MaxStringBytes, lr.longest)
	}
	lr.ds.Repeats += lr.repeats
	lr.ds.Unchecked += lr.unchecked
	if msg := lr.out.add(lr.ds); msg != "" {
		lr.ds.Warnf("%s: %s", lr.name, msg)
	}
}

// String is the key a skipped entry is counted under in Dataset.Skipped:
// the resource type, or "cloud_run_revision/stdout" and the like.
func (k skipKey) String() string {
	switch {
	case k.resType == "":
		return "unknown"
	case k.logName == "":
		return k.resType
	}
	return k.resType + "/" + shortLogID(k.logName)
}

// shortLogID returns a log name's log ID, unescaped, without Cloud Run's
// "run.googleapis.com/" prefix.
func shortLogID(logName string) string {
	_, id, ok := strings.Cut(logName, "/logs/")
	if !ok {
		return logName
	}
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	return strings.TrimPrefix(id, "run.googleapis.com/")
}

// readLine returns the next line, which stays valid until the next call; buf
// holds lines longer than br's buffer.
func readLine(br *bufio.Reader, buf []byte) ([]byte, []byte, error) {
	line, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, buf, err
	}
	buf = append(buf[:0], line...)
	for err == bufio.ErrBufferFull {
		line, err = br.ReadSlice('\n')
		buf = append(buf, line...)
	}
	return buf, buf, err
}

// readValues reads JSON values one after another with a streaming decoder:
// the elements of one array, or top-level objects.
func (lr *logReader) readValues(r io.Reader, base int, array bool) {
	s := newValueStream(r, base)
	if array {
		s.dec.Token() // the '[' seen by readFormat
	}
	for s.dec.More() {
		off := s.dec.InputOffset()
		resetEntry(&lr.entry)
		err := s.dec.Decode(&lr.entry)
		line, start := s.lineAt(off)
		if err != nil && s.dec.InputOffset() <= start {
			lr.stop(line, err) // a syntax or read error: the decoder cannot go on
			return
		}
		lr.handle(line, err)
	}
	lr.closeValues(s, array)
}

// closeValues checks what follows the values: "]" for an array, then the
// end of the file.
func (lr *logReader) closeValues(s *valueStream, array bool) {
	if array {
		off := s.dec.InputOffset()
		if _, err := s.dec.Token(); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			line, _ := s.lineAt(off)
			lr.stop(line, fmt.Errorf("array not closed: %w", err))
			return
		}
	}
	off := s.dec.InputOffset()
	if _, err := s.dec.Token(); err != io.EOF {
		line, _ := s.lineAt(off)
		lr.warnf(line, "ignored what follows the log entries")
	}
}

// handle counts one decoded value and uses it when it is a log entry.
func (lr *logReader) handle(line int, err error) {
	lr.values++
	switch {
	case lr.entry.LogName != "":
		lr.n++
	case err == nil:
		err = errors.New("not a LogEntry: no logName")
	}
	if err != nil {
		lr.warnf(line, "%s", jsonerr.Describe(err))
		return
	}
	lr.classify(line)
}

// classify sends the entry to Requests, Events or the skipped counts.
func (lr *logReader) classify(line int) {
	e := &lr.entry
	var resType string
	if e.Resource != nil {
		resType = e.Resource.Type
	}
	switch {
	case resType != "cloud_run_revision":
		lr.skip(resType, "")
	case logIs(e.LogName, "run.googleapis.com/requests"):
		lr.addRequest(line)
	case logIs(e.LogName, "run.googleapis.com/varlog/system"):
		lr.addEvent(line)
	default:
		lr.skip(resType, e.LogName)
	}
}

// skip counts a skipped entry. Counters are held by pointer and keys are
// copied, so that a decoder reusing its buffers cannot change a key.
func (lr *logReader) skip(resType, logName string) {
	k := skipKey{resType, logName}
	p := lr.skipped[k]
	if p == nil {
		if lr.skipped == nil {
			lr.skipped = make(map[skipKey]*int)
		}
		p = new(int)
		lr.skipped[skipKey{strings.Clone(resType), strings.Clone(logName)}] = p
	}
	*p++
}

// addRequest appends a Cloud Run request entry to the Dataset.
func (lr *logReader) addRequest(line int) {
	e := &lr.entry
	t, err := entryTime(e)
	if err != nil {
		lr.warnf(line, "%v", err)
		return
	}
	rl := e.Resource.Labels
	req := model.Request{
		Time:       t,
		InstanceID: e.Labels["instanceId"],
		Revision:   rl["revision_name"],
		Service:    firstNonEmpty(rl["service_name"], e.Labels["service"]),
		Location:   rl["location"],
		Trace:      e.Trace,
		InsertID:   e.InsertID,
		Severity:   e.Severity,
		ColdStart: strings.Contains(e.TextPayload, ColdStartMarker) ||
			bytes.Contains(e.JSONPayload, []byte(ColdStartMarker)),
	}
	if e.HTTPRequest == nil {
		lr.warnf(line, "no httpRequest: a request entry without its request; skipped")
		return
	}
	if err := fillHTTP(&req, e.HTTPRequest); err != nil {
		lr.warnf(line, "%v", err)
		return
	}
	lr.emit(&req)
}

// emit hands a request to the Sink where the Dataset has one, or else
// keeps it in Requests.
func (lr *logReader) emit(req *model.Request) {
	if lr.repeatedRequest(req) {
		return
	}
	lr.cutRequest(req)
	if why := scopeCheck(lr.scope, req.Service, req.Location, req.Time); why >= 0 {
		lr.out[why]++
		return
	}
	if lr.shard == nil && lr.ds.Sink != nil && !lr.chunk {
		lr.shard = lr.ds.Sink.NewShard()
	}
	if lr.shard != nil {
		lr.shard.Add(req)
		lr.sunk++
		return
	}
	if lr.clone {
		cloneRequest(req, lr.strs)
	}
	lr.ds.Requests = append(lr.ds.Requests, *req)
}

// mergeShard gives the shard of a sequential reader to the Sink: the
// file read one request after another is one chunk.
func (lr *logReader) mergeShard() {
	if lr.shard != nil {
		lr.ds.Sink.MergeChunk(lr.shard.EndChunk())
		lr.ds.Sink.Merge(lr.shard)
		lr.shard = nil
	}
	lr.ds.SunkRequests += lr.sunk
	lr.sunk = 0
}

// fillHTTP copies httpRequest into req.
func fillHTTP(req *model.Request, h *HTTPRequest) error {
	if h.Latency != "" {
		d, err := ParseDuration(h.Latency)
		if err != nil {
			return fmt.Errorf("latency: %w", err)
		}
		if d < 0 {
			return fmt.Errorf("latency %q: negative", h.Latency)
		}
		req.Latency = d
	}
	if err := checkHTTP(h.Status, int64(h.RequestSize), int64(h.ResponseSize)); err != nil {
		return err
	}
	req.Method = h.RequestMethod
	req.URL = h.RequestURL
	req.Path = urlPath(h.RequestURL)
	req.Status = h.Status
	req.RequestSize = int64(h.RequestSize)
	req.ResponseSize = int64(h.ResponseSize)
	req.UserAgent = h.UserAgent
	req.RemoteIP = h.RemoteIP
	req.Protocol = h.Protocol
	return nil
}

// checkHTTP refuses what no HTTP response has: a status outside 0 (the
// client went away) and 100 to 999, a negative size.
func checkHTTP(status int, reqSize, respSize int64) error {
	switch {
	case status != 0 && (status < 100 || status > 999):
		return fmt.Errorf("status %d: not an HTTP status", status)
	case reqSize < 0:
		return fmt.Errorf("requestSize %d: negative", reqSize)
	case respSize < 0:
		return fmt.Errorf("responseSize %d: negative", respSize)
	}
	return nil
}

// addEvent appends a Cloud Run system entry to the Dataset.
func (lr *logReader) addEvent(line int) {
	e := &lr.entry
	t, err := entryTime(e)
	if err != nil {
		lr.warnf(line, "%v", err)
		return
	}
	text := entryText(e)
	if lr.repeatedEvent(e, t, text) {
		return
	}
	if why := scopeCheck(lr.scope, e.Resource.Labels["service_name"], e.Resource.Labels["location"], t); why >= 0 {
		lr.out[why]++
		return
	}
	ev := model.InstanceEvent{
		Time:       t,
		Kind:       eventKind(text),
		InstanceID: e.Labels["instanceId"],
		Revision:   e.Resource.Labels["revision_name"],
		Text:       text,
	}
	if ev.Kind == model.EventStart {
		ev.Reason = startReason(e.Labels["scaling_reason"], text)
	}
	lr.cutEvent(&ev)
	if lr.clone {
		ev.InstanceID, ev.Revision, ev.Reason = cloneStr(ev.InstanceID), cloneStr(ev.Revision), cloneStr(ev.Reason)
		ev.Text = cloneStr(ev.Text)
	}
	lr.ds.Events = append(lr.ds.Events, ev)
}

// entryTime returns the entry's timestamp.
func entryTime(e *LogEntry) (time.Time, error) {
	if e.Timestamp == "" {
		return time.Time{}, errors.New("no timestamp")
	}
	t, err := ParseTimestamp(e.Timestamp)
	if err == nil {
		err = checkTime(e.Timestamp, t)
	}
	return t, err
}

// entryText is the entry's text: textPayload, or jsonPayload.message.
func entryText(e *LogEntry) string {
	if e.TextPayload != "" || len(e.JSONPayload) == 0 {
		return e.TextPayload
	}
	var p struct {
		Message string `json:"message"`
	}
	json.Unmarshal(e.JSONPayload, &p) // a payload that is no object has no message
	return p.Message
}

// eventPatterns classify system log texts, lower-cased, first match wins.
var eventPatterns = []struct {
	kind model.EventKind
	subs []string
}{
	{model.EventStart, []string{"starting new instance"}},
	{model.EventProbeSucceeded, []string{"probe succeeded"}},
	{model.EventProbeFailed, []string{"probe failed"}},
	{model.EventMemoryLimitExceeded, []string{"memory limit"}},
	{model.EventCrash, []string{"container called exit(", "exited with", "crash", "failed to start", "terminated on signal 9"}},
	{model.EventShutdown, []string{"shutting down", "shutdown", "shut down", "terminated"}},
}

// eventKind classifies the text of a Cloud Run system log entry.
func eventKind(text string) model.EventKind {
	lower := strings.ToLower(text)
	for _, p := range eventPatterns {
		for _, sub := range p.subs {
			if strings.Contains(lower, sub) {
				return p.kind
			}
		}
	}
	return model.EventOther
}

// startReason is labels.scaling_reason, or else the text's
// "Reason: AUTOSCALING - ..." part.
func startReason(label, text string) string {
	if label != "" {
		return label
	}
	_, r, ok := strings.Cut(text, "Reason: ")
	if !ok {
		return ""
	}
	r, _, _ = strings.Cut(r, " - ")
	return strings.TrimRight(strings.TrimSpace(r), ".")
}

// urlPath returns the path of a logged request URL, without scheme, host,
// query or fragment. It never fails: text that is no URL is kept as it is.
func urlPath(raw string) string {
	s, _ := originOf(raw)
	return s
}

// originOf is urlPath, which it returns, and the URL's "scheme://host"
// where it has one that urlPath cuts the path after ("" if not).
func originOf(raw string) (path, origin string) {
	s := cutQuery(raw)
	if i := strings.Index(s, "://"); i >= 0 && !strings.Contains(s[:i], "/") {
		j := strings.IndexByte(s[i+3:], '/')
		if j < 0 {
			return "/", ""
		}
		origin = raw[:i+3+j]
		s = s[i+3+j:]
	}
	return unescapePath(s), origin
}

// cutQuery cuts a URL before its query or fragment.
func cutQuery(s string) string {
	for i := 0; i < len(s); i++ { // strings.IndexAny, without its set built per call
		if c := s[i]; c == '?' || c == '#' {
			return s[:i]
		}
	}
	return s
}

// unescapePath decodes a path's %XX escapes, if they are valid.
func unescapePath(s string) string {
	if strings.IndexByte(s, '%') >= 0 {
		if u, err := url.PathUnescape(s); err == nil {
			return u
		}
	}
	return s
}

// pathCache is urlPath for the URLs of one file, nearly all of which have
// one scheme and host: it keeps a "scheme://host" seen, and cuts a URL
// that starts with it and a slash after it, without looking at the host.
type pathCache struct {
	origin string
	misses int // since origin was set
}

func (c *pathCache) path(raw string) string {
	if o := c.origin; o != "" && len(raw) > len(o) && raw[len(o)] == '/' && raw[:len(o)] == o {
		c.misses = 0
		return unescapePath(cutQuery(raw[len(o):]))
	}
	path, origin := originOf(raw)
	// A new origin is kept at the start, and after many misses in a row,
	// so that URLs of two hosts in turn do not copy one at every line.
	if c.misses++; origin != "" && (c.origin == "" || c.misses > 64) {
		c.origin, c.misses = strings.Clone(origin), 0
	}
	return path
}

// logIs reports whether logName ("projects/P/logs/ID", ID escaped or not)
// names the log id.
func logIs(logName, id string) bool {
	i := strings.Index(logName, "/logs/")
	return i >= 0 && unescapedEqual(logName[i+len("/logs/"):], id)
}

// unescapedEqual reports whether s, with its %XX escapes decoded, equals
// want. It does not allocate.
func unescapedEqual(s, want string) bool {
	j := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c = unhex(s[i+1])<<4 | unhex(s[i+2])
			i += 2
		}
		if j >= len(want) || want[j] != c {
			return false
		}
		j++
	}
	return j == len(want)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// resetEntry empties e for the next entry, keeping its maps and buffers.
func resetEntry(e *LogEntry) {
	res, labels := e.Resource, e.Labels
	jp, pp := e.JSONPayload[:0], e.ProtoPayload[:0]
	clear(labels)
	// HTTPRequest is not kept: a decoder leaves a pointer it was given in
	// place when the field is absent, and an entry without its request
	// must read as one.
	*e = LogEntry{Labels: labels, JSONPayload: jp, ProtoPayload: pp}
	if res != nil {
		clear(res.Labels)
		*res = MonitoredResource{Labels: res.Labels}
		e.Resource = res
	}
}

// skipSpace consumes leading white space and returns the newlines in it.
func skipSpace(br *bufio.Reader) (int, error) {
	lines := 0
	for {
		c, err := br.ReadByte()
		if err != nil {
			return lines, err
		}
		switch c {
		case '\n':
			lines++
		case ' ', '\t', '\r':
		default:
			return lines, br.UnreadByte()
		}
	}
}

// firstLineIsBrace reports whether the first line of head is a lone "{",
// as in pretty-printed objects.
func firstLineIsBrace(head []byte) bool {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	return string(bytes.TrimSpace(line)) == "{"
}

// firstLine returns up to max bytes of head's first line, for messages.
func firstLine(head []byte, max int) string {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	line = bytes.TrimSpace(line)
	if len(line) > max {
		line = line[:max]
	}
	return string(line)
}

// valueStream is a JSON decoder that can tell on which line a value
// started. Its reader keeps the bytes the decoder read past a mark.
type valueStream struct {
	dec   *json.Decoder
	r     io.Reader
	keep  []byte // the bytes read from offset mark on
	mark  int64
	lines int // lines before mark, from 1
}

func newValueStream(r io.Reader, base int) *valueStream {
	s := &valueStream{r: r, lines: base}
	s.dec = json.NewDecoder((*streamReader)(s))
	return s
}

// lineAt returns the 1-based line, and the offset, of the first byte at or
// after off that is neither white space nor a comma: where a value starts
// when off is the decoder's offset before the value. It forgets the bytes
// before off, so off must not decrease from call to call.
func (s *valueStream) lineAt(off int64) (int, int64) {
	i := int(min(max(off-s.mark, 0), int64(len(s.keep))))
	s.lines += bytes.Count(s.keep[:i], []byte("\n"))
	s.keep, s.mark = s.keep[i:], s.mark+int64(i)
	gapLines, j := 0, 0
	for ; j < len(s.keep); j++ {
		c := s.keep[j]
		if c == '\n' {
			gapLines++
		} else if c != ' ' && c != '\t' && c != '\r' && c != ',' {
			break
		}
	}
	return s.lines + gapLines + 1, s.mark + int64(j)
}

// streamReader is the valueStream seen as the decoder's reader.
type streamReader valueStream

func (r *streamReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.keep = append(r.keep, p[:n]...)
	return n, err
}

// lineError is an error at a line of a file.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string {
	return fmt.Sprintf("line %d: %s", e.line, jsonerr.Describe(e.err))
}
func (e *lineError) Unwrap() error { return e.err }

// located words a reader's error as every message does: the file, and
// the line where there is one, first ("name:LINE: ..."), then what was
// wrong.
func located(name string, err error) error {
	var le *lineError
	if errors.As(err, &le) && le.line > 0 {
		return jsonerr.In(fmt.Sprintf("%s:%d", name, le.line), le.err)
	}
	return jsonerr.In(name, err)
}

// URLPath is the path the readers key a request by: its URL without
// scheme, host, query or fragment, its %XX escapes decoded.
func URLPath(raw string) string { return urlPath(raw) }
