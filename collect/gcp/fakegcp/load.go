package fakegcp

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/monitoring/apiv3/v2/monitoringpb"
	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/runlens/runlens/collect"
)

// dataset is everything the server answers from.
type dataset struct {
	entries   []entry // sorted by timestamp, then by load order
	series    []*monitoringpb.TimeSeries
	services  []*runpb.Service
	revisions []*runpb.Revision
	// recommendations are those of every RecommendationsFile loaded.
	recommendations []*recommenderpb.Recommendation
}

// entry is a log entry with its timestamp parsed once.
type entry struct {
	pb *loggingpb.LogEntry
	ts time.Time
}

var unmarshal = protojson.UnmarshalOptions{DiscardUnknown: true}

func (d *dataset) empty() bool {
	return len(d.entries) == 0 && len(d.series) == 0 && len(d.services) == 0 && len(d.recommendations) == 0
}

// sort orders the entries as Cloud Logging returns them by default.
func (d *dataset) sort() {
	slices.SortStableFunc(d.entries, func(a, b entry) int { return a.ts.Compare(b.ts) })
}

// load reads a snapshot directory (its files and metrics/) or one file.
func (d *dataset) load(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("fake-gcp: %w", err)
	}
	if !st.IsDir() {
		return d.loadFile(path)
	}
	if projects, err := projectSnapshots(path); err != nil || len(projects) > 0 {
		if err != nil {
			return fmt.Errorf("fake-gcp: %w", err)
		}
		for _, p := range projects {
			if err := d.load(p); err != nil {
				return err
			}
		}
		return d.loadProjectRecommendations(path)
	}
	for _, dir := range []string{path, filepath.Join(path, "metrics")} {
		ents, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("fake-gcp: %w", err)
		}
		for _, e := range ents {
			if e.Type().IsRegular() && e.Name() == revisionsFile {
				if err := d.loadRevisions(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
				continue
			}
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				if err := d.loadFile(filepath.Join(dir, e.Name())); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// projectSnapshots lists the snapshot directories (those with a
// manifest.json) directly below path when path is a project's directory,
// one snapshot per service, rather than a snapshot itself; nil otherwise.
func projectSnapshots(path string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(path, "manifest.json")); err == nil {
		return nil, nil
	}
	ms, err := filepath.Glob(filepath.Join(path, "*", "manifest.json"))
	if err != nil {
		return nil, err
	}
	dirs := make([]string, len(ms))
	for i, m := range ms {
		dirs[i] = filepath.Dir(m)
	}
	return dirs, nil
}

// loadFile sniffs one file by content and reads what it holds; files of
// other kinds (the manifest, READMEs, load-test results) are ignored.
func (d *dataset) loadFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("fake-gcp: %w", err)
	}
	defer f.Close()
	text, err := collect.Decode(f)
	if err != nil {
		return fmt.Errorf("fake-gcp: reading %s: %w", path, err)
	}
	br := bufio.NewReaderSize(text, 64<<10)
	if isRecommendationsFile(path) {
		if err := eachValue(br, d.addRecommendation); err != nil {
			return fmt.Errorf("fake-gcp: reading %s: %w", path, err)
		}
		return nil
	}
	head, _ := br.Peek(16 << 10)
	switch collect.Sniff(head) {
	case collect.FormatLogging:
		err = eachValue(br, d.addEntry)
	case collect.FormatTimeSeries:
		err = eachValue(br, d.addSeriesValue)
	case collect.FormatService:
		err = d.addService(br)
	default:
		return nil
	}
	if err != nil {
		return fmt.Errorf("fake-gcp: reading %s: %w", path, err)
	}
	return nil
}

// eachValue calls fn for every JSON value of r: the elements of a top-level
// array, or values one after another (NDJSON included).
func eachValue(r io.Reader, fn func(json.RawMessage) error) error {
	dec := json.NewDecoder(r)
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '[' {
			var elems []json.RawMessage
			if err := json.Unmarshal(t, &elems); err != nil {
				return fmt.Errorf("value %d: %w", n, err)
			}
			for i, e := range elems {
				if err := fn(e); err != nil {
					return fmt.Errorf("value %d, element %d: %w", n, i+1, err)
				}
			}
			continue
		}
		if err := fn(raw); err != nil {
			return fmt.Errorf("value %d: %w", n, err)
		}
	}
	return nil
}

func (d *dataset) addEntry(raw json.RawMessage) error {
	e := &loggingpb.LogEntry{}
	if err := unmarshal.Unmarshal(raw, e); err != nil {
		return err
	}
	if e.GetTimestamp() == nil {
		return errors.New("log entry without a timestamp")
	}
	d.entries = append(d.entries, entry{pb: e, ts: e.GetTimestamp().AsTime()})
	return nil
}

// addSeriesValue reads a ListTimeSeries response or one TimeSeries.
func (d *dataset) addSeriesValue(raw json.RawMessage) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return err
	}
	if _, ok := keys["timeSeries"]; !ok {
		ts := &monitoringpb.TimeSeries{}
		if err := unmarshal.Unmarshal(raw, ts); err != nil {
			return err
		}
		d.series = append(d.series, ts)
		return nil
	}
	resp := &monitoringpb.ListTimeSeriesResponse{}
	if err := unmarshal.Unmarshal(raw, resp); err != nil {
		return err
	}
	for _, ts := range resp.GetTimeSeries() {
		if ts.GetUnit() == "" {
			ts.Unit = resp.GetUnit()
		}
		d.series = append(d.series, ts)
	}
	return nil
}

// addService reads a v2 Service; the v1 (Knative) shape is converted
// through collect.ReadService.
func (d *dataset) addService(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	svc := &runpb.Service{}
	if err := unmarshal.Unmarshal(b, svc); err == nil && svc.GetTemplate() != nil {
		d.services = append(d.services, svc)
		return nil
	}
	cfg, err := collect.ReadService("service", bytes.NewReader(b))
	if err != nil {
		return err
	}
	d.services = append(d.services, serviceFromConfig(cfg))
	return nil
}

// isRecommendationsFile reports whether a file holds recommendations, by
// its name: RecommendationsFile, gzipped or not.
func isRecommendationsFile(path string) bool {
	base := filepath.Base(path)
	return base == RecommendationsFile || base == RecommendationsFile+".gz"
}

// loadProjectRecommendations reads the RecommendationsFile of a project's
// directory, if it has one: the project's recommendations sit beside its
// services' snapshots.
func (d *dataset) loadProjectRecommendations(dir string) error {
	for _, name := range []string{RecommendationsFile, RecommendationsFile + ".gz"} {
		path := filepath.Join(dir, name)
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			if err := d.loadFile(path); err != nil {
				return err
			}
		}
	}
	return nil
}

// addRecommendation reads one Recommendation; unknown fields are refused,
// so that a misspelt field is an error rather than a recommendation
// without it, and so is one whose name does not say where it belongs.
func (d *dataset) addRecommendation(raw json.RawMessage) error {
	r := &recommenderpb.Recommendation{}
	if err := protojson.Unmarshal(raw, r); err != nil {
		return err
	}
	parent, id, ok := strings.Cut(r.GetName(), "/recommendations/")
	if !ok || id == "" {
		return fmt.Errorf("recommendation name %q: want projects/P/locations/L/recommenders/R/recommendations/ID", r.GetName())
	}
	if _, err := parseRecommenderParent(parent); err != nil {
		return fmt.Errorf("recommendation %s: %w", r.GetName(), err)
	}
	d.recommendations = append(d.recommendations, r)
	return nil
}
