package fakegcp

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Cloud Logging's page sizes: the default, and the most one page holds.
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// loggingServer is the Cloud Logging LoggingServiceV2 service.
type loggingServer struct {
	loggingpb.UnimplementedLoggingServiceV2Server
	s *Server
}

// ListLogEntries answers one page of the entries that match the request's
// resource names and filter, oldest first unless ordered "timestamp desc".
func (l *loggingServer) ListLogEntries(ctx context.Context, req *loggingpb.ListLogEntriesRequest) (*loggingpb.ListLogEntriesResponse, error) {
	l.s.count("ListLogEntries")
	q, err := parseQuery(req)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	tok, err := parseToken(req.GetPageToken(), q.hash)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	f := l.s.take("ListLogEntries", tok.offset/q.pageSize+1, req.GetFilter())
	if err := f.apply(ctx); err != nil {
		return nil, err
	}
	matched, err := l.s.matches(q)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	resp := &loggingpb.ListLogEntriesResponse{}
	if f != nil && f.EmptyPage {
		resp.NextPageToken = pageToken{offset: tok.offset, nonce: tok.nonce + 1, hash: q.hash}.String()
		return resp, nil
	}
	end := min(tok.offset+q.pageSize, len(matched))
	for _, i := range matched[min(tok.offset, end):end] {
		resp.Entries = append(resp.Entries, l.s.data.entries[i].pb)
	}
	if end < len(matched) {
		resp.NextPageToken = pageToken{offset: end, hash: q.hash}.String()
		if f != nil && f.BreakToken {
			resp.NextPageToken = "broken" + resp.NextPageToken
		}
	}
	return resp, nil
}

// query is a parsed ListLogEntries request.
type query struct {
	projects []string // "projects/P/logs/" prefixes of the log names searched
	filter   filter
	desc     bool
	pageSize int
	hash     uint64
}

func parseQuery(req *loggingpb.ListLogEntriesRequest) (*query, error) {
	q := &query{pageSize: int(req.GetPageSize())}
	switch {
	case q.pageSize < 0:
		return nil, fmt.Errorf("page_size %d is negative", q.pageSize)
	case q.pageSize == 0:
		q.pageSize = defaultPageSize
	case q.pageSize > maxPageSize:
		return nil, fmt.Errorf("page_size %d is over the maximum of %d", q.pageSize, maxPageSize)
	}
	if len(req.GetResourceNames()) == 0 {
		return nil, fmt.Errorf("resource_names is empty")
	}
	for _, r := range req.GetResourceNames() {
		p := strings.Split(r, "/")
		if len(p) != 2 || p[0] != "projects" || p[1] == "" {
			return nil, fmt.Errorf("resource name %q: fake-gcp serves projects/P only", r)
		}
		q.projects = append(q.projects, r+"/logs/")
	}
	switch strings.Join(strings.Fields(strings.ToLower(req.GetOrderBy())), " ") {
	case "", "timestamp asc", "timestamp":
	case "timestamp desc":
		q.desc = true
	default:
		return nil, fmt.Errorf("order_by %q: want \"timestamp asc\" or \"timestamp desc\"", req.GetOrderBy())
	}
	f, err := parseFilter(req.GetFilter())
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	for _, c := range f {
		if !knownLogField(c.field) {
			return nil, fmt.Errorf("filter: fake-gcp cannot filter on %q", c.field)
		}
	}
	q.filter = f
	q.hash = requestHash(append(slices.Clone(req.GetResourceNames()), req.GetFilter(), req.GetOrderBy(), strconv.Itoa(q.pageSize))...)
	return q, nil
}

