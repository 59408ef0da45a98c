package collect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/runlens/runlens/model"
)

// ReadTimeSeries reads Cloud Monitoring time series from r, which holds a
// ListTimeSeries REST response ({"timeSeries": [...], "unit": ...}), several
// responses one after another (NDJSON pages or values back to back), or a
// bare JSON array of TimeSeries objects or responses; gzip, a BOM and UTF-16
// are handled by Decode. Each series is appended to ds.Metrics with its
// points oldest first (the API writes them newest first), a Source is
// recorded, and problems that leave the rest usable become warnings naming
// the file. It returns the number of series read. A file that holds neither
// a response nor a series is an error; an empty response ({} or a response
// with only a unit) is not.
func ReadTimeSeries(name string, r io.Reader, ds *model.Dataset) (int, error) {
	if ds == nil {
		return 0, fmt.Errorf("%s: no dataset to fill", name)
	}
	text, err := Decode(r)
	if err != nil {
		return 0, located(name, err)
	}
	data, err := io.ReadAll(text)
	if err != nil {
		return 0, located(name, err)
	}
	tr := tsReader{problems: newProblems()}
	if err := tr.read(data); err != nil {
		return 0, located(name, err)
	}
	if !tr.sawResponse && len(tr.series) == 0 {
		return 0, fmt.Errorf("%s: not a ListTimeSeries response", name)
	}
	ds.Metrics = append(ds.Metrics, tr.series...)
	ds.Warnings = append(ds.Warnings, tr.problems.warnings("timeseries "+name)...)
	ds.Sources = append(ds.Sources, model.Source{Path: name, Format: string(FormatTimeSeries), Items: len(tr.series)})
	return len(tr.series), nil
}

// tsReader holds the state of one file's reading.
type tsReader struct {
	series      []model.Series
	sawResponse bool // a value with a "timeSeries" key, or an empty response
	seen        int  // series met, read or not, to name them in warnings
	problems    *problems
	bounds      boundsCache
}

// read decodes every top-level JSON value. A syntax error after some series
// were read ends the reading with a warning; before any, it is an error.
func (tr *tsReader) read(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			err = &lineError{jsonErrorLine(data, dec, err), err}
			if len(tr.series) == 0 {
				return err
			}
			tr.problems.add("JSON errors ended the reading early", err.Error())
			return nil
		}
		tr.value(raw)
	}
	return nil
}

// jsonErrorLine returns the 1-based line where a decoding error occurred.
func jsonErrorLine(data []byte, dec *json.Decoder, err error) int {
	off := dec.InputOffset()
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
	}
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// value handles one top-level value: a response, a series, or an array of either.
func (tr *tsReader) value(raw json.RawMessage) {
	switch leadingByte(raw) {
	case '{':
		tr.object(raw)
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			tr.problems.add("arrays skipped", err.Error())
			return
		}
		for _, e := range elems {
			tr.object(e)
		}
	case 'n': // null
	default:
		tr.problems.add("values that are not JSON objects skipped", string(snippet(raw, 40)))
	}
}

func leadingByte(b []byte) byte {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// object handles an object that is a response, a series, or neither.
func (tr *tsReader) object(raw json.RawMessage) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil || keys == nil {
		tr.problems.add("values that are not JSON objects skipped", string(snippet(raw, 40)))
		return
	}
	if ts, ok := keys["timeSeries"]; ok {
		tr.response(ts, keys["unit"])
		return
	}
	if isSeries(keys) {
		tr.addSeries(raw, "")
		return
	}
	if isEmptyResponse(keys) {
		tr.sawResponse = true
		return
	}
	tr.problems.add("objects that are neither a response nor a series skipped", string(snippet(raw, 40)))
}

func isSeries(keys map[string]json.RawMessage) bool {
	for _, k := range []string{"metric", "metricKind", "valueType", "points"} {
		if _, ok := keys[k]; ok {
			return true
		}
	}
	return false
}

// isEmptyResponse reports whether an object is a ListTimeSeries response
// with no series, which the API writes as {} or with only these keys.
func isEmptyResponse(keys map[string]json.RawMessage) bool {
	for k := range keys {
		switch k {
		case "unit", "nextPageToken", "executionErrors":
		default:
			return false
		}
	}
	return true
}

