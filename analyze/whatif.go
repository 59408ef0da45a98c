package analyze

// MinInstancesAsObserved in a WhatIfSetting keeps the observed min
// instances.
const MinInstancesAsObserved = -1

// WhatIfSchema names the JSON of a WhatIf.
const WhatIfSchema = "runlens.whatif/v1"

// WhatIfSetting is a configuration to predict (package whatif). Zero
// values (and "" for Billing) keep the observed setting, but for
// MinInstances, where 0 is a setting: MinInstancesAsObserved keeps it.
type WhatIfSetting struct {
	MinInstances int    `json:"min_instances"`
	MaxInstances int    `json:"max_instances"`
	Concurrency  int    `json:"concurrency"`
	Billing      string `json:"billing"`
	// MemoryMiB is the memory limit of the instance.
	MemoryMiB int64 `json:"memory_mib"`
	// CPUBoost is startup CPU boost, BoostOn or BoostOff ("" keeps the
	// observed setting).
	CPUBoost string `json:"cpu_boost"`
}

// Startup CPU boost settings of WhatIfSetting.CPUBoost.
const (
	BoostOn  = "on"
	BoostOff = "off"
)

// BoostSetting spells a startup CPU boost setting.
func BoostSetting(on bool) string {
	if on {
		return BoostOn
	}
	return BoostOff
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
	// StartupMS is the mean startup of the cold starts whose startup was
	// logged: what a cold start waits for its instance; 0 with none.
	StartupMS float64 `json:"startup_ms"`
	// Failed counts the requests answered with an error status, 4xx or
	// 5xx (a replay answers 429 when every instance is full).
	Failed int64 `json:"failed"`
	// MemoryKills counts the instances terminated for exceeding their
	// memory limit.
	MemoryKills int `json:"memory_kills"`
	// Spread, for a prediction, is each figure's standard deviation over
	// the replays it is the mean of, relative to the mean.
	Spread map[string]float64 `json:"spread,omitempty"`
	// Bound, for a prediction, is its error bound per figure, relative:
	// the backtest's error plus twice the spread.
	Bound map[string]float64 `json:"error_bound,omitempty"`
	// Pareto, for a prediction, is set when no other prediction costs no
	// more with a p95 no higher, and less of one of them.
	Pareto bool `json:"pareto,omitempty"`
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
	// Constraint is the user's limits (zero: none), Best the indices of
	// the predictions within them, cheapest first.
	Constraint WhatIfConstraint `json:"constraint"`
	Best       []int            `json:"best"`
	// Advice is what the predictions say to do, each beside the error of
	// its figures; a setting that changes nothing beyond its error is
	// said so, and not recommended.
	Advice []WhatIfAdvice `json:"advice"`
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
	// IdleSpells is how many idle spells of instances the retention was
	// estimated from (Kaplan-Meier), IdleShutdowns how many of them ended
	// with the instance shut down; the others ended with a request, the
	// window or a crash.
	IdleSpells    int `json:"idle_spells"`
	IdleShutdowns int `json:"idle_shutdowns"`
	// ScaleOutAt, when set, is the requests in flight at which an
	// instance is taken as saturated and another starts (CPU-driven
	// scaling, seen as instances added before any was full).
	ScaleOutAt int `json:"scale_out_at,omitempty"`
	// LoopAgent, with a load test, is the user agent whose requests are
	// replayed as a closed loop of LoopUsers users: each request a think
	// time after the response to an earlier one, so that a setting that
	// answers sooner brings them sooner. Other requests come as they came.
	LoopAgent string `json:"loop_agent,omitempty"`
	LoopUsers int    `json:"loop_users,omitempty"`
	// Contention, where requests shared instances, is how service time
	// grows with the requests in flight on the instance.
	Contention *WhatIfContention `json:"contention,omitempty"`
	// Sampling is the sampling error of the percentiles, relative: how
	// far another run's would stray from the observed with as many
	// requests. It is part of their error bounds.
	Sampling map[string]float64 `json:"sampling"`
	// Memory, where instances were killed for memory, is the memory an
	// instance uses, fitted to the kills: MiB once started, MiB each
	// answered request leaves behind, MiB each request in flight holds.
	Memory *WhatIfMemory `json:"memory,omitempty"`
	// Boost, where a prediction turns startup CPU boost on or off, is
	// how the boost changes a startup.
	Boost   *WhatIfBoost `json:"boost,omitempty"`
	Assumed []string     `json:"assumed"`
}

// WhatIfBoost is the startup CPU boost model: the boost gives BoostedCPU
// vCPUs instead of CPU, and the CPU-bound share of a startup runs that
// much faster. The share is assumed, not fitted: Share, and the range
// ShareRange the reductions Google reports span; StartupFactor is what
// turning the boost on multiplies a startup by at the share, and at the
// range's ends.
type WhatIfBoost struct {
	Observed      bool       `json:"observed"`
	CPU           float64    `json:"cpu"`
	BoostedCPU    float64    `json:"boosted_cpu"`
	Share         float64    `json:"cpu_bound_share"`
	ShareRange    [2]float64 `json:"cpu_bound_share_range"`
	StartupFactor [3]float64 `json:"startup_factor"`
}

// WhatIfMemory is the memory model a replay is calibrated with.
type WhatIfMemory struct {
	Kills       int     `json:"kills"`
	BaseMiB     float64 `json:"base_mib"`
	RetainedMiB float64 `json:"retained_mib"`
	HeldMiB     float64 `json:"held_mib"`
}

// Kinds of advice.
const (
	AdviceSaves  = "saves"   // costs less, and nothing judged is worse beyond the error
	AdviceFixes  = "fixes"   // fewer failures, memory kills or cold starts beyond the error, nothing of those worse
	AdviceNoGain = "no_gain" // no judged figure changes beyond the error
	AdviceWorse  = "worse"   // something judged is worse beyond the error
)

// WhatIfAdvice is what one prediction says against the observation.
type WhatIfAdvice struct {
	Setting WhatIfSetting `json:"setting"`
	Kind    string        `json:"kind"`
	// Change is each judged figure's relative change from the observed,
	// for the figures observed above 0; Beyond lists those that change by
	// more than the prediction's error bound.
	Change map[string]float64 `json:"change"`
	Beyond []string           `json:"beyond"`
	Text   string             `json:"text"`
}

// WhatIfContention is the fit of service time against the requests in
// flight on the instance when a request began (k, itself included):
// service(k) = service(1) x (1 + Alpha (k - 1)).
type WhatIfContention struct {
	Alpha    float64 `json:"alpha"`
	Requests int     `json:"requests"` // the requests fitted: those of the k seen 30 times or more
	// ByFlight is, for k from 1 to 8, the observed mean service time
	// over the endpoint's alone, beside the fitted factor.
	ByFlight []WhatIfFlight `json:"by_flight"`
}

// WhatIfFlight is one k of a contention fit.
type WhatIfFlight struct {
	InFlight int     `json:"in_flight"`
	Requests int     `json:"requests"`
	Ratio    float64 `json:"ratio"`
	Fitted   float64 `json:"fitted"`
}

// WhatIfConstraint is what a setting must keep to be among the best.
type WhatIfConstraint struct {
	MaxP95MS   float64 `json:"max_p95_ms,omitempty"`
	MaxCostUSD float64 `json:"max_cost_usd,omitempty"`
}