// matches returns the indexes of the entries a query selects, in the
// order it asks for, computing them once per distinct query.
func (s *Server) matches(q *query) ([]int, error) {
	s.mu.Lock()
	m, ok := s.cache[q.hash]
	s.mu.Unlock()
	if ok {
		return m, nil
	}
	m = []int{}
	for i, e := range s.data.entries {
		if !hasAnyPrefix(e.pb.GetLogName(), q.projects) {
			continue
		}
		ok, err := q.filter.match(logGetter(e))
		if err != nil {
			return nil, err
		}
		if ok {
			m = append(m, i)
		}
	}
	if q.desc {
		slices.Reverse(m)
	}
	s.mu.Lock()
	if len(s.cache) > 16 {
		clear(s.cache)
	}
	s.cache[q.hash] = m
	s.mu.Unlock()
	return m, nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// knownLogField reports whether logGetter knows a field.
func knownLogField(f string) bool {
	switch f {
	case "logName", "log_name", "timestamp", "receiveTimestamp", "severity", "insertId", "trace", "spanId",
		"textPayload", "resource.type", "httpRequest.status", "httpRequest.requestMethod",
		"httpRequest.requestUrl", "httpRequest.userAgent", "httpRequest.remoteIp", "httpRequest.protocol":
		return true
	}
	for _, p := range []string{"resource.labels.", "labels.", "jsonPayload."} {
		if strings.HasPrefix(f, p) && len(f) > len(p) {
			return true
		}
	}
	return false
}

// logGetter reads the fields of a log entry that filters compare.
func logGetter(e entry) getter {
	pb := e.pb
	return func(field string) (string, kind, bool) {
		h := pb.GetHttpRequest()
		switch field {
		case "logName", "log_name":
			n, err := url.PathUnescape(pb.GetLogName())
			if err != nil {
				n = pb.GetLogName()
			}
			return n, kindLogName, true
		case "timestamp":
			return e.ts.Format(time.RFC3339Nano), kindTime, true
		case "receiveTimestamp":
			return pb.GetReceiveTimestamp().AsTime().Format(time.RFC3339Nano), kindTime, pb.GetReceiveTimestamp() != nil
		case "severity":
			return pb.GetSeverity().String(), kindSeverity, true
		case "insertId":
			return pb.GetInsertId(), kindString, pb.GetInsertId() != ""
		case "trace":
			return pb.GetTrace(), kindString, pb.GetTrace() != ""
		case "spanId":
			return pb.GetSpanId(), kindString, pb.GetSpanId() != ""
		case "textPayload":
			return pb.GetTextPayload(), kindString, pb.GetTextPayload() != ""
		case "resource.type":
			return pb.GetResource().GetType(), kindString, pb.GetResource() != nil
		case "httpRequest.status":
			return strconv.Itoa(int(h.GetStatus())), kindNumber, h != nil
		case "httpRequest.requestMethod":
			return h.GetRequestMethod(), kindString, h != nil
		case "httpRequest.requestUrl":
			return h.GetRequestUrl(), kindString, h != nil
		case "httpRequest.userAgent":
			return h.GetUserAgent(), kindString, h != nil
		case "httpRequest.remoteIp":
			return h.GetRemoteIp(), kindString, h != nil
		case "httpRequest.protocol":
			return h.GetProtocol(), kindString, h != nil
		}
		return labelField(pb, field)
	}
}

// labelField reads resource.labels.K, labels.K and jsonPayload.K (top-level
// string values).
func labelField(pb *loggingpb.LogEntry, field string) (string, kind, bool) {
	if k, ok := strings.CutPrefix(field, "resource.labels."); ok {
		v, ok := pb.GetResource().GetLabels()[k]
		return v, kindString, ok
	}
	if k, ok := strings.CutPrefix(field, "labels."); ok {
		v, ok := pb.GetLabels()[k]
		return v, kindString, ok
	}
	if k, ok := strings.CutPrefix(field, "jsonPayload."); ok {
		v, ok := pb.GetJsonPayload().GetFields()[k]
		if !ok {
			return "", kindString, false
		}
		return fmt.Sprint(v.AsInterface()), kindString, true
	}
	return "", kindString, false
}
