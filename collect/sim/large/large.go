// Package large writes Cloud Run request logs of any size, as a log sink
// writes them (one LogEntry per line), deterministically: the input of
// runlens's benchmarks and memory tests.
//
// Write streams entries without holding them, so a 10 M-entry file needs no
// more memory than a 10-entry one.
package large

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Start is when the generated traffic begins.
var Start = time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)

// Options shapes the traffic.
type Options struct {
	Requests int           // entries to write
	Seed     uint64        // the same seed gives the same bytes
	Span     time.Duration // the traffic's duration; zero means 24 h
}

// endpoint is a route of the simulated service with its latency profile.
type endpoint struct {
	method, path string
	weight       float64
	medianMS     float64
	status5xx    float64 // share of 5xx
}

var endpoints = []endpoint{
	{"POST", "/predict", 0.55, 180, 0.004},
	{"GET", "/", 0.20, 8, 0},
	{"GET", "/healthz", 0.15, 2, 0},
	{"POST", "/batch", 0.07, 900, 0.01},
	{"GET", "/static/app.js", 0.03, 15, 0},
}

const instances = 40

// Write writes opts.Requests request entries to w, in time order.
func Write(w io.Writer, opts Options) error {
	span := opts.Span
	if span <= 0 {
		span = 24 * time.Hour
	}
	rng := rand.New(rand.NewPCG(opts.Seed, 0x5eed))
	bw := bufio.NewWriterSize(w, 1<<20)
	ids := instanceIDs(rng)
	seen := make([]bool, instances)
	step := float64(span) / float64(max(opts.Requests, 1))
	buf := make([]byte, 0, 2048)
	for i := 0; i < opts.Requests; i++ {
		// A daily shape: more traffic in the afternoon, by warping time.
		frac := float64(i) / float64(max(opts.Requests, 1))
		warped := frac + 0.05*math.Sin(2*math.Pi*frac)
		t := Start.Add(time.Duration(warped*float64(span)) + time.Duration(rng.Float64()*step))
		e := pick(rng)
		inst := rng.IntN(instances)
		cold := !seen[inst]
		seen[inst] = true
		buf = appendEntry(buf[:0], rng, i, t, e, ids[inst], cold)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func instanceIDs(rng *rand.Rand) []string {
	ids := make([]string, instances)
	for i := range ids {
		b := make([]byte, 0, 96)
		b = append(b, "0069c7a988"...)
		for len(b) < 96 {
			b = strconv.AppendUint(b, rng.Uint64()%16, 16)
		}
		ids[i] = string(b)
	}
	return ids
}

func pick(rng *rand.Rand) endpoint {
	x := rng.Float64()
	for _, e := range endpoints {
		if x < e.weight {
			return e
		}
		x -= e.weight
	}
	return endpoints[0]
}

// appendEntry appends one request LogEntry line in the field order Cloud
// Logging sinks use.
func appendEntry(b []byte, rng *rand.Rand, i int, t time.Time, e endpoint, instance string, cold bool) []byte {
	latency := time.Duration(e.medianMS * math.Exp(0.6*rng.NormFloat64()) * float64(time.Millisecond))
	if cold {
		latency += time.Duration(2+rng.IntN(8)) * time.Second
	}
	status := 200
	if rng.Float64() < e.status5xx {
		status = 500 + rng.IntN(4)
	} else if rng.Float64() < 0.01 {
		status = 404
	}
	b = append(b, `{"insertId":"`...)
	b = strconv.AppendInt(b, int64(i)+0x1a2b3c4d, 16)
	b = append(b, `","httpRequest":{"requestMethod":"`...)
	b = append(b, e.method...)
	b = append(b, `","requestUrl":"https://svc-6ypcyxkpwq-uc.a.run.app`...)
	b = append(b, e.path...)
	if e.method == "GET" && rng.IntN(4) == 0 {
		b = append(b, "?v="...)
		b = strconv.AppendInt(b, int64(rng.IntN(1000)), 10)
	}
	b = append(b, `","requestSize":"`...)
	b = strconv.AppendInt(b, int64(300+rng.IntN(60000)), 10)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"responseSize":"`...)
	b = strconv.AppendInt(b, int64(100+rng.IntN(4000)), 10)
	b = append(b, `","userAgent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36","remoteIp":"203.0.113.`...)
	b = strconv.AppendInt(b, int64(rng.IntN(250)), 10)
	b = append(b, `","serverIp":"216.239.32.53","latency":"`...)
	b = appendSeconds(b, latency)
	b = append(b, `","protocol":"HTTP/1.1"},"resource":{"type":"cloud_run_revision","labels":{"service_name":"svc","project_id":"runlens-bench","location":"us-central1","revision_name":"svc-00042-xug","configuration_name":"svc"}},"timestamp":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","severity":"`...)
	if status >= 500 {
		b = append(b, "ERROR"...)
	} else {
		b = append(b, "INFO"...)
	}
	b = append(b, `","labels":{"instanceId":"`...)
	b = append(b, instance...)
	b = append(b, `"},"logName":"projects/runlens-bench/logs/run.googleapis.com%2Frequests","trace":"projects/runlens-bench/traces/`...)
	b = fmt.Appendf(b, "%016x%016x", rng.Uint64(), rng.Uint64())
	b = append(b, `","receiveTimestamp":"`...)
	b = t.Add(latency+40*time.Millisecond).AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	if cold {
		b = append(b, `,"textPayload":"This request caused a new container instance to be started and may thus take longer and use more CPU than a typical request."`...)
	}
	b = append(b, "}\n"...)
	return b
}

// appendSeconds writes a duration as a proto Duration string: "0.180123456s".
func appendSeconds(b []byte, d time.Duration) []byte {
	b = strconv.AppendInt(b, int64(d/time.Second), 10)
	ns := int64(d % time.Second)
	if ns != 0 {
		frac := strconv.AppendInt(nil, ns+1e9, 10)[1:]
		b = append(b, '.')
		b = append(b, frac...)
	}
	return append(b, 's')
}
