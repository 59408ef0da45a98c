package bigquery

import (
	"context"
	"maps"
	"net/http"
	"strings"
	"sync"

	bq "cloud.google.com/go/bigquery"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

// Calls counts the BigQuery REST calls a client made, by method
// ("bigquery.jobs.insert", "bigquery.tables.get", ...).
type Calls struct {
	mu sync.Mutex
	n  map[string]int
}

// Map returns a copy of the counts.
func (c *Calls) Map() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

func (c *Calls) add(method string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[method]++
}

// Dial makes a client of project's jobs that counts its calls: with
// endpoint (a BigQuery emulator's URL) without credentials, else Google's
// with the application default credentials.
func Dial(ctx context.Context, project, endpoint string) (*bq.Client, *Calls, error) {
	var opts []option.ClientOption
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint), option.WithoutAuthentication())
	}
	calls := &Calls{}
	rt, err := htransport.NewTransport(ctx, counting{base: http.DefaultTransport, calls: calls},
		append(opts, option.WithScopes(bq.Scope))...)
	if err != nil {
		return nil, nil, err
	}
	c, err := bq.NewClient(ctx, project, append(opts, option.WithHTTPClient(&http.Client{Transport: rt}))...)
	if err != nil {
		return nil, nil, err
	}
	return c, calls, nil
}

// counting counts each request by the REST method it calls.
type counting struct {
	base  http.RoundTripper
	calls *Calls
}

func (t counting) RoundTrip(r *http.Request) (*http.Response, error) {
	t.calls.add(restMethod(r.Method, r.URL.Path))
	return t.base.RoundTrip(r)
}

// restMethod names the BigQuery v2 method of a request path
// (.../projects/P/datasets/D/tables/T, .../projects/P/jobs/J, ...).
func restMethod(verb, path string) string {
	_, rest, _ := strings.Cut(path, "/projects/")
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	// parts: P, collection, id, collection, id...
	var coll string
	var id bool
	for i := 1; i < len(parts); i += 2 {
		coll, id = parts[i], i+1 < len(parts)
	}
	switch {
	case coll == "queries" && verb == http.MethodPost:
		return "bigquery.jobs.query"
	case coll == "queries":
		return "bigquery.jobs.getQueryResults"
	case coll == "data" || strings.HasSuffix(path, "/data"):
		return "bigquery.tabledata.list"
	case coll == "" || len(parts) < 2:
		return "bigquery." + strings.ToLower(verb)
	}
	switch {
	case verb == http.MethodPost && !id:
		return "bigquery." + coll + ".insert"
	case verb == http.MethodGet && !id:
		return "bigquery." + coll + ".list"
	case verb == http.MethodGet:
		return "bigquery." + coll + ".get"
	}
	return "bigquery." + coll + "." + strings.ToLower(verb)
}
