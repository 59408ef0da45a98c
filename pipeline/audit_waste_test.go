package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/render"
)

// auditProjectWaste is the waste fixtures/audit-project/README.md states,
// per service: each finding and its saving over the day in USD, to the
// README's six decimals.
var auditProjectWaste = map[string]map[string]float64{
	"catalog":  {audit.WasteIdleMinInstances: 0.647573},
	"reports":  {audit.WasteRightsizeCPU: 0.323050, audit.WasteRightsizeMemory: 0.084128},
	"api":      {audit.WasteBillingRequest: 1.634540},
	"embedder": {audit.WasteCPUBoostUnused: 0.012420},
	"legacy":   {audit.WasteStaleRevisionMin: 0.324000, audit.WasteUnusedTag: 0},
	"ingest":   {},
	"checkout": {},
}

// The audit of the fixture project, served whole by fake-gcp, finds every
// waste its README states with the saving it states (within the README's
// rounding, $0.000001), and none in the control service checkout; each
// waste is among the service's findings and in the JSON with its source.
func TestAuditProjectWaste(t *testing.T) {
	a, _ := auditFixtureProject(t)
	if len(a.Services) != len(auditProjectWaste) {
		t.Fatalf("%d services, want %d", len(a.Services), len(auditProjectWaste))
	}
	var total float64
	for _, s := range a.Services {
		want, ok := auditProjectWaste[s.Name]
		if !ok {
			t.Errorf("unexpected service %s", s.Name)
			continue
		}
		got := map[string]float64{}
		for _, w := range s.Waste {
			got[w.ID] = w.SavingUSD
			total += w.SavingUSD
			if w.Source == "" || len(w.Basis) == 0 || math.Abs(w.SavingUSDPerMonth-w.SavingUSD*30) > 1e-9 {
				t.Errorf("%s %s: source %q, basis %v, $%v a month for $%v a day", s.Name, w.ID, w.Source, w.Basis, w.SavingUSDPerMonth, w.SavingUSD)
			}
			if !hasFinding(s, w.ID, w.SavingUSD) {
				t.Errorf("%s: %s is not among the findings %v", s.Name, w.ID, s.Findings)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: waste %v, want %v", s.Name, got, want)
		}
		for id, saving := range want {
			if g, ok := got[id]; !ok || math.Abs(g-saving) > 0.000001 {
				t.Errorf("%s %s: saving $%v (found %v), the README says $%v", s.Name, id, g, ok, saving)
			}
		}
	}
	if n := a.APICalls["ListRevisions"]; n != 1 {
		t.Errorf("%d ListRevisions calls, want 1: legacy's, whose traffic names revisions without a share", n)
	}
	for _, s := range a.Services {
		for _, w := range s.Waste {
			if w.ID == audit.WasteStaleRevisionMin && w.Basis["revision_min_instances"] != 1 {
				t.Errorf("legacy's stale revision: basis %v, want its own 1 min instance from the Revisions API", w.Basis)
			}
		}
	}
	var b bytes.Buffer
	if err := render.AuditJSON(&b, a); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services []struct {
			Name  string `json:"name"`
			Waste []struct {
				ID        string  `json:"id"`
				SavingUSD float64 `json:"saving_usd"`
				Source    string  `json:"source"`
			} `json:"waste"`
		} `json:"services"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Services {
		if len(s.Waste) != len(auditProjectWaste[s.Name]) {
			t.Errorf("JSON: %s has %d waste entries, want %d", s.Name, len(s.Waste), len(auditProjectWaste[s.Name]))
		}
	}
	b.Reset()
	if err := render.AuditMarkdown(&b, a, render.Options{}); err != nil {
		t.Fatal(err)
	}
	if md := b.String(); !strings.Contains(md, "### Waste") || !strings.Contains(md, "| Total") || !strings.Contains(md, "$3.026") {
		t.Errorf("the Markdown has no waste table with the total $3.026 (of $%.4f):\n%s", total, md)
	}
}

func hasFinding(s audit.Service, id string, value float64) bool {
	for _, f := range s.Findings {
		if f.ID == id && f.Value == value {
			return true
		}
	}
	return false
}

// auditFixtureProject audits the fixture project's day, served whole by
// fake-gcp, reading every log; it returns the audit and the server.
func auditFixtureProject(t *testing.T) (*audit.Audit, *fakegcp.Server) {
	t.Helper()
	srv := fixturetest.Serve(t, fixture("audit-project"))
	day := time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)
	cfg := &AuditConfig{Project: "runlens-audit", Region: "europe-west1", Start: day, End: day.Add(24 * time.Hour),
		Endpoint: srv.Addr(), MaxCalls: -1, PerMinute: 60000, Workers: 4, Generated: time.Unix(1700000000, 0).UTC()}
	a, err := Audit(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, srv
}
