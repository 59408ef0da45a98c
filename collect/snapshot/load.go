package snapshot

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/analyze/summary"
	"github.com/runlens/runlens/collect"
	"github.com/runlens/runlens/collect/loadtest"
	"github.com/runlens/runlens/internal/jsonerr"
	"github.com/runlens/runlens/model"
)

// Inputs are loose files to read into one dataset.
type Inputs struct {
	Logs    []string // Cloud Logging exports: request and system entries
	Metrics []string // ListTimeSeries responses
	Service string   // a Cloud Run service resource
	Client  []string // load-test result files, sniffed
	// Tools holds the arguments of each load-test tool's flag, by
	// loadtest.Tool name: Locust --csv prefixes, or result files of that
	// tool (an error when a file is not); give one tool's at a time.
	Tools map[string][]string
	// JMeterTimeFormat is the Java SimpleDateFormat pattern of JMeter's
	// timeStamp column; empty: epoch milliseconds, or guessed.
	JMeterTimeFormat string

	// Sink, when set, takes the request entries (see model.Dataset.Sink).
	Sink model.RequestSink
	// Read tunes how log files are read (model.Dataset.Read).
	Read model.ReadOptions
}

// Empty reports whether in names no file.
func (in Inputs) Empty() bool {
	n := len(in.Logs) + len(in.Metrics) + len(in.Client)
	for _, args := range in.Tools {
		n += len(args)
	}
	return n == 0 && in.Service == ""
}

// Load reads a snapshot directory: manifest.json, the log files, metrics/,
// service.json and client/. Every file is sniffed by content, so a snapshot
// made by hand with gcloud, whatever its file names, reads the same. A
// snapshot is valid only with its manifest, which runlens collect writes
// last: without it Load fails with ErrNoManifest.
func Load(dir string) (*model.Dataset, error) { return LoadWith(dir, nil) }

// LoadWith is Load with a sink for the request entries (see
// model.Dataset.Sink); nil keeps them all in Requests.
func LoadWith(dir string, sink model.RequestSink) (*model.Dataset, error) {
	return LoadTuned(dir, sink, model.ReadOptions{})
}

// LoadTuned is LoadWith with the log files read as read says.
func LoadTuned(dir string, sink model.RequestSink, read model.ReadOptions) (*model.Dataset, error) {
	ds := &model.Dataset{Skipped: map[string]int{}, Sink: sink, Read: read}
	if err := readManifest(filepath.Join(dir, "manifest.json"), ds); err != nil {
		return nil, err
	}
	files, err := listFiles(dir, filepath.Join(dir, "metrics"))
	if err != nil {
		return nil, err
	}
	revisions := ""
	for _, f := range files {
		if filepath.Base(f) == "manifest.json" {
			continue
		}
		if filepath.Base(f) == RevisionsFile {
			revisions = f // read once the service is
			continue
		}
		if filepath.Base(f) == SummaryFile {
			if err := readSummary(f, ds); err != nil {
				return nil, err
			}
			continue
		}
		if err := readAs(f, ds, ""); err != nil {
			return nil, err
		}
	}
	if revisions != "" {
		if err := readRevisions(revisions, ds); err != nil {
			return nil, err
		}
	}
	client, err := listFiles(filepath.Join(dir, "client"))
	if err != nil {
		return nil, err
	}
	if len(client) > 0 {
		if err := readClient(client, ds); err != nil {
			return nil, err
		}
	}
	collect.NoteRepeats(ds)
	if err := usable(ds); err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", dir, err)
	}
	return ds, nil
}

// Read reads loose files into one dataset.
func Read(in Inputs) (*model.Dataset, error) {
	ds := &model.Dataset{Skipped: map[string]int{}, Sink: in.Sink, Read: in.Read}
	for _, f := range in.Logs {
		if err := readAs(f, ds, collect.FormatLogging); err != nil {
			return nil, err
		}
	}
	for _, f := range in.Metrics {
		if err := readAs(f, ds, collect.FormatTimeSeries); err != nil {
			return nil, err
		}
	}
	if in.Service != "" {
		if err := readAs(in.Service, ds, collect.FormatService); err != nil {
			return nil, err
		}
	}
	if err := readInputClient(in, ds); err != nil {
		return nil, err
	}
	collect.NoteRepeats(ds)
	if err := usable(ds); err != nil {
		return nil, err
	}
	return ds, nil
}

