package whatif

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// judged are the figures advice weighs, all of them better when lower.
var judged = []string{"cost_usd", "p95_ms", "failed", "memory_kills", "cold_starts"}

// advise says, for each prediction, whether the setting is worth making:
// it saves when it costs less beyond the error and nothing judged is
// worse beyond it; it fixes when failures, memory kills or cold starts
// fall beyond the error and none of those rises beyond it; otherwise it
// gains nothing the prediction can tell, or is worse. A prediction is
// weighed against the backtest, the observed setting replayed by the same
// model, so that the model's bias on the observation is not taken for an
// effect of the setting.
func advise(obs, backtest analyze.WhatIfOutcome, preds []analyze.WhatIfOutcome) []analyze.WhatIfAdvice {
	o := figures(backtest)
	var out []analyze.WhatIfAdvice
	for _, p := range preds {
		f := figures(p)
		a := analyze.WhatIfAdvice{Setting: p.WhatIfSetting, Change: map[string]float64{}}
		better, worse := map[string]bool{}, map[string]bool{}
		for _, name := range judged {
			v, w := o[name], f[name]
			var beyond bool
			switch {
			case v != 0:
				a.Change[name] = (w - v) / v
				beyond = math.Abs(a.Change[name]) > p.Bound[name]
			default: // none observed: beyond when the prediction has some
				beyond = w >= 0.5 && p.Bound[name] < 1
			}
			if beyond {
				a.Beyond = append(a.Beyond, name)
				if w < v {
					better[name] = true
				} else {
					worse[name] = true
				}
			}
		}
		fixes := better["failed"] || better["memory_kills"] || better["cold_starts"]
		breaks := worse["failed"] || worse["memory_kills"] || worse["cold_starts"]
		switch {
		case better["cost_usd"] && len(worse) == 0:
			a.Kind = analyze.AdviceSaves
		case fixes && !breaks:
			a.Kind = analyze.AdviceFixes
		case len(worse) == 0 && len(better) == 0:
			a.Kind = analyze.AdviceNoGain
		default:
			a.Kind = analyze.AdviceWorse
		}
		a.Text = adviceText(obs, backtest, p, a)
		out = append(out, a)
	}
	return out
}

// settingText names what a setting changes from the observed one.
func settingText(obs, s analyze.WhatIfSetting) string {
	var parts []string
	if s.Billing != obs.Billing {
		parts = append(parts, map[string]string{model.BillingRequest: "request-based billing", model.BillingInstance: "instance-based billing"}[s.Billing])
	}
	if s.MinInstances != obs.MinInstances {
		parts = append(parts, fmt.Sprintf("min-instances %d", s.MinInstances))
	}
	if s.MaxInstances != obs.MaxInstances {
		parts = append(parts, fmt.Sprintf("max-instances %d", s.MaxInstances))
	}
	if s.Concurrency != obs.Concurrency {
		parts = append(parts, fmt.Sprintf("concurrency %d", s.Concurrency))
	}
	if s.MemoryMiB != obs.MemoryMiB {
		parts = append(parts, fmt.Sprintf("memory %d MiB", s.MemoryMiB))
	}
	if s.CPUBoost != obs.CPUBoost {
		parts = append(parts, "startup CPU boost "+s.CPUBoost)
	}
	if len(parts) == 0 {
		return "the observed setting"
	}
	return strings.Join(parts, ", ")
}

func adviceText(obs, backtest, p analyze.WhatIfOutcome, a analyze.WhatIfAdvice) string {
	set := settingText(obs.WhatIfSetting, p.WhatIfSetting)
	cost := fmt.Sprintf("$%.4f instead of $%.4f as replayed, $%.4f observed (%+.0f %%, error ±%.0f %%)",
		p.CostUSD, backtest.CostUSD, obs.CostUSD, 100*a.Change["cost_usd"], 100*p.Bound["cost_usd"])
	var changed []string
	for _, name := range []string{"failed", "memory_kills", "cold_starts", "p95_ms"} {
		if slices.Contains(a.Beyond, name) {
			changed = append(changed, fmt.Sprintf("%s %s instead of %s", strings.ReplaceAll(name, "_", " "), figureText(name, p), figureText(name, backtest)))
		}
	}
	switch a.Kind {
	case analyze.AdviceSaves:
		s := "Switch to " + set + ": it would cost " + cost
		if len(changed) > 0 {
			s += ", with " + strings.Join(changed, ", ")
		}
		return s + "."
	case analyze.AdviceFixes:
		return "Switch to " + set + " to have " + strings.Join(changed, ", ") + "; it would cost " + cost + "."
	case analyze.AdviceNoGain:
		return "No change beyond the prediction's error with " + set + " (cost " + cost + "): not recommended."
	}
	return "Not recommended: " + set + " would be worse beyond the prediction's error (" + strings.Join(changed, ", ") + "; cost " + cost + ")."
}

func figureText(name string, o analyze.WhatIfOutcome) string {
	f := figures(o)[name]
	if strings.HasSuffix(name, "_ms") {
		return fmt.Sprintf("%.0f ms", f)
	}
	return fmt.Sprintf("%.0f", f)
}

// pareto marks the predictions on the front of cost against p95: none
// other is as cheap and as fast, and better in one.
func pareto(preds []analyze.WhatIfOutcome) {
	for i := range preds {
		preds[i].Pareto = true
		for j, q := range preds {
			p := preds[i]
			if j != i && q.CostUSD <= p.CostUSD && q.P95MS <= p.P95MS && (q.CostUSD < p.CostUSD || q.P95MS < p.P95MS) {
				preds[i].Pareto = false
				break
			}
		}
	}
}

// best are the predictions within the constraint, cheapest first (the
// faster on a tie).
func best(preds []analyze.WhatIfOutcome, c analyze.WhatIfConstraint) []int {
	var out []int
	for i, p := range preds {
		if (c.MaxP95MS == 0 || p.P95MS <= c.MaxP95MS) && (c.MaxCostUSD == 0 || p.CostUSD <= c.MaxCostUSD) {
			out = append(out, i)
		}
	}
	slices.SortStableFunc(out, func(a, b int) int {
		if c := cmp.Compare(preds[a].CostUSD, preds[b].CostUSD); c != 0 {
			return c
		}
		return cmp.Compare(preds[a].P95MS, preds[b].P95MS)
	})
	return out
}
