package analyze

import "time"

// Options controls an analysis.
type Options struct {
	// Generated is stamped into the report; analyze reads no clock.
	Generated time.Time
	// Percentiles (0..100) that tables and charts show; nil means
	// DefaultPercentiles.
	Percentiles []float64
	// ClockOffset, when set, is the client's clock minus the server's,
	// overriding the estimate.
	ClockOffset *time.Duration
	// Prices overrides the built-in price table.
	Prices *PriceTable
	// EndpointMap maps client endpoint names to server endpoints where they
	// differ: keys "METHOD name" or "name", values "METHOD /path" or "/path".
	EndpointMap map[string]string
}

// DefaultPercentiles are the columns of the benchmark's published
// response-time table.
var DefaultPercentiles = []float64{50, 60, 70, 80, 90, 95, 99, 100}

func (o Options) percentiles() []float64 {
	if len(o.Percentiles) == 0 {
		return DefaultPercentiles
	}
	return o.Percentiles
}
