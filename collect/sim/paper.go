package sim

import (
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// PaperMobileNet is the published MobileNetV2 benchmark
// (fixtures/paper-mobilenet): a Flask image classifier on Cloud Run (1 vCPU, 2 GiB, port 5000) under a
// Locust run of 425 requests in about 97 s, whose client statistics equal
// the published tables.
const PaperMobileNet = "paper-mobilenet"

// The scenario's parameters.
var (
	paperStart  = time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC)
	paperWindow = windowOf(paperStart.Add(-30*time.Second), paperStart.Add(400*time.Second))

	// 5 users spawned at 5/s (each first request waits on the cold start),
	// wait_time = between(0, 0.05), -t 96s --stop-timeout 10.
	paperLoad = LoadTest{Start: paperStart, Users: 5, SpawnRate: 5, WaitMax: 50 * time.Millisecond, RunTime: 96 * time.Second}

	// PERCENTILES_TO_REPORT as the benchmark's published table has them.
	paperPercentiles = []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0}

	paperUtilization = Utilization{
		CPUStarting: [2]float64{0.70, 0.95}, // loading TensorFlow and the model
		CPUServing:  [2]float64{0.60, 0.95},
		CPUIdle:     [2]float64{0.002, 0.03}, // CPU is throttled outside requests
		Memory:      [2]float64{0.85, 0.93},  // the model holds most of the 2 GiB
	}
)

func paperService() Service {
	return Service{
		Project: "runlens-demo", Region: "europe-west1", Name: "mobilenet", Revision: "mobilenet-00001-kav",
		URL:   "https://mobilenet-6ypcyxkpwq-ew.a.run.app",
		Image: "europe-west1-docker.pkg.dev/runlens-demo/models/mobilenet@sha256:4c1d6d0f2a8e5b7c9e3f1a2b4d6c8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d",
		Port:  5000, CPU: "1", Memory: "2Gi", Concurrency: 80, MinInstances: 0, MaxInstances: 100,
		RequestBilling: true,
	}
}

// The published client statistics (ms) the scenario must reproduce.
type endpointTable struct {
	method, name                              string
	requests, avg, min, max, median, p95, p99 int64
}

var paperTable = []endpointTable{
	{"GET", "/", 90, 770, 104, 18287, 580, 1100, 18000},
	{"POST", "/predict", 335, 1198, 132, 21187, 700, 1300, 18000},
	{"", "Aggregated", 425, 1107, 104, 21187, 680, 1300, 18000},
}

// paper is one realisation of the scenario.
type paper struct {
	seed   uint64
	client *ClientRun
	run    *Run
}

// buildPaper draws latencies that give the published statistics, plays the
// Locust users with them, and derives what Cloud Run saw. Draws that miss
// the published numbers are drawn again, deterministically.
func buildPaper(seed uint64) (*paper, error) {
	latRNG, clientRNG, serverRNG := stream(seed, "latency"), stream(seed, "client"), stream(seed, "server")
	for range 50 {
		get, post, err := paperLatencies(latRNG)
		if err != nil {
			continue
		}
		for range 400 {
			cr, err := paperLoad.Run(paperTasks(clientRNG, get, post), clientRNG)
			if err != nil || checkPaperClient(cr) != nil {
				continue
			}
			run, err := paperServer(serverRNG, cr)
			if err != nil {
				continue
			}
			return &paper{seed: seed, client: cr, run: run}, nil
		}
	}
	return nil, fmt.Errorf("simulating %s with seed %d: no draw reproduces the published statistics", PaperMobileNet, seed)
}

// stream returns a random source for one part of a scenario, so that the
// parts draw independently of each other.
func stream(seed uint64, part string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(part))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// paperLatencies draws the client latencies of the 90 GET / and 335 POST
// /predict requests. The order statistics Locust reports are pinned by
// segments: the exact min, the requests around each median, the ones
// around the 95th percentile, the few slow ones after the cold start and
// the five that waited for it (17.5 to 21.2 s, so that the 99th percentile
// is the 18,000 ms bucket); the rest are shaped to give the published means.
func paperLatencies(rng *rand.Rand) (get, post []time.Duration, err error) {
	getMs, err := fitSegments(rng, []segment{
		{n: 1, lo: 104.05, hi: 104.45},           // the min
		{n: 43, lo: 108, hi: 574.5, flex: true},  //
		{n: 2, lo: 576, hi: 584},                 // ranks 44 and 45: the median bucket, 580
		{n: 37, lo: 586, hi: 1049.5, flex: true}, //
		{n: 4, lo: 1051, hi: 1148},               // the 95th percentile bucket, 1100
		{n: 2, lo: 1400, hi: 3000},               // slow while the first instance caught up
		{n: 1, lo: 18287.05, hi: 18287.45},       // waited for the cold start: the max
	}, 90*770)
	if err != nil {
		return nil, nil, err
	}
	get = toDurations(getMs)
	// The aggregate median is rank 212 of 425: put exactly 210 requests
	// below the 680 bucket and at least four in it.
	k := 209 - below(get, 675)
	if k < 100 || 166-k < 8 {
		return nil, nil, errors.New("GET latencies leave no room for the aggregate median")
	}
	postMs, err := fitSegments(rng, []segment{
		{n: 1, lo: 132.05, hi: 132.45},              // the min
		{n: k, lo: 135, hi: 674.5, flex: true},      //
		{n: 4, lo: 676, hi: 684},                    // the aggregate median bucket, 680
		{n: 162 - k, lo: 685.5, hi: 694.5},          //
		{n: 1, lo: 695.6, hi: 704.4},                // rank 167: the median bucket, 700
		{n: 106, lo: 705.5, hi: 1249.5, flex: true}, //
		{n: 45, lo: 1250.5, hi: 1349.5},             // the 95th percentile bucket, 1300
		{n: 12, lo: 1400, hi: 9000, shape: 1.4},     // slow while the first instance caught up
		{n: 1, lo: 17620, hi: 17950},                // waited for the cold start
		{n: 1, lo: 18600, hi: 20400},
		{n: 1, lo: 19400, hi: 21000},
		{n: 1, lo: 21187.05, hi: 21187.45}, // the max
	}, 335*1198)
	if err != nil {
		return nil, nil, err
	}
	return get, toDurations(postMs), nil
}