// response reads the "timeSeries" array of a response.
func (tr *tsReader) response(ts, unitRaw json.RawMessage) {
	tr.sawResponse = true
	var unit string
	if unitRaw != nil {
		if err := json.Unmarshal(unitRaw, &unit); err != nil {
			tr.problems.add("response units that are not strings ignored", err.Error())
		}
	}
	var list []json.RawMessage
	if err := json.Unmarshal(ts, &list); err != nil {
		tr.problems.add("timeSeries values that are not arrays skipped", err.Error())
		return
	}
	for _, s := range list {
		tr.addSeries(s, unit)
	}
}

// seriesIn is TimeSeries as read: labels accept any scalar, points are
// decoded one by one so that a bad point costs only itself.
type seriesIn struct {
	Metric     typeLabels        `json:"metric"`
	Resource   typeLabels        `json:"resource"`
	MetricKind string            `json:"metricKind"`
	ValueType  string            `json:"valueType"`
	Unit       string            `json:"unit"`
	Points     []json.RawMessage `json:"points"`
}

// typeLabels is a metric or a monitored resource: a type and its labels.
type typeLabels struct {
	Type   string   `json:"type"`
	Labels labelMap `json:"labels"`
}

// addSeries converts one TimeSeries object and keeps it.
func (tr *tsReader) addSeries(raw json.RawMessage, unit string) {
	idx := tr.seen
	tr.seen++
	var in seriesIn
	if err := json.Unmarshal(raw, &in); err != nil {
		tr.problems.add("malformed series skipped", fmt.Sprintf("series %d: %v", idx, err))
		return
	}
	s := model.Series{
		Metric: in.Metric.Type, MetricLabels: in.Metric.Labels,
		ResourceType: in.Resource.Type, ResourceLabels: in.Resource.Labels,
		MetricKind: in.MetricKind, ValueType: in.ValueType, Unit: in.Unit,
	}
	if s.Unit == "" {
		s.Unit = unit
	}
	for j, p := range in.Points {
		if pt, ok := tr.point(&s, p, fmt.Sprintf("series %d point %d", idx, j)); ok {
			s.Points = append(s.Points, pt)
		}
	}
	slices.SortStableFunc(s.Points, func(a, b model.Point) int { return a.End.Compare(b.End) })
	tr.series = append(tr.series, s)
}

// pointIn is a WirePoint as read, with doubles that may be strings.
type pointIn struct {
	Interval TimeInterval `json:"interval"`
	Value    struct {
		BoolValue         *bool      `json:"boolValue"`
		Int64Value        *Int64     `json:"int64Value"`
		DoubleValue       *flexFloat `json:"doubleValue"`
		StringValue       *string    `json:"stringValue"`
		DistributionValue *distIn    `json:"distributionValue"`
	} `json:"value"`
}

// distIn is a DistributionValue as read.
type distIn struct {
	Count                 Int64         `json:"count"`
	Mean                  flexFloat     `json:"mean"`
	SumOfSquaredDeviation flexFloat     `json:"sumOfSquaredDeviation"`
	BucketOptions         BucketOptions `json:"bucketOptions"`
	BucketCounts          []Int64       `json:"bucketCounts"`
}

// point converts one point; false drops it (a problem is recorded).
func (tr *tsReader) point(s *model.Series, raw json.RawMessage, where string) (model.Point, bool) {
	var in pointIn
	if err := json.Unmarshal(raw, &in); err != nil {
		tr.problems.add("malformed points dropped", where+": "+err.Error())
		return model.Point{}, false
	}
	var p model.Point
	if !tr.interval(&p, in.Interval, where) {
		return model.Point{}, false
	}
	kind, ok := tr.typedValue(s, &p, &in, where)
	if ok && s.ValueType == "" {
		s.ValueType = kind
	}
	return p, ok
}

