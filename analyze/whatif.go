package analyze

// WhatIfSchema names the JSON of a WhatIf.
const WhatIfSchema = "runlens.whatif/v1"

// WhatIfSetting is a configuration to predict (package whatif). Zero
// values (and "" for Billing) keep the observed setting.
type WhatIfSetting struct {
	MinInstances int    `json:"min_instances"`
	MaxInstances int    `json:"max_instances"`
	Concurrency  int    `json:"concurrency"`
	Billing      string `json:"billing"`
}

// WhatIfOutcome is what a setting gave, or would have given.
type WhatIfOutcome struct {
	WhatIfSetting
	Instances       int     `json:"instances"`
	ColdStarts      int     `json:"cold_starts"`
	BillableSeconds float64 `json:"billable_seconds"`
	CostUSD         float64 `json:"cost_usd"`
	P50MS           float64 `json:"p50_ms"`
	P95MS           float64 `json:"p95_ms"`
	// Failed counts the requests answered with an error status, 4xx or
	// 5xx (a replay answers 429 when every instance is full).
	Failed int64 `json:"failed"`
}

// WhatIf is a what-if analysis (package whatif): what was observed, the
// replay of the observed setting and its error against it, and the
// predictions.
type WhatIf struct {
	Schema   string        `json:"schema"`
	Service  string        `json:"service"`
	Observed WhatIfOutcome `json:"observed"`
	Backtest WhatIfOutcome `json:"backtest"`
	// Error is the backtest's relative error per figure, (replayed -
	// observed) / observed; absent where the observed figure is 0.
	Error       map[string]float64 `json:"error"`
	Predictions []WhatIfOutcome    `json:"predictions"`
	// Calibration says what the replay took from the observation.
	Calibration WhatIfCalibration `json:"calibration"`
}

// WhatIfCalibration is what a replay takes from the observed run.
type WhatIfCalibration struct {
	Requests int `json:"requests"`
	// StartupMS are the observed startups' fastest, median and slowest;
	// IdleKeepS the range of time idle instances were kept before they
	// shut down.
	StartupMS [3]float64 `json:"startup_ms"`
	IdleKeepS [2]float64 `json:"idle_keep_s"`
	// ScaleOutAt, when set, is the requests in flight at which an
	// instance is taken as saturated and another starts (CPU-driven
	// scaling, seen as instances added before any was full).
	ScaleOutAt int      `json:"scale_out_at,omitempty"`
	Assumed    []string `json:"assumed"`
}
