package snapshot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"iter"
	"maps"
	"slices"

	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/model"
)

// Parts are a snapshot held in memory: what Write's files would hold, not
// yet encoded (a replay's, analyzed as many times as there are settings).
type Parts struct {
	Manifest         model.Manifest
	Requests, System []collect.LogEntry
	// Entries, when set, are every log entry, request and system alike,
	// made as they are read: Requests and System are then not read.
	Entries iter.Seq[collect.LogEntry]
	// Served, when set, are the request log's requests made as they are
	// read, never log entries (collect.AddRequests), read before Entries,
	// which then hold the system entries only.
	Served  iter.Seq[*model.Request]
	Service collect.RunService
	// Metrics are ListTimeSeries responses, each under the name of the
	// file it would be written to (MetricFile).
	Metrics map[string]collect.ListTimeSeriesResponse
}

// Assemble makes the Dataset that Load would read from the parts written
// as a snapshot: the manifest's scope, the log entries through the same
// classification (collect.AddEntries), the service and the metrics through
// their readers. Requests go to sink where it is not nil.
func Assemble(p Parts, sink model.RequestSink) (*model.Dataset, error) {
	ds := &model.Dataset{Skipped: map[string]int{}, Sink: sink, Manifest: p.Manifest}
	if err := checkWindow(p.Manifest.Window); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	m := p.Manifest
	ds.Scope = model.Scope{Service: m.Service, Region: m.Region, Window: model.Window{Start: m.Window.Start.UTC(), End: m.Window.End.UTC()}}
	if p.Served != nil {
		collect.AddRequests("requests", p.Served, ds)
	}
	if p.Entries != nil {
		collect.AddEntries("log entries", p.Entries, ds)
	} else {
		collect.AddEntries(RequestsFile, slices.Values(p.Requests), ds)
		collect.AddEntries(SystemFile, slices.Values(p.System), ds)
	}
	svc, err := json.Marshal(p.Service)
	if err != nil {
		return nil, err
	}
	if err := readFormat(ServiceFile, bytes.NewReader(svc), collect.FormatService, ds); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(p.Metrics)) { // in the order Load lists the files
		b, err := json.Marshal(p.Metrics[name])
		if err != nil {
			return nil, err
		}
		if err := readFormat(name, bytes.NewReader(b), collect.FormatTimeSeries, ds); err != nil {
			return nil, err
		}
	}
	collect.NoteRepeats(ds)
	if err := usable(ds); err != nil {
		return nil, err
	}
	return ds, nil
}