// readInputClient reads the client files given: sniffed (Client), and
// those of one tool's flag (Tools). Unlike a snapshot's client/ files, a
// file given that is no load-test result is an error.
func readInputClient(in Inputs, ds *model.Dataset) error {
	files, tool, err := loadtest.Expand(in.Tools)
	if err != nil {
		return err
	}
	files = append(slices.Clone(in.Client), files...)
	if len(files) == 0 {
		return nil
	}
	run, warnings, err := loadtest.ReadWith(files, loadtest.Options{Tool: tool, JMeterTimeFormat: in.JMeterTimeFormat})
	if err != nil {
		return err
	}
	setClient(ds, run, warnings)
	return nil
}

// usable fails when nothing at all was read, saying what the files held.
func usable(ds *model.Dataset) error {
	if ds.RequestCount() > 0 || len(ds.Events) > 0 || len(ds.Metrics) > 0 || ds.Client != nil || ds.Service != nil {
		return nil
	}
	var files []string
	for _, s := range ds.Sources {
		files = append(files, fmt.Sprintf("%s (%s, %d items)", s.Path, s.Format, s.Items))
	}
	msg := "nothing usable: no Cloud Run request or system log entries, metrics, service or load-test results"
	if len(files) > 0 {
		msg += " in " + strings.Join(files, ", ")
	}
	if len(ds.Skipped) > 0 {
		var kinds []string
		for _, k := range slices.Sorted(maps.Keys(ds.Skipped)) {
			kinds = append(kinds, fmt.Sprintf("%d %s", ds.Skipped[k], k))
		}
		msg += "; skipped entries: " + strings.Join(kinds, ", ")
	}
	return errors.New(msg)
}

// ErrNoManifest is returned for a snapshot directory without its
// manifest: runlens collect writes the manifest last, so its absence means
// a collection that did not finish.
var ErrNoManifest = errors.New("no " + ManifestFile)

func readManifest(path string, ds *model.Dataset) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("reading snapshot: %w", err)
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("snapshot %s: %w: runlens collect writes it last, so this collection did not finish "+
			"(interrupted, or the disk was full) and its files may be incomplete; "+
			"collect again into an empty directory (runlens collect ... -o %s-2), "+
			"or give exported files with -logs, -metrics and -service", dir, ErrNoManifest, filepath.Clean(dir))
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &ds.Manifest); err != nil {
		return jsonerr.At(path, b, err)
	}
	if ds.Manifest.Schema != model.SnapshotSchema {
		return fmt.Errorf("%s: schema %q, want %q", path, ds.Manifest.Schema, model.SnapshotSchema)
	}
	if err := checkWindow(ds.Manifest.Window); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ds.Warnings = append(ds.Warnings, ds.Manifest.Warnings...)
	m := ds.Manifest
	ds.Scope = model.Scope{Service: m.Service, Region: m.Region, Window: model.Window{Start: m.Window.Start.UTC(), End: m.Window.End.UTC()}}
	return nil
}

// checkWindow refuses a manifest window that is half given, reversed or
// empty: every figure of the report is scoped by it. A manifest without a
// window leaves it to the data.
func checkWindow(w model.Window) error {
	start, end := w.Start.UTC().Format(time.RFC3339Nano), w.End.UTC().Format(time.RFC3339Nano)
	switch {
	case w.IsZero():
		return nil
	case w.Start.IsZero() || w.End.IsZero():
		return fmt.Errorf("window.start %s and window.end %s: give both, or neither", start, end)
	case w.End.Before(w.Start):
		return fmt.Errorf("window %s to %s is reversed: its start must come before its end", start, end)
	case w.End.Equal(w.Start):
		return fmt.Errorf("window %s to %s is empty: its start must come before its end", start, end)
	}
	return collect.CheckWindow(w)
}

