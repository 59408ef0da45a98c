package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/runlens/runlens/analyze"
)

// thresholdFlags are -config and -fail-on, shared by report and audit.
type thresholdFlags struct {
	config string
	failOn listFlag
}

func (tf *thresholdFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&tf.config, "config", "", "threshold `FILE`: one \"KEY OP VALUE [info|warn|crit]\" a line, # comments, e.g. \"cost_increase_pct > 50 warn\"")
	fs.Var(&tf.failOn, "fail-on", "exit with status 3 when a threshold is crossed: warn or crit (any threshold of at least that severity), "+
		"or an `EXPR` such as 'p95_ms>1500' that is checked too and fails the run when crossed; repeatable")
}

// load returns the thresholds to check and the -fail-on level ("" when no
// level was given; with two, the lower). Without -config the defaults apply;
// -fail-on expressions are added either way.
func (tf *thresholdFlags) load(defaults []analyze.Threshold) ([]analyze.Threshold, string, error) {
	ts := slices.Clone(defaults)
	if tf.config != "" {
		f, err := os.Open(tf.config)
		if err != nil {
			return nil, "", fmt.Errorf("-config: %w", err)
		}
		defer f.Close()
		if ts, err = analyze.ParseThresholds(tf.config, f); err != nil {
			return nil, "", err
		}
	}
	level := ""
	for _, v := range tf.failOn {
		switch s := strings.ToLower(strings.TrimSpace(v)); s {
		case analyze.SeverityWarn, analyze.SeverityCrit:
			if level == "" || analyze.SeverityRank(s) > analyze.SeverityRank(level) {
				level = s
			}
			continue
		}
		t, err := parseInline(v)
		if err != nil {
			return nil, "", err
		}
		ts = append(ts, t)
	}
	return ts, level, nil
}

// parseInline reads a -fail-on expression: crossing it fails the run, and
// its severity is crit unless it names one.
func parseInline(v string) (analyze.Threshold, error) {
	t, err := analyze.ParseThreshold(v)
	if err != nil {
		return t, usagef("-fail-on: want warn, crit or a threshold: %v", err)
	}
	fields := strings.Fields(v)
	if last := strings.ToLower(fields[len(fields)-1]); last != analyze.SeverityInfo && last != analyze.SeverityWarn && last != analyze.SeverityCrit {
		t.Severity = analyze.SeverityCrit
	}
	t.Fail, t.Source = true, "-fail-on"
	return t, nil
}

// thresholdError says which thresholds failed the run; main exits with
// exitThreshold for it.
type thresholdError struct {
	crossed []analyze.ThresholdResult
}

func (e thresholdError) Error() string {
	msgs := make([]string, 0, len(e.crossed))
	for _, r := range e.crossed {
		m := "[" + r.Severity + "] " + r.Message
		if r.Service != "" {
			m = "[" + r.Severity + "] " + r.Service + ": " + r.Message
		}
		msgs = append(msgs, m)
	}
	noun := "thresholds"
	if len(msgs) == 1 {
		noun = "threshold"
	}
	return fmt.Sprintf("%d %s crossed: %s", len(msgs), noun, strings.Join(msgs, "; "))
}

// failIfCrossed returns a thresholdError when results fail the run at level.
func failIfCrossed(rs []analyze.ThresholdResult, level string) error {
	if crossed := analyze.Crossed(rs, level); len(crossed) > 0 {
		return thresholdError{crossed: crossed}
	}
	return nil
}
