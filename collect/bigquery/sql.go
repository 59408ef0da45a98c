package bigquery

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
)

// Scope is what of the logs a query reads: one service (and region) in a
// window, as the readers' model.Scope, or with ByService every service.
// Empty fields read everything.
type Scope struct {
	Service, Location string
	From, To          time.Time // [From, To)
	// ByService reads every service of the window at once, each its own
	// group (Group: its name and region), as one query per service would
	// with Service and Location set, which are then ignored. Entries
	// without a service name belong to no group.
	ByService bool
}

// Group is the service and region a row of a query is about; a
// single-service query's rows all have the scope's.
type Group struct{ Service, Location string }

// columns are the SQL expressions of a request entry's fields in one
// layout.
type columns struct {
	from, where                               string
	ts, insertID, service, location, instance string
	method, url, status, reqSize, respSize    string
	userAgent, latencyNS, marker              string
}

// requestColumns gives the request log's fields in s's layout.
func (s *Source) requestColumns(sc Scope) (columns, error) {
	switch s.Layout {
	case Linked:
		lat, err := latencyNS("http_request.latency", s.LatencyType)
		if err != nil {
			return columns{}, err
		}
		return columns{
			from:      s.table(s.View),
			where:     "log_id = 'run.googleapis.com/requests' AND resource.type = 'cloud_run_revision' AND http_request IS NOT NULL",
			ts:        "timestamp",
			insertID:  "insert_id",
			service:   "COALESCE(NULLIF(JSON_VALUE(resource.labels, '$.service_name'), ''), JSON_VALUE(labels, '$.service'), '')",
			location:  "COALESCE(JSON_VALUE(resource.labels, '$.location'), '')",
			instance:  "COALESCE(JSON_VALUE(labels, '$.instanceId'), '')",
			method:    "http_request.request_method",
			url:       "http_request.request_url",
			status:    "http_request.status",
			reqSize:   "http_request.request_size",
			respSize:  "http_request.response_size",
			userAgent: "http_request.user_agent",
			latencyNS: lat,
			marker: "(STRPOS(COALESCE(text_payload, ''), @marker) > 0 OR " +
				"STRPOS(CASE WHEN json_payload IS NULL THEN '' ELSE TO_JSON_STRING(json_payload) END, @marker) > 0)",
		}, nil
	case Sink:
		if s.Requests == "" {
			return columns{}, fmt.Errorf("%s.%s has no table of Cloud Run's request log (%s)", s.Project, s.Dataset, SinkRequests)
		}
		lat, err := latencyNS("httpRequest.latency", s.LatencyType)
		if err != nil {
			return columns{}, err
		}
		from, prune := s.sinkTable(s.Requests, sc)
		return columns{
			from:      from,
			where:     "resource.type = 'cloud_run_revision' AND httpRequest IS NOT NULL" + prune,
			ts:        "timestamp",
			insertID:  "insertId",
			service:   "COALESCE(resource.labels.service_name, '')",
			location:  "COALESCE(resource.labels.location, '')",
			instance:  "COALESCE(labels.instanceId, '')",
			method:    "httpRequest.requestMethod",
			url:       "httpRequest.requestUrl",
			status:    "httpRequest.status",
			reqSize:   "httpRequest.requestSize",
			respSize:  "httpRequest.responseSize",
			userAgent: "httpRequest.userAgent",
			latencyNS: lat,
			marker:    "STRPOS(COALESCE(textPayload, ''), @marker) > 0",
		}, nil
	}
	return columns{}, fmt.Errorf("layout %v", s.Layout)
}

// table is the quoted name of a table of the source's dataset.
func (s *Source) table(name string) string {
	return "`" + s.Project + "." + s.Dataset + "." + name + "`"
}

