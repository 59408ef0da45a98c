package analyze

import "fmt"

// gpuIdleFinding warns when GPUs were billed but mostly idle: a GPU is
// billed for its instance's whole life, busy or not.
func gpuIdleFinding(in findingInput) []Finding {
	r, c := in.rpt.Resources, in.rpt.Cost
	if !r.HasGPU || c.GPUSeconds <= 0 || r.GPUP95 >= 0.3 {
		return nil
	}
	cost := "GPU cost not included: no price"
	if c.GPUCostIncluded {
		cost = fmt.Sprintf("$%.2f of GPU time", c.GPUUSD)
	}
	return []Finding{{ID: "gpu_idle", Severity: SeverityWarn, Value: r.GPUP95, Message: fmt.Sprintf(
		"GPU utilization p95 was only %s while %s GPU-seconds were billed (%s): the GPUs mostly waited",
		percent(r.GPUP95), wholeCount(c.GPUSeconds), cost)}}
}