// coldLatency separates the requests that waited for the first instance.
const coldLatency = 17500 * time.Millisecond

// slowLatency marks the requests that came right after the cold start,
// while the first instance was still catching up.
const slowLatency = 1350 * time.Millisecond

// paperTasks orders the latencies as the users will send them: one
// request per user waits for the cold start; then come the slow ones, while
// the first instance serves alone and catches up; then, while the second
// and third instances start, requests drawn from the slowest part; then the
// rest, in random order: with three instances up the service is steady.
func paperTasks(rng *rand.Rand, get, post []time.Duration) []Task {
	const busyShare, busyTasks = 0.4, 40
	var cold, slow, busy, rest []Task
	add := func(method, name string, lat []time.Duration) {
		steady := 0
		for _, d := range lat {
			if d < slowLatency {
				steady++
			}
		}
		for i, d := range lat { // sorted, fastest first
			t := paperTask(rng, method, name, d)
			switch {
			case d >= coldLatency:
				cold = append(cold, t)
			case d >= slowLatency:
				slow = append(slow, t)
			case float64(i) >= float64(steady)*(1-busyShare):
				busy = append(busy, t)
			default:
				rest = append(rest, t)
			}
		}
	}
	add("GET", "/", get)
	add("POST", "/predict", post)
	for _, ts := range [][]Task{cold, slow, busy} {
		rng.Shuffle(len(ts), func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
	}
	rest = append(rest, busy[busyTasks:]...)
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	return slices.Concat(cold, slow, busy[:busyTasks], rest)
}

// labels are ImageNet classes the classifier answers with.
var labels = []string{"tabby", "golden_retriever", "Egyptian_cat", "sports_car", "espresso", "banana",
	"pizza", "goldfish", "Labrador_retriever", "mountain_bike", "tiger_cat", "daisy"}

// Sizes of the scenario's HTTP messages, in bytes.
const (
	healthBody      = len(`{"model": "MobileNetV2", "status": "ok"}`)
	getRequestBytes = 243 // request line and headers of python-requests, with Google's front-end headers
	uploadOverhead  = 571 // headers and multipart framing around the image
	responseHeaders = 189 // status line and headers of gunicorn's response
)

func paperTask(rng *rand.Rand, method, name string, d time.Duration) Task {
	if method == "GET" {
		return Task{Method: method, Name: name, Latency: d, ContentLength: int64(healthBody), RequestSize: getRequestBytes}
	}
	body := fmt.Sprintf(`{"class_id": %d, "class_name": %q, "confidence": %.4f}`,
		rng.IntN(1000), labels[rng.IntN(len(labels))], 0.35+0.64*rng.Float64())
	image := 40_000 + rng.Int64N(80_000)
	return Task{Method: method, Name: name, Latency: d, ContentLength: int64(len(body)), RequestSize: image + uploadOverhead}
}

// checkPaperClient checks the client's Locust statistics against the
// published tables.
func checkPaperClient(cr *ClientRun) error {
	s := finalStats(cr, paperPercentiles)
	for _, want := range paperTable {
		e := s.total
		if want.method != "" {
			e = s.entries[[2]string{want.name, want.method}]
		}
		if e == nil {
			return fmt.Errorf("no %s %s requests", want.method, want.name)
		}
		med, _ := e.medianValue()
		got := endpointTable{want.method, want.name, e.numRequests, pyRound(e.totalRT / float64(e.numRequests)),
			pyRound(e.minRT), pyRound(e.maxRT), int64(med), e.percentile(0.95), e.percentile(0.99)}
		if got != want || e.percentile(0.5) != want.median {
			return fmt.Errorf("%s %s: got %+v, want %+v", want.method, want.name, got, want)
		}
	}
	if rps := float64(len(cr.Calls)) / (unixFloat(cr.LastDone()) - unixFloat(cr.Test.Start)); math.RoundToEven(rps*10) != 44 {
		return fmt.Errorf("%.3f requests/s, want 4.4", rps)
	}
	return nil
}

func pyRound(x float64) int64 { return int64(math.RoundToEven(x)) }

// finalStats is Locust's statistics once every response has arrived.
func finalStats(cr *ClientRun, percentiles []float64) *locustStats {
	calls := slices.Clone(cr.Calls)
	slices.SortStableFunc(calls, func(a, b Call) int { return a.Done().Compare(b.Done()) })
	s := newLocustStats(cr.Test.Start, percentiles)
	for _, c := range calls {
		s.log(c)
	}
	return s
}

// paperServer derives what Cloud Run saw of the client's requests: each
// arrives 10 to 30 ms after it was sent and is answered 10 to 30 ms before
// the client has the response; the first instance starts with the first
// request and becomes ready about 17 s later, while the five first requests
// wait; the autoscaler adds two instances 3 to 12 s after that, which start
// faster (8 to 11 s); every instance is retired after 150 to 260 s idle.
func paperServer(rng *rand.Rand, cr *ClientRun) (*Run, error) {
	run := &Run{Service: paperService(), Window: paperWindow}
	net := func() time.Duration {
		return 10*time.Millisecond + time.Duration(rng.Int64N(int64(20*time.Millisecond)))
	}
	for _, c := range cr.Calls {
		arrival := c.Sent.Add(net()).Truncate(time.Microsecond)
		run.Requests = append(run.Requests, Request{
			Method: c.Method, Path: c.Name, Arrival: arrival, Latency: c.Done().Add(-net()).Sub(arrival),
			Status: 200, RequestSize: c.RequestSize, ResponseSize: c.ContentLength + responseHeaders,
			UserAgent: "python-requests/2.31.0", RemoteIP: "203.0.113.77", Protocol: "HTTP/1.1",
		})
	}
	slices.SortStableFunc(run.Requests, func(a, b Request) int { return a.Arrival.Compare(b.Arrival) })
	run.Instances = paperInstances(rng, run.Requests)
	if err := run.Route(); err != nil {
		return nil, err
	}
	idle := make([]time.Duration, len(run.Instances))
	for i := range idle {
		idle[i] = 150*time.Second + time.Duration(rng.Int64N(int64(110*time.Second)))
	}
	if err := run.RetireIdle(idle); err != nil {
		return nil, err
	}
	for i := range run.Instances {
		run.Instances[i].Retire = run.Instances[i].Retire.Truncate(time.Microsecond)
	}
	return run, checkPaperServer(run)
}

func paperInstances(rng *rand.Rand, reqs []Request) []Instance {
	between := func(lo, hi time.Duration) time.Duration { return lo + time.Duration(rng.Int64N(int64(hi-lo))) }
	first := reqs[0].Arrival
	coldEnd := reqs[0].End()
	for _, q := range reqs {
		if q.Arrival.Before(first.Add(2 * time.Second)) {
			coldEnd = minTime(coldEnd, q.End())
		}
	}
	prefix := "00" + randHex(rng, 8) // instances of one zone share their first bytes
	in := make([]Instance, 3)
	// The platform logs the start it made for the first request a few
	// milliseconds before the front end logs that request.
	in[0].Start = first.Add(-between(time.Millisecond, 4*time.Millisecond))
	in[0].Ready = coldEnd.Add(-between(600*time.Millisecond, 1100*time.Millisecond))
	in[1].Start = in[0].Ready.Add(between(3*time.Second, 5*time.Second))
	in[1].Ready = in[1].Start.Add(between(8500*time.Millisecond, 11*time.Second))
	in[2].Start = in[0].Ready.Add(between(8*time.Second, 12*time.Second))
	in[2].Ready = in[2].Start.Add(between(8*time.Second, 11*time.Second))
	for i := range in {
		in[i].ID = instanceID(rng, prefix)
		in[i].Reason = "AUTOSCALING"
		in[i].Start = in[i].Start.Truncate(time.Microsecond)
		in[i].Ready = in[i].Ready.Truncate(time.Microsecond)
	}
	return in
}

// checkPaperServer checks the story the scenario tells of the server.
func checkPaperServer(run *Run) error {
	if d := run.Instances[0].Ready.Sub(run.Instances[0].Start); d < 16500*time.Millisecond || d > 18500*time.Millisecond {
		return fmt.Errorf("first instance started in %v, want about 17 s", d)
	}
	served := make([]int, len(run.Instances))
	for _, q := range run.Requests {
		served[q.Instance]++
		if q.Instance > 0 && q.Arrival.Before(run.Instances[q.Instance].Ready) {
			return fmt.Errorf("a request waited for instance %d to start", q.Instance+1)
		}
	}
	for i, n := range served {
		if n == 0 || (i > 0 && n >= served[0]) {
			return fmt.Errorf("instance %d served %d requests, the first %d", i+1, n, served[0])
		}
		if !run.Instances[i].Retire.Before(run.Window.End) {
			return fmt.Errorf("instance %d is retired after the window", i+1)
		}
	}
	return nil
}
