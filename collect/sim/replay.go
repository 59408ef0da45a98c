package sim

import (
	"fmt"
	"time"

	"github.com/runlens/runlens/collect/snapshot"
	"github.com/runlens/runlens/model"
)

// Arrival is a request played again: when it reached the front end, its
// endpoint, and how long an instance works on it once it has begun (its
// warm service time: the latency it was logged with, less any wait for an
// instance to start).
type Arrival struct {
	At                        time.Time
	Method, Path, UserAgent   string
	Service                   time.Duration
	RequestSize, ResponseSize int64
	// MemoryMiB is what the request holds while in flight, where memory
	// is modelled (Platform.Memory).
	MemoryMiB float64
	// Follows, when set, makes the request follow another in the same
	// client's loop: it arrives Think after the response to arrival
	// Follows-1 (an earlier one) is sent, whenever that is in the replay,
	// instead of at At. Zero for a request that arrives at At whatever came
	// before.
	Follows int
	Think   time.Duration
	// Flight is the requests in flight on its instance when the request
	// began, itself included, as observed: with Platform.Contention, its
	// service time is scaled from there to the requests in flight it
	// begins with in the replay.
	Flight int
}

// Replay plays the arrivals on the platform as the engine plays a load
// test: each is routed to an instance with a free slot, new instances
// start when none has one, idle ones retire, min instances stay. The run
// lasts from the window's start until every request is answered and the
// window has ended; the run's window is then the one given, so that it is
// analyzed and billed as the observed run was. The same platform, arrivals
// and seed give the same run.
func Replay(p Platform, arrivals *Arrivals, window model.Window, seed uint64) (*Run, error) {
	if arrivals.Len() == 0 {
		return nil, fmt.Errorf("replay: no requests to play")
	}
	end := window.End
	for i, d := range arrivals.Offset {
		if t := arrivals.Start.Add(d + arrivals.Service[i]); t.After(end) {
			end = t
		}
	}
	// Room for the last ones to wait on a start and finish, and for
	// requests that follow others to come later than they did.
	end = end.Add(p.Startup.Hi + p.Startup.Median + 10*time.Minute)
	for i, f := range arrivals.Follows {
		if f < 0 || int(f) > i {
			return nil, fmt.Errorf("replay: arrival %d follows arrival %d, not an earlier one", i, f-1)
		}
	}
	if p.MinStart.IsZero() {
		// At the window's start, so that their starts are logged in it and
		// read as what they are (MIN_INSTANCE), not as cold starts.
		p.MinStart = window.Start
	}
	run, _, err := simulate(p, Workload{Replay: arrivals}, model.Window{Start: window.Start, End: end}, stream(seed, "replay"))
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	run.Window = window // what is analyzed and billed, as observed
	return run, nil
}

// WriteRun writes a run as a snapshot in dir, as Write writes a scenario's,
// without load-test files.
func WriteRun(dir string, run *Run, util Utilization, seed uint64) error {
	return replaySpec(run, util, seed).write(dir)
}

// RunParts are the parts of the snapshot WriteRun would write, held in
// memory (snapshot.Assemble reads them): the requests made one at a time as
// they are read, as collect reads them from their log entries, without
// the entries (Parts.Served), then the system entries (Parts.Entries).
// Their analysis is the written snapshot's.
func RunParts(run *Run, util Utilization, seed uint64) (snapshot.Parts, error) {
	sp := replaySpec(run, util, seed)
	p, files, err := sp.partsWithout()
	p.Served = run.parsedRequests()
	p.Entries = run.systemEntries(stream(sp.seed, "logs"))
	p.Manifest = run.manifest(sp.scenario, seed, files)
	return p, err
}

func replaySpec(run *Run, util Utilization, seed uint64) *snapshotSpec {
	return &snapshotSpec{scenario: "replay", seed: seed, uid: uuid(stream(seed, "replay/uid")), run: run, util: util}
}

// engineScenarios are the scenarios the engine plays, by name.
var engineScenarios = map[string]func() engineScenario{
	ContinuousColdStarts: coldStartsScenario, OrchestratorWaiting: orchestratorScenario, FatContainer: fatContainerScenario,
	ClockSkewAndStrays: clockSkewScenario, GPUInference: gpuInferenceScenario,
}

// WriteVariant is Write for a scenario played on its platform as change
// leaves it (another min-instances, billing...): what a what-if predicts
// from the scenario's own snapshot, played for real. The same draws as
// Write's are taken, and the scenario's story is not asked of the variant.
func WriteVariant(dir, scenario string, seed uint64, change func(*Platform)) error {
	mk, ok := engineScenarios[scenario]
	if !ok {
		return fmt.Errorf("simulating: %q is not a scenario the engine plays", scenario)
	}
	sc := mk()
	change(&sc.platform)
	if sc.platform.MinStart.IsZero() { // min instances the scenario did not have: up with the window
		sc.platform.MinStart = sc.window.Start
	}
	sc.check = func(*Run, *ClientRun) error { return nil }
	spec, err := sc.build(seed)
	if err != nil {
		return err
	}
	return spec.write(dir)
}