// interval sets Start and End. An invalid endTime drops the point; an
// invalid or later startTime is replaced by End.
func (tr *tsReader) interval(p *model.Point, iv TimeInterval, where string) bool {
	end, err := ParseTimestamp(iv.EndTime)
	if err == nil {
		err = checkTime(iv.EndTime, end)
	}
	if err != nil {
		tr.problems.add("points with an invalid endTime dropped", where+": "+err.Error())
		return false
	}
	p.Start, p.End = end, end
	if iv.StartTime == "" {
		return true
	}
	start, err := ParseTimestamp(iv.StartTime)
	if err == nil {
		err = checkTime(iv.StartTime, start)
	}
	switch {
	case err != nil:
		tr.problems.add("points with an invalid startTime kept with start = end", where+": "+err.Error())
	case start.After(end):
		tr.problems.add("points with startTime after endTime kept with start = end", where)
	default:
		p.Start = start
	}
	return true
}

// typedValue sets the point's value from whichever field is present and
// returns its value type.
func (tr *tsReader) typedValue(s *model.Series, p *model.Point, in *pointIn, where string) (string, bool) {
	v := &in.Value
	switch {
	case v.DistributionValue != nil:
		return "DISTRIBUTION", tr.distribution(p, v.DistributionValue, where)
	case v.Int64Value != nil:
		p.Int = int64(*v.Int64Value)
		if p.Int < 0 && s.MetricKind != "GAUGE" {
			tr.problems.add("points with a negative count dropped", where)
			return "INT64", false
		}
		return "INT64", true
	case v.DoubleValue != nil:
		if !finite(float64(*v.DoubleValue)) {
			tr.problems.add("points with a non-finite double dropped", where)
			return "DOUBLE", false
		}
		p.Double = float64(*v.DoubleValue)
		return "DOUBLE", true
	case v.BoolValue != nil:
		if *v.BoolValue {
			p.Int = 1
		}
		return "BOOL", true
	case v.StringValue != nil:
		tr.problems.add("points with a STRING value dropped (not supported)", where)
		return "STRING", false
	}
	tr.problems.add("points with no value dropped", where)
	return "", false
}

func (tr *tsReader) distribution(p *model.Point, in *distIn, where string) bool {
	wire := DistributionValue{
		Count: in.Count, Mean: float64(in.Mean), SumOfSquaredDeviation: float64(in.SumOfSquaredDeviation),
		BucketOptions: in.BucketOptions, BucketCounts: in.BucketCounts,
	}
	d, err := distributionFromWire(&wire, &tr.bounds)
	if err != nil {
		tr.problems.add("points with an invalid distribution dropped", where+": "+err.Error())
		return false
	}
	if len(in.BucketCounts) > len(d.Counts) {
		tr.problems.add("distributions with more bucket counts than buckets truncated",
			fmt.Sprintf("%s: %d counts for %d buckets", where, len(in.BucketCounts), len(d.Counts)))
	}
	p.Dist = d
	return true
}

// flexFloat is a proto3 double: a JSON number, or a string holding a number,
// "NaN", "Infinity" or "-Infinity".
type flexFloat float64

// UnmarshalJSON reads a number or a quoted number.
func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		return nil
	}
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return fmt.Errorf("double %q: %w", b, err)
	}
	*f = flexFloat(v)
	return nil
}

// labelMap holds labels as strings, whatever JSON scalar carried them, so
// that an ID too large for any integer type stays exact.
type labelMap map[string]string

// UnmarshalJSON reads an object of scalars.
func (m *labelMap) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		return nil
	}
	out := make(labelMap, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = string(bytes.TrimSpace(v))
		}
		out[k] = s
	}
	*m = out
	return nil
}

func snippet(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// problems counts what went wrong by kind, so that a file with a thousand
// bad points yields one warning per kind, with the count and the first case.
type problems struct {
	kinds []string
	count map[string]int
	first map[string]string
}

func newProblems() *problems {
	return &problems{count: map[string]int{}, first: map[string]string{}}
}

func (p *problems) add(kind, example string) {
	if p.count[kind] == 0 {
		p.kinds = append(p.kinds, kind)
		p.first[kind] = example
	}
	p.count[kind]++
}

// warnings renders one line per kind, in the order first met.
func (p *problems) warnings(context string) []string {
	var out []string
	for _, k := range p.kinds {
		out = append(out, fmt.Sprintf("%s: %d %s (first: %s)", context, p.count[k], k, p.first[k]))
	}
	return out
}
