package pipeline

import (
	"context"
	"fmt"
	"os"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// Sources are what a report reads: a snapshot directory or loose files,
// and request-log summaries (runlens summarize) to merge with them.
type Sources struct {
	Snapshot string // "" for loose files
	Inputs   snapshot.Inputs
	// Summaries are runlens.summary/v1 files, merged into the summary of
	// the request logs read.
	Summaries []string
	// KeepRequests keeps every request entry in Dataset.Requests instead
	// of summing them up as they are read (for a replay of the traffic):
	// memory then grows with the log.
	KeepRequests bool
	// BigQuery, when set, is where the request and system logs are read
	// (after the snapshot's or the files' other data, within their scope).
	BigQuery *BigQuery
}

// Load reads the sources into a Dataset whose request entries go to a
// summary (Dataset.Sink), so that memory does not grow with them. With
// neither a snapshot nor loose files, the summaries alone make the
// Dataset.
func Load(src Sources) (*model.Dataset, error) {
	var ds *model.Dataset
	var err error
	var sink model.RequestSink
	if !src.KeepRequests {
		sink = summary.New()
	}
	switch {
	case src.Snapshot != "":
		ds, err = snapshot.LoadWith(src.Snapshot, sink)
	case src.Inputs.Empty():
		ds = &model.Dataset{Skipped: map[string]int{}}
	default:
		in := src.Inputs
		in.Sink = sink
		ds, err = snapshot.Read(in)
	}
	if err != nil {
		return nil, err
	}
	if err := readSummaries(src.Summaries, ds); err != nil {
		return nil, err
	}
	if src.BigQuery != nil {
		if src.KeepRequests {
			return nil, fmt.Errorf("BigQuery: a pushdown fetches the request log's summary, not its requests, which a replay needs")
		}
		if err := loadBigQuery(context.Background(), src.BigQuery, ds); err != nil {
			return nil, err
		}
	}
	return ds, nil
}

// readSummaries merges -summary files into the dataset's summary.
func readSummaries(paths []string, ds *model.Dataset) error {
	if len(paths) == 0 {
		return nil
	}
	sum, ok := ds.Sink.(*summary.Summary)
	if !ok {
		sum = summary.New()
		ds.Sink = sum
	}
	for _, path := range paths {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		s, err := summary.Read(path, f)
		f.Close()
		if err != nil {
			return err
		}
		sum.Combine(s)
		ds.Sources = append(ds.Sources, model.Source{Path: path, Format: "summary", Items: int(s.Requests())})
	}
	return nil
}
