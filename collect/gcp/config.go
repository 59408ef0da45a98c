package gcp

import (
	"errors"
	"fmt"
	"io"
	"time"
)

// Config says what to collect and how.
type Config struct {
	Project, Region, Service string
	// Start and End bound the window [Start, End).
	Start, End time.Time
	// ExtraFilter is a Cloud Logging filter ANDed to the log queries.
	ExtraFilter string
	// NoLogs reads no log from Cloud Logging: the snapshot's logs come
	// from elsewhere (collect -bigquery).
	NoLogs bool
	// Around also reads the metrics of the costs around the service
	// (AroundMetrics: the bytes of its logs, its network egress), as the
	// audit does.
	Around bool
	// Endpoint, when set (HOST:PORT), connects every client there without
	// credentials or TLS: a fake-gcp server. Otherwise Application Default
	// Credentials are used, with read-only scopes.
	Endpoint string
	// OutDir is the snapshot directory to write; it is created if needed.
	OutDir string
	// ClientFiles are load-test result files copied into OutDir/client.
	ClientFiles []string

	// LogCallBudget is how many ListLogEntries calls a minute to make at
	// most: Cloud Logging's entries.list quota is 60 a minute per project.
	// Zero means 60.
	LogCallBudget int
	// PageSize is the log entries asked for per call; zero means 1000, the
	// most Cloud Logging returns.
	PageSize int
	// MaxLogCalls refuses a window whose request_count metric says it needs
	// more ListLogEntries calls than this, and stops paging there (a gap in
	// the manifest) when the estimate was short. Zero means 3600 (an hour
	// at 60 calls a minute); negative means no limit.
	MaxLogCalls int
	// CallTimeout bounds each API call; zero means 60 s.
	CallTimeout time.Duration
	// ConnectWait is how long calls to a server try to reach it before the
	// first of them does (a server still starting); then they fail, naming
	// the address and the cause. Zero means DefaultConnectWait (5 s).
	ConnectWait time.Duration
	// Retry is the backoff for retried calls; zero values take defaults.
	Retry Retry
	// Progress receives progress lines for anything that takes longer
	// than a second; nil is quiet.
	Progress io.Writer
}

// Retry is an exponential backoff with jitter: the n-th consecutive
// failure of a call waits a random time in [d/2, d], d = Initial * 2^(n-1)
// capped at Max; after Attempts consecutive failures the call gives up.
type Retry struct {
	Attempts int           // zero means 8
	Initial  time.Duration // zero means 1 s
	Max      time.Duration // zero means 64 s
}

// Defaults.
const (
	DefaultLogCallBudget = 60
	DefaultPageSize      = 1000
	DefaultMaxLogCalls   = 3600
	DefaultCallTimeout   = 60 * time.Second
)

// withDefaults fills zero fields and checks the rest.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.Project == "":
		return c, errors.New("no project: give -project or set GOOGLE_CLOUD_PROJECT")
	case c.Region == "":
		return c, errors.New("no region: give -region, e.g. us-central1")
	case c.Service == "":
		return c, errors.New("no service: give -service")
	case c.Start.IsZero() || c.End.IsZero():
		return c, errors.New("no window: give -since or -start and -end")
	case !c.Start.Before(c.End):
		return c, fmt.Errorf("window %s to %s is empty: the start must come before the end", stamp(c.Start), stamp(c.End))
	case c.OutDir == "":
		return c, errors.New("no output directory: give -o DIR")
	case CheckFilter(c.ExtraFilter) != nil:
		return c, fmt.Errorf("filter %w", CheckFilter(c.ExtraFilter))
	case c.Endpoint != "" && CheckEndpoint(c.Endpoint) != nil:
		return c, fmt.Errorf("endpoint %w", CheckEndpoint(c.Endpoint))
	case c.PageSize < 0 || c.PageSize > DefaultPageSize:
		return c, fmt.Errorf("page size %d: want 1 to %d", c.PageSize, DefaultPageSize)
	case c.LogCallBudget < 0:
		return c, fmt.Errorf("log call budget %d a minute: want a positive number", c.LogCallBudget)
	}
	c.Start, c.End = c.Start.UTC(), c.End.UTC()
	c.LogCallBudget = orDefault(c.LogCallBudget, DefaultLogCallBudget)
	c.PageSize = orDefault(c.PageSize, DefaultPageSize)
	c.MaxLogCalls = orDefault(c.MaxLogCalls, DefaultMaxLogCalls)
	c.CallTimeout = orDefault(c.CallTimeout, DefaultCallTimeout)
	c.ConnectWait = orDefault(c.ConnectWait, DefaultConnectWait)
	c.Retry.Attempts = orDefault(c.Retry.Attempts, 8)
	c.Retry.Initial = orDefault(c.Retry.Initial, time.Second)
	c.Retry.Max = orDefault(c.Retry.Max, 64*time.Second)
	return c, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// stamp formats a time the way filters and manifests carry it.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