// sinkTable is the FROM of a sink's log and the condition that prunes its
// shards (or partitions) to the scope's window.
func (s *Source) sinkTable(name string, sc Scope) (from, prune string) {
	if !s.Sharded {
		return s.table(name), ""
	}
	from = s.table(name + "_*")
	if !sc.From.IsZero() {
		prune += " AND _TABLE_SUFFIX >= '" + sc.From.UTC().Format("20060102") + "'"
	}
	if !sc.To.IsZero() {
		prune += " AND _TABLE_SUFFIX <= '" + sc.To.UTC().Format("20060102") + "'"
	}
	return from, prune
}

// timePrune is the condition on the timestamp column that lets BigQuery
// read only the partitions of the scope's window (a linked dataset's and a
// partitioned sink's are by day of timestamp): constant bounds on the
// column itself, a microsecond wider than the window, which the exact
// test on nanoseconds then cuts.
func timePrune(ts string, sc Scope) string {
	var out string
	if !sc.From.IsZero() {
		out += " AND " + ts + " >= TIMESTAMP '" + sc.From.UTC().Truncate(time.Microsecond).Format("2006-01-02 15:04:05.000000") + "+00'"
	}
	if !sc.To.IsZero() {
		out += " AND " + ts + " <= TIMESTAMP '" + sc.To.UTC().Add(time.Microsecond).Truncate(time.Microsecond).Format("2006-01-02 15:04:05.000000") + "+00'"
	}
	return out
}

// latencyNS is the SQL of a latency column's nanoseconds, by its type:
// exact from a duration string ("1.5s", nine decimals at most) and from
// seconds as FLOAT64 (nine decimals survive a double), to the
// microsecond from an INTERVAL (BigQuery's precision).
func latencyNS(col, typ string) (string, error) {
	switch typ {
	case "STRING":
		return "CAST(CAST(RTRIM(" + col + ", 's') AS NUMERIC) * 1000000000 AS INT64)", nil
	case "FLOAT", "FLOAT64":
		return "CAST(ROUND(" + col + " * 1000000000) AS INT64)", nil
	case "NUMERIC", "BIGNUMERIC":
		return "CAST(ROUND(" + col + " * 1000000000) AS INT64)", nil
	case "INTERVAL":
		x := func(part string) string { return "EXTRACT(" + part + " FROM " + col + ")" }
		return "((((" + x("DAY") + " * 24 + " + x("HOUR") + ") * 60 + " + x("MINUTE") + ") * 60 + " +
			x("SECOND") + ") * 1000000000 + " + x("MICROSECOND") + " * 1000)", nil
	}
	return "", fmt.Errorf("latency column of type %q: runlens reads INTERVAL, STRING, FLOAT64 or NUMERIC", typ)
}

// f64 writes a float64 as a GoogleSQL literal that parses back to it.
func f64(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// widthCase is the SQL of summary.Widths' narrowest width that splits secs
// seconds into at most n intervals.
func widthCase(secs string, n int64) string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, w := range summary.Widths[:len(summary.Widths)-1] {
		fmt.Fprintf(&b, " WHEN %s <= %d THEN %d", secs, n*w, w)
	}
	fmt.Fprintf(&b, " ELSE %d END", summary.Widths[len(summary.Widths)-1])
	return b.String()
}

// NoBin is the bin of a latency that goes to a sketch's zero count.
const NoBin = -1 << 31

// BinFrom is a subquery of from's rows with a column bin: the sketch bin
// of the latency in nanoseconds col (INT64), the Go summary's
// (summary.SketchIndex), NoBin for none (a latency of zero). It looks the
// latency up among the least latencies of the bins (binLows), by
// comparisons nested as a binary search: a dozen comparisons a row, where
// computing the index (a logarithm, then the cubic interpolation in IEEE
// doubles) takes more operations than some engines run in reasonable time
// (the BigQuery emulator inlines each stage of the computation in every
// later one that uses it).
func BinFrom(from, col string) string {
	return "(SELECT *, IF(" + col + " <= 0, " + strconv.Itoa(NoBin) + ", " + binSearch(col) + ") AS bin FROM " + from + ")"
}

// binLow is the least latency in ns of a sketch bin.
type binLow struct {
	ns  int64
	bin int
}