// listFiles returns the regular files directly inside the given directories,
// and the symbolic links to regular files (as a linked folder is followed),
// sorted; a directory that does not exist is empty.
func listFiles(dirs ...string) ([]string, error) {
	var out []string
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if isRegular(d, e) && e.Name()[0] != '.' && !isDoc(e.Name()) {
				out = append(out, filepath.Join(d, e.Name()))
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// isRegular reports whether the entry e of dir is a regular file or a
// symbolic link to one.
func isRegular(dir string, e os.DirEntry) bool {
	if e.Type()&os.ModeSymlink == 0 {
		return e.Type().IsRegular()
	}
	fi, err := os.Stat(filepath.Join(dir, e.Name()))
	return err == nil && fi.Mode().IsRegular()
}

// isDoc reports files a snapshot may carry for people, not for runlens.
func isDoc(name string) bool {
	switch filepath.Ext(name) {
	case ".md", ".txt":
		return true
	}
	return false
}

// readAs sniffs a file and reads it with the matching reader, checking that
// it holds the wanted format when one is given.
func readAs(path string, ds *model.Dataset, want collect.Format) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	text, err := collect.Decode(f)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	br := bufio.NewReaderSize(text, 64<<10)
	head, _ := br.Peek(16 << 10)
	got := collect.Sniff(head)
	if want != "" && got != want {
		return fmt.Errorf("reading %s: want %s, but the content looks like %s", path, want, describe(got))
	}
	return readFormat(path, logSource(f, br, got), got, ds)
}

// logSource is what a file of format got is read from: a regular file's
// log from the file itself, rewound, which ReadLogs maps rather than
// copies, and anything else from br, where the sniffing left it.
func logSource(f *os.File, br *bufio.Reader, got collect.Format) io.Reader {
	if got != collect.FormatLogging {
		return br
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return br
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return br
	}
	return f
}

func readFormat(path string, r io.Reader, f collect.Format, ds *model.Dataset) error {
	switch f {
	case collect.FormatLogging:
		_, err := collect.ReadLogs(path, r, ds)
		return err
	case collect.FormatTimeSeries:
		from := len(ds.Metrics)
		_, err := collect.ReadTimeSeries(path, r, ds)
		scopeSeries(path, ds, from)
		return err
	case collect.FormatService:
		svc, err := collect.ReadService(path, r)
		if err != nil {
			return err
		}
		if err := checkService(svc); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ds.Service = svc
		ds.Sources = append(ds.Sources, model.Source{Path: path, Format: "service", Items: 1})
		return nil
	case collect.FormatYAML:
		return fmt.Errorf("reading %s: this is YAML (gcloud's default output); export with --format=json", path)
	}
	ds.Warnf("%s: not a Cloud Logging, Monitoring or Cloud Run export; skipped", path)
	return nil
}

// scopeSeries leaves out the series from ds.Metrics[from:] of services or
// regions other than the scope's, with a warning naming the file.
func scopeSeries(path string, ds *model.Dataset, from int) {
	sc := ds.Scope
	if sc.Service == "" && sc.Region == "" {
		return
	}
	kept, out := ds.Metrics[:from], 0
	for _, s := range ds.Metrics[from:] {
		svc, region := s.ResourceLabels["service_name"], s.ResourceLabels["location"]
		if sc.Service != "" && svc != "" && svc != sc.Service || sc.Region != "" && region != "" && region != sc.Region {
			out++
			continue
		}
		kept = append(kept, s)
	}
	clear(ds.Metrics[len(kept):])
	ds.Metrics = kept
	if out > 0 {
		if ds.OutOfScope == nil {
			ds.OutOfScope = map[string]int{}
		}
		ds.OutOfScope["series of "+model.OutOtherService+" or "+model.OutOtherRegion] += out
		ds.Warnf("%s: %d series of other services or regions, out of scope (%s), left out of every figure", path, out, model.Scope{Service: sc.Service, Region: sc.Region})
	}
}

// checkService refuses a service whose figures no Cloud Run service has
// and that would break the cost: past 1,000 vCPUs, 1 TiB, a million
// instances or requests at once.
func checkService(s *model.ServiceConfig) error {
	switch {
	case !(s.CPU >= 0 && s.CPU <= 1000):
		return fmt.Errorf("cpu %g vCPUs: out of range (0 to 1,000)", s.CPU)
	case s.MemoryMiB < 0 || s.MemoryMiB > 1<<20:
		return fmt.Errorf("memory %d MiB: out of range (0 to 1 TiB)", s.MemoryMiB)
	case s.Concurrency < 0 || s.Concurrency > 1e6, s.MinInstances < 0 || s.MinInstances > 1e6,
		s.MaxInstances < 0 || s.MaxInstances > 1e6, s.GPUs < 0 || s.GPUs > 1000, s.Containers < 0 || s.Containers > 1000:
		return fmt.Errorf("concurrency %d, instances %d to %d, %d GPUs, %d containers: out of range",
			s.Concurrency, s.MinInstances, s.MaxInstances, s.GPUs, s.Containers)
	}
	return nil
}

func describe(f collect.Format) string {
	switch f {
	case collect.FormatLogging:
		return "Cloud Logging entries"
	case collect.FormatTimeSeries:
		return "a ListTimeSeries response"
	case collect.FormatService:
		return "a Cloud Run service"
	case collect.FormatYAML:
		return "YAML"
	}
	return "none of these"
}

// readClient reads a snapshot's client/ files, each sniffed by content,
// into the dataset's client run. Files that are not load-test results (or that
// cannot be read, with the reason) are skipped with a warning.
func readClient(files []string, ds *model.Dataset) error {
	var results []string
	for _, f := range files {
		format, err := loadtest.SniffFile(f)
		switch {
		case err != nil:
			ds.Warnf("%s: %v; skipped", f, err)
		case format == loadtest.FormatUnknown:
			ds.Warnf("%s: not a load-test result runlens reads (Locust CSV, k6 JSON or summary, JMeter JTL, vegeta results or report); skipped", f)
		default:
			results = append(results, f)
		}
	}
	if len(results) == 0 {
		return nil
	}
	run, warnings, err := loadtest.Read(results)
	if err != nil {
		return err
	}
	setClient(ds, run, warnings)
	return nil
}

// setClient puts a client run into the dataset, with a source per file.
// A run's files together give its requests (a Locust run's stats, history
// and failures files, say), so no file has a count of its own: Items is
// -1, and the client's totals are the run's.
func setClient(ds *model.Dataset, run *model.ClientRun, warnings []string) {
	ds.Warnings = append(ds.Warnings, warnings...)
	ds.Client = run
	for _, f := range run.Files {
		format, _ := loadtest.SniffFile(f)
		ds.Sources = append(ds.Sources, model.Source{Path: f, Format: string(format), Items: -1})
	}
}

// readSummary merges a snapshot's request-log summary into the dataset's.
func readSummary(path string, ds *model.Dataset) error {
	sum, ok := ds.Sink.(*summary.Summary)
	if !ok {
		return fmt.Errorf("%s: the snapshot's request log is a summary (it was read from BigQuery); its requests one by one, which this needs, are not in it", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s, err := summary.Read(path, f)
	if err != nil {
		return err
	}
	sum.Combine(s)
	ds.Sources = append(ds.Sources, model.Source{Path: path, Format: "summary", Items: int(s.Requests())})
	return nil
}

// readRevisions sets the service's traffic targets' own minimum instances
// from the snapshot's revisions.json.
func readRevisions(path string, ds *model.Dataset) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := collect.ReadRevisions(path, f, ds.Service); err != nil {
		return err
	}
	ds.Sources = append(ds.Sources, model.Source{Path: path, Format: "revisions", Items: 1})
	return nil
}
