package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/runlens/runlens/model"
)

// locustDefaultPercentiles is Locust 2.x's PERCENTILES_TO_REPORT.
var locustDefaultPercentiles = []float64{0.50, 0.66, 0.75, 0.80, 0.90, 0.95, 0.98, 0.99, 0.999, 0.9999, 1.0}

// engineScenario is a scenario played by the engine: a platform, a
// workload, the window to keep, and the story the realisation must tell.
type engineScenario struct {
	name     string
	platform Platform
	workload func(rng *rand.Rand) Workload
	window   model.Window
	util     Utilization
	prefix   string // Locust's --csv prefix
	check    func(*Run, *ClientRun) error
}

// attempts is how many realisations a seed may draw before one tells the
// scenario's story.
const attempts = 40

// build plays the scenario until a realisation passes its check, all
// draws coming from streams of the seed, and returns its snapshot.
func (sc engineScenario) build(seed uint64) (*snapshotSpec, error) {
	rng := stream(seed, sc.name)
	var last error
	for range attempts {
		run, cr, err := simulate(sc.platform, sc.workload(rng), sc.window, rng)
		if err == nil {
			err = sc.check(run, cr)
		}
		if err != nil {
			last = err
			continue
		}
		return &snapshotSpec{scenario: sc.name, seed: seed, uid: uuid(stream(seed, sc.name+"/uid")), run: run, client: cr,
			util: sc.util, prefix: sc.prefix, locust: locustOptions{percentiles: locustDefaultPercentiles, fullHistory: true}}, nil
	}
	return nil, fmt.Errorf("simulating %s with seed %d: no draw tells the scenario's story: %w", sc.name, seed, last)
}