// binLows are every bin a latency of 1 ns to the greatest INT64 can go to,
// with its least latency, in order. summary.SketchIndex does not decrease
// as the latency grows (a test checks it around every bound), so a
// latency's bin is that of the last bound at or below it. A bin narrower
// than a nanosecond (below 50 ns) may have no latency, and no entry.
var binLows = sync.OnceValue(func() []binLow {
	index := func(ns int64) int {
		i, _ := summary.SketchIndex(time.Duration(ns))
		return i
	}
	top := index(math.MaxInt64)
	out := []binLow{{1, index(1)}}
	for last := out[0]; last.bin < top; {
		lo, hi := last.ns+1, int64(math.MaxInt64) // the least ns of a greater bin is in [lo, hi]
		for lo < hi {
			mid := lo + (hi-lo)/2
			if index(mid) > last.bin {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		last = binLow{lo, index(lo)}
		out = append(out, last)
	}
	return out
})

// binSearch is the SQL of the bin of the positive latency col, by binary
// search of binLows.
func binSearch(col string) string {
	lows := binLows()
	var b strings.Builder
	var search func(lo, hi int) // the bin is one of lows[lo..hi]
	search = func(lo, hi int) {
		if lo == hi {
			b.WriteString(strconv.Itoa(lows[lo].bin))
			return
		}
		mid := (lo + hi + 1) / 2
		fmt.Fprintf(&b, "IF(%s < %d, ", col, lows[mid].ns)
		search(lo, mid-1)
		b.WriteString(", ")
		search(mid, hi)
		b.WriteString(")")
	}
	search(0, len(lows)-1)
	return b.String()
}

// SummarySQL is the query that computes the request log's summary
// (runlens.summary/v1) where the logs are: one statement whose rows, each
// tagged by its kind, are the summary's parts, in the generic columns
// kind, a, b, c (strings), i (integers by position, as decimal strings:
// INT64 inside an ARRAY is not safe from a JSON number's 53 bits on every
// path), x and y (integer lists), then gs and gl, the row's Group. Every
// part is computed per group: with sc.ByService each service's summary
// comes out of the one statement, its widths, sketches and top-k (samples,
// marked requests, first requests) its own, as its own query would give
// them. Its parameters are @marker, @service, @location, @from_ns and
// @to_ns (Params; an open end is the least or the greatest INT64).
//
// It reads each entry as the log readers do: entries without a request,
// with a status outside 0 and 100 to 999, a negative size or latency are
// left out; an entry logged twice (the same insertId, timestamp, service
// and location) is counted once; the scope is applied after that. Paths
// are cut from the URLs here, decoded and bounded in Go (BuildSummary),
// which merges what decodes to the same endpoint.
func (s *Source) SummarySQL(sc Scope) (string, error) {
	c, err := s.requestColumns(sc)
	if err != nil {
		return "", err
	}
	exactEP, exactIV := summary.ExactPerEndpoint, summary.ExactPerInterval
	// The group of a row: the scope's service and region, whose entries
	// include those of no name or region, or by service each entry's own.
	// (CONCAT: an engine that infers the parameters' types from their use
	// takes a parameter alone in a select list for an INT64.)
	gs, gl := "CONCAT('', @service)", "CONCAT('', @location)"
	inScope := "(@service = '' OR service = '' OR service = @service) AND (@location = '' OR location = '' OR location = @location)"
	if sc.ByService {
		gs, gl, inScope = "service", "location", "service != ''"
	}
	r := strings.NewReplacer(
		"{ts}", c.ts, "{insert}", c.insertID, "{service}", c.service, "{location}", c.location,
		"{instance}", c.instance, "{method}", c.method, "{url}", c.url, "{status}", c.status,
		"{reqsize}", c.reqSize, "{respsize}", c.respSize, "{ua}", c.userAgent, "{lat}", c.latencyNS,
		"{marker}", c.marker, "{from}", c.from, "{where}", c.where+timePrune(c.ts, sc),
		"{e0bin}", BinFrom("e0", "lat_ns"), "{nobin}", strconv.Itoa(NoBin),
		"{width}", widthCase("secs", 7200), "{epwidth}", widthCase("secs", 240),
		"{exactEP}", strconv.Itoa(exactEP), "{exactEP1}", strconv.Itoa(exactEP+1),
		"{exactIV}", strconv.Itoa(exactIV), "{exactIV1}", strconv.Itoa(exactIV+1),
		"{early}", strconv.Itoa(summary.EarlyPerInstance), "{marked}", strconv.Itoa(summary.MaxMarked),
		"{sample}", strconv.Itoa(summary.SampleSize), "{quantum}", strconv.FormatInt(int64(summary.BillingQuantum), 10),
		"{bucket}", strconv.FormatInt(int64(summary.BusyBucket), 10),
		"{gs}", gs, "{gl}", gl, "{inscope}", inScope,
	)
	return r.Replace(summaryTemplate), nil
}

// summaryTemplate is SummarySQL's statement. Unsigned order of a hash h
// (the Go summary's) is ORDER BY IF(h < 0, 1, 0), h. It has no window
// function, and one join of the entries, to their group's widths (a row a
// group): the BigQuery emulator the tests run it on joins by nested loops
// and runs window functions in more than quadratic time. Parts side by
// side (an instance's spans and its concurrency) are a union grouped, not
// a join; a top-k of a group is an ARRAY_AGG with ORDER BY and LIMIT.
const summaryTemplate = `WITH
raw AS (
  SELECT
    UNIX_MICROS({ts}) * 1000 AS t_ns,
    COALESCE({insert}, '') AS insert_id,
    {service} AS service,
    {location} AS location,
    {instance} AS instance,
    COALESCE({method}, '') AS method,
    COALESCE({url}, '') AS url,
    COALESCE({status}, 0) AS status,
    COALESCE({reqsize}, 0) AS req_size,
    COALESCE({respsize}, 0) AS resp_size,
    COALESCE({ua}, '') AS ua,
    COALESCE({lat}, 0) AS lat_ns,
    {marker} AS marker
  FROM {from}
  WHERE {where} AND {ts} IS NOT NULL
),
valid AS (
  SELECT * FROM raw
  WHERE (status = 0 OR status BETWEEN 100 AND 999) AND req_size >= 0 AND resp_size >= 0 AND lat_ns >= 0
),
once AS (
  SELECT * FROM valid WHERE insert_id = ''
  UNION ALL
  SELECT t_ns, insert_id, service, location, ANY_VALUE(instance), ANY_VALUE(method), ANY_VALUE(url),
    ANY_VALUE(status), ANY_VALUE(req_size), ANY_VALUE(resp_size), ANY_VALUE(ua), ANY_VALUE(lat_ns), LOGICAL_OR(marker)
  FROM valid WHERE insert_id != ''
  GROUP BY t_ns, insert_id, service, location
),
scoped AS (
  -- gs, gl: the group (service and region) each entry counts in.
  SELECT
    *,
    {gs} AS gs,
    {gl} AS gl,
    t_ns + lat_ns AS end_ns,
    DIV(t_ns, 1000000000) AS sec,
    COALESCE(REGEXP_EXTRACT(url, r'^[^?#]*'), '') AS u0,
    FARM_FINGERPRINT(CONCAT(FROM_HEX(FORMAT('%016x', t_ns)), FROM_HEX(FORMAT('%016x', lat_ns)))) AS h
  FROM once
  WHERE {inscope}
    AND t_ns >= @from_ns AND t_ns < @to_ns
),
spanw AS (
  SELECT gs, gl, {width} AS width, {epwidth} AS epwidth
  FROM (SELECT gs, gl, DIV(MAX(t_ns), 1000000000) - DIV(MIN(t_ns), 1000000000) + 1 AS secs FROM scoped GROUP BY gs, gl)
),
e0 AS (
  SELECT
    *,
    CASE WHEN REGEXP_CONTAINS(u0, r'^[^/]*://')
      THEN COALESCE(REGEXP_EXTRACT(u0, r'(?s)^[^/]*://[^/]*(/.*)$'), '/')
      ELSE u0 END AS path
  FROM scoped
),
r AS (
  SELECT
    e0.* EXCEPT (u0),
    DIV(sec, spanw.width) AS ik,
    DIV(sec, spanw.epwidth) AS ek,
    DIV(end_ns, 100000000) AS end100,
    IF(DIV(status, 100) BETWEEN 1 AND 5, DIV(status, 100), 0) AS hundred,
    CASE DIV(status, 100) WHEN 2 THEN 0 WHEN 3 THEN 1 WHEN 4 THEN 2 ELSE 3 END AS cls
  FROM {e0bin} AS e0 JOIN spanw USING (gs, gl)
),
ivs AS (
  -- Each instance's intervals [arrival, arrival + latency], numbered k in
  -- their order by start then end. Arrays hold decimal strings ("s e"):
  -- some engines keep an array's integers as doubles, and the emulator
  -- takes more than linear time over arrays of STRUCTs.
  SELECT gs, gl, instance, CAST(SUBSTR(v, 1, STRPOS(v, ' ') - 1) AS INT64) AS s, CAST(SUBSTR(v, STRPOS(v, ' ') + 1) AS INT64) AS e, k
  FROM (SELECT gs, gl, instance, ARRAY_AGG(CONCAT(CAST(t_ns AS STRING), ' ', CAST(end_ns AS STRING)) ORDER BY t_ns, end_ns) AS vs
        FROM r WHERE instance != '' GROUP BY gs, gl, instance),
    UNNEST(vs) AS v WITH OFFSET AS k
),
endrank AS (
  -- Each interval's end and its rank m among the instance's ends.
  SELECT gs, gl, instance, CAST(v AS INT64) AS e, m
  FROM (SELECT gs, gl, instance, ARRAY_AGG(CAST(e AS STRING) ORDER BY e, k) AS es FROM ivs GROUP BY gs, gl, instance),
    UNNEST(es) AS v WITH OFFSET AS m
),
spanev AS (
  -- Starts and ends by time, a start before an end at the same instant
  -- (touching intervals make one span), each with its rank r among the
  -- starts (k) or the ends (m): at position p, the start of interval k has
  -- k starts and p - k ends before it, so it opens a span when 2k = p; the
  -- m-th end has m ends and p - m starts before it, and closes a span when
  -- p + 1 = 2(m + 1). (Ranking ends by (e, m) orders them as (e, k) does.)
  -- An event is "TYP R T" in its array.
  SELECT gs, gl, instance, CAST(SUBSTR(v, STRPOS(SUBSTR(v, 3), ' ') + 3) AS INT64) AS t,
    CAST(SUBSTR(v, 1, 1) AS INT64) AS typ, CAST(SUBSTR(v, 3, STRPOS(SUBSTR(v, 3), ' ') - 1) AS INT64) AS r, p
  FROM (SELECT gs, gl, instance, ARRAY_AGG(CONCAT(CAST(typ AS STRING), ' ', CAST(r AS STRING), ' ', CAST(t AS STRING)) ORDER BY t, typ, r) AS evs
        FROM (SELECT gs, gl, instance, s AS t, 0 AS typ, k AS r FROM ivs
              UNION ALL
              SELECT gs, gl, instance, e AS t, 1 AS typ, m AS r FROM endrank)
        GROUP BY gs, gl, instance),
    UNNEST(evs) AS v WITH OFFSET AS p
),
spans AS (
  -- The events that open or close a span alternate, in event order: the
  -- j-th span is the pair at 2j and 2j + 1.
  SELECT gs, gl, instance, MIN(CAST(t AS INT64)) AS s, MAX(CAST(t AS INT64)) AS e
  FROM (SELECT gs, gl, instance, ARRAY_AGG(CAST(t AS STRING) ORDER BY p) AS ts
        FROM spanev WHERE (typ = 0 AND 2 * r = p) OR (typ = 1 AND p = 2 * r + 1)
        GROUP BY gs, gl, instance),
    UNNEST(ts) AS t WITH OFFSET AS q
  GROUP BY gs, gl, instance, DIV(q, 2)
),
conc AS (
  -- The most requests in flight, as a sweep counts them: at a start, the
  -- intervals begun before it (k) and itself, less those ended by then
  -- (ends at its instant come first, but a request of no duration ends
  -- only after its own start, and after the starts before it). An event
  -- is "TYP K" in its array.
  SELECT gs, gl, instance, MAX(2 * CAST(SUBSTR(v, 3) AS INT64) + 1 - p) AS most
  FROM (SELECT gs, gl, instance, ARRAY_AGG(CONCAT(CAST(typ AS STRING), ' ', CAST(k AS STRING)) ORDER BY t, x, typ) AS evs
        FROM (SELECT gs, gl, instance, s AS t, k AS x, 0 AS typ, k FROM ivs
              UNION ALL
              SELECT gs, gl, instance, e AS t, IF(s < e, -1, k) AS x, 1 AS typ, k FROM ivs)
        GROUP BY gs, gl, instance),
    UNNEST(evs) AS v WITH OFFSET AS p
  WHERE STARTS_WITH(v, '0')
  GROUP BY gs, gl, instance
),
busy10 AS (
  SELECT gs, gl, instance, b, SUM(DIV(LEAST(e, (b + 1) * {bucket}) - GREATEST(s, b * {bucket}), 1000000)) AS busy_ms
  FROM spans, UNNEST(GENERATE_ARRAY(DIV(s, {bucket}), DIV(e - 1, {bucket}))) AS b
  WHERE e > s
  GROUP BY gs, gl, instance, b
)

SELECT 'tot' AS kind, '' AS a, '' AS b, '' AS c,
  [CAST(n AS STRING), CAST(t0 AS STRING), CAST(t1 AS STRING), CAST(last_end AS STRING), CAST(spanw.width AS STRING), CAST(spanw.epwidth AS STRING)] AS i,
  CAST([] AS ARRAY<INT64>) AS x, CAST([] AS ARRAY<INT64>) AS y, gs, gl
FROM (SELECT gs, gl, COUNT(*) AS n, MIN(t_ns) AS t0, MAX(t_ns) AS t1, MAX(end_ns) AS last_end FROM r GROUP BY gs, gl)
  JOIN spanw USING (gs, gl)

UNION ALL
SELECT 'first', f.service, f.location, '', [f.t], [], [], gs, gl
FROM (SELECT gs, gl, ARRAY_AGG(STRUCT(service, location, CAST(t_ns AS STRING) AS t) ORDER BY t_ns, service, location LIMIT 1) AS fs
      FROM r GROUP BY gs, gl),
  UNNEST(fs) AS f

UNION ALL
SELECT 'ep', method, path, '',
  [CAST(COUNT(*) AS STRING), CAST(COUNTIF(hundred = 0) AS STRING), CAST(COUNTIF(hundred = 1) AS STRING), CAST(COUNTIF(hundred = 2) AS STRING), CAST(COUNTIF(hundred = 3) AS STRING), CAST(COUNTIF(hundred = 4) AS STRING), CAST(COUNTIF(hundred = 5) AS STRING), CAST(SUM(resp_size) AS STRING), CAST(SUM(lat_ns) AS STRING), CAST(MIN(t_ns) AS STRING), CAST(MAX(t_ns) AS STRING), CAST(COUNTIF(instance = '' AND status IN (429, 503)) AS STRING), CAST(MIN(lat_ns) AS STRING), CAST(MAX(lat_ns) AS STRING)],
  IF(COUNT(*) <= {exactEP}, ARRAY_AGG(lat_ns ORDER BY lat_ns LIMIT {exactEP1}), []), [], gs, gl
FROM r GROUP BY gs, gl, method, path

UNION ALL
SELECT 'epbin', method, path, '', [CAST(SUM(IF(bin = {nobin}, k, 0)) AS STRING)],
  ARRAY_AGG(IF(bin = {nobin}, NULL, bin) IGNORE NULLS ORDER BY bin), ARRAY_AGG(IF(bin = {nobin}, NULL, k) IGNORE NULLS ORDER BY bin), gs, gl
FROM (SELECT gs, gl, method, path, bin, COUNT(*) AS k FROM r GROUP BY gs, gl, method, path, bin)
GROUP BY gs, gl, method, path HAVING SUM(k) > {exactEP}

UNION ALL
SELECT 'epi', method, path, '', [CAST(ek AS STRING), CAST(COUNT(*) AS STRING), CAST(MIN(lat_ns) AS STRING), CAST(MAX(lat_ns) AS STRING)],
  IF(COUNT(*) <= {exactIV}, ARRAY_AGG(lat_ns ORDER BY lat_ns LIMIT {exactIV1}), []), [], gs, gl
FROM r GROUP BY gs, gl, method, path, ek

UNION ALL
SELECT 'epibin', method, path, '', [CAST(ek AS STRING), CAST(SUM(IF(bin = {nobin}, k, 0)) AS STRING)],
  ARRAY_AGG(IF(bin = {nobin}, NULL, bin) IGNORE NULLS ORDER BY bin), ARRAY_AGG(IF(bin = {nobin}, NULL, k) IGNORE NULLS ORDER BY bin), gs, gl
FROM (SELECT gs, gl, method, path, ek, bin, COUNT(*) AS k FROM r GROUP BY gs, gl, method, path, ek, bin)
GROUP BY gs, gl, method, path, ek HAVING SUM(k) > {exactIV}

UNION ALL
SELECT 'iv', '', '', '', [CAST(ik AS STRING), CAST(COUNT(*) AS STRING), CAST(MIN(lat_ns) AS STRING), CAST(MAX(lat_ns) AS STRING)],
  IF(COUNT(*) <= {exactIV}, ARRAY_AGG(lat_ns ORDER BY lat_ns LIMIT {exactIV1}), []), [], gs, gl
FROM r GROUP BY gs, gl, ik

UNION ALL
SELECT 'ivbin', '', '', '', [CAST(ik AS STRING), CAST(SUM(IF(bin = {nobin}, k, 0)) AS STRING)],
  ARRAY_AGG(IF(bin = {nobin}, NULL, bin) IGNORE NULLS ORDER BY bin), ARRAY_AGG(IF(bin = {nobin}, NULL, k) IGNORE NULLS ORDER BY bin), gs, gl
FROM (SELECT gs, gl, ik, bin, COUNT(*) AS k FROM r GROUP BY gs, gl, ik, bin)
GROUP BY gs, gl, ik HAVING SUM(k) > {exactIV}

UNION ALL
SELECT 'ua', '', '', ua, [CAST(COUNT(*) AS STRING)], [], [], gs, gl FROM r GROUP BY gs, gl, ua

UNION ALL
SELECT 'epa', method, path, ua, [CAST(SUM(k) AS STRING)], ARRAY_AGG(sec ORDER BY sec), ARRAY_AGG(k ORDER BY sec), gs, gl
FROM (SELECT gs, gl, method, path, ua, sec, COUNT(*) AS k FROM r GROUP BY gs, gl, method, path, ua, sec)
GROUP BY gs, gl, method, path, ua

UNION ALL
SELECT 'epc', method, path, ua, CAST([] AS ARRAY<STRING>), ARRAY_AGG(end100 ORDER BY end100), ARRAY_AGG(k ORDER BY end100), gs, gl
FROM (SELECT gs, gl, method, path, ua, end100, COUNT(*) AS k FROM r GROUP BY gs, gl, method, path, ua, end100)
GROUP BY gs, gl, method, path, ua

UNION ALL
SELECT 'sec', '', '', '', CAST([] AS ARRAY<STRING>), ARRAY_AGG(sec ORDER BY sec), ARRAY_AGG(k ORDER BY sec), gs, gl
FROM (SELECT gs, gl, sec, COUNT(*) AS k FROM r GROUP BY gs, gl, sec)
GROUP BY gs, gl

UNION ALL
SELECT 'err', '', '', '', CAST([] AS ARRAY<STRING>), ARRAY_AGG(sec ORDER BY sec), ARRAY_AGG(k ORDER BY sec), gs, gl
FROM (SELECT gs, gl, sec, COUNT(*) AS k FROM r WHERE status >= 500 OR status = 0 GROUP BY gs, gl, sec)
GROUP BY gs, gl

UNION ALL
SELECT 'st', '', '', '', [CAST(cls AS STRING)], ARRAY_AGG(t ORDER BY t), ARRAY_AGG(k ORDER BY t), gs, gl
FROM (SELECT gs, gl, cls, DIV(sec, 10) AS t, COUNT(*) AS k FROM r GROUP BY gs, gl, cls, t)
GROUP BY gs, gl, cls

UNION ALL
SELECT 'in', '', '', instance, [CAST(COUNT(*) AS STRING), CAST(MAX(IF(marker, 1, 0)) AS STRING), CAST(MAX(end_ns) AS STRING)], [], [], gs, gl
FROM r WHERE instance != '' GROUP BY gs, gl, instance

UNION ALL
SELECT 'early', pt.method, pt.path, instance, [pt.t, pt.lat, pt.mark, pt.h], [], [], gs, gl
FROM (
  SELECT gs, gl, instance, ARRAY_AGG(STRUCT(CAST(t_ns AS STRING) AS t, CAST(lat_ns AS STRING) AS lat,
      CAST(IF(marker, 1, 0) AS STRING) AS mark, CAST(h AS STRING) AS h, method, path)
    ORDER BY t_ns, IF(h < 0, 1, 0), h LIMIT {early}) AS pts
  FROM r WHERE instance != '' GROUP BY gs, gl, instance),
  UNNEST(pts) AS pt

UNION ALL
SELECT 'busy', '', '', instance,
  [CAST(SUM(DIV(e - s + {quantum} - 1, {quantum}) * {quantum}) AS STRING), CAST(SUM(e - s) AS STRING), CAST(COUNT(s) AS STRING), CAST(MIN(s) AS STRING), CAST(MAX(e) AS STRING), CAST(MAX(most) AS STRING)], [], [], gs, gl
FROM (SELECT gs, gl, instance, s, e, CAST(NULL AS INT64) AS most FROM spans
      UNION ALL
      SELECT gs, gl, instance, NULL, NULL, most FROM conc)
GROUP BY gs, gl, instance

UNION ALL
SELECT 'busy10', '', '', instance, CAST([] AS ARRAY<STRING>), ARRAY_AGG(b ORDER BY b), ARRAY_AGG(busy_ms ORDER BY b), gs, gl
FROM busy10 WHERE busy_ms > 0 GROUP BY gs, gl, instance

UNION ALL
SELECT 'mark', pt.method, pt.path, '', [pt.t, pt.lat, '1', pt.h], [], [], gs, gl
FROM (
  SELECT gs, gl, ARRAY_AGG(STRUCT(CAST(t_ns AS STRING) AS t, CAST(lat_ns AS STRING) AS lat, CAST(h AS STRING) AS h, method, path)
    ORDER BY t_ns, IF(h < 0, 1, 0), h LIMIT {marked}) AS pts
  FROM r WHERE marker GROUP BY gs, gl),
  UNNEST(pts) AS pt

UNION ALL
SELECT 'sample', pt.method, pt.path, '', [pt.t, pt.lat, pt.mark, pt.h], [], [], gs, gl
FROM (
  SELECT gs, gl, ARRAY_AGG(STRUCT(CAST(t_ns AS STRING) AS t, CAST(lat_ns AS STRING) AS lat,
      CAST(IF(marker, 1, 0) AS STRING) AS mark, CAST(h AS STRING) AS h, method, path)
    ORDER BY IF(h < 0, 1, 0), h LIMIT {sample}) AS pts
  FROM r GROUP BY gs, gl),
  UNNEST(pts) AS pt
`

// bound is a string field as the readers bound it.
func bound(s string) string { return collect.BoundString(s) }
