package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/model"
)

// costRow is a row whose report prices the day at cost under billing and
// at other under the other mode (nil: not priced).
func costRow(billing string, cost float64, other *float64) *Service {
	day := time.Date(2024, 6, 4, 0, 0, 0, 0, time.UTC)
	rpt := &analyze.Report{Window: analyze.Window{Start: day, End: day.Add(24 * time.Hour)}}
	rpt.Service.Billing = billing
	rpt.Cost.TotalUSD = cost
	if other != nil {
		alt := model.BillingInstance
		if billing == model.BillingInstance {
			alt = model.BillingRequest
		}
		rpt.Cost.OtherBilling = &analyze.BillingAlternative{Billing: alt, TotalUSD: *other}
	}
	return &Service{Name: "svc", CostUSD: cost, Report: rpt, Logs: LogCoverage{Status: LogsFull},
		RecommendersRead: model.RunRecommenders}
}

func TestCompareRecommendations(t *testing.T) {
	saving := -3.0
	costRec := Recommendation{Recommender: model.RecommenderCost, CostUSD: &saving, CostPeriodDays: 30}
	for _, tt := range []struct {
		name      string
		row       *Service
		rec       Recommendation
		disagrees bool
		want      string
	}{
		{"instance-based dearer", costRow(model.BillingRequest, 1, ptr(2.5)), costRec, true,
			"runlens disagrees: its model prices the window at $2.50 under instance-based billing against $1.00 under request-based billing (+150 %): " +
				"at this window's traffic, switching costs more than it saves; Google projects a saving of $3.00 over 30 days from its own look at past traffic."},
		{"instance-based cheaper", costRow(model.BillingRequest, 1, ptr(0.9)), costRec, false,
			"runlens agrees: its model prices the window at $0.90 under instance-based billing against $1.00 under request-based billing (-10 %, about $3.00 a month at this window's traffic); " +
				"Google projects a saving of $3.00 over 30 days from its own look at past traffic."},
		{"already instance-based, request-based cheaper", costRow(model.BillingInstance, 1, ptr(0.2)), costRec, true,
			"runlens disagrees: the service already uses instance-based billing, and its model finds request-based billing cheaper, $0.20 instead of $1.00 over the window (-80 %)"},
		{"already instance-based and cheaper", costRow(model.BillingInstance, 1, ptr(1.2)), costRec, false,
			"The service already uses instance-based billing; runlens's model agrees it is the cheaper mode"},
		{"other mode not priced", costRow(model.BillingRequest, 1, nil), costRec, false,
			"runlens cannot check this: its model prices the other billing mode only from request logs read whole (logs full)"},
		{"no report", &Service{Name: "svc"}, costRec, false, "runlens has no cost figures for this service to compare with."},
		{"identity", costRow(model.BillingRequest, 1, ptr(2.0)), Recommendation{Recommender: model.RecommenderIdentity}, false,
			"runlens does not look at service accounts or their permissions: Google recommends something runlens does not flag."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.row
			s.Recommendations = []Recommendation{tt.rec}
			s.compareRecommendations()
			r := s.Recommendations[0]
			if r.Disagrees != tt.disagrees || !strings.HasPrefix(r.Runlens, tt.want) {
				t.Errorf("disagrees %v, %q\nwant %v, %q", r.Disagrees, r.Runlens, tt.disagrees, tt.want)
			}
		})
	}
}

// The replay's cheapest setting joins the sentence when it saves.
func TestCompareRecommendationsReplay(t *testing.T) {
	s := costRow(model.BillingRequest, 1, ptr(2.0))
	s.Cheapest = &Cheapest{Setting: analyze.WhatIfSetting{MinInstances: 0, Billing: model.BillingRequest}, Saves: true}
	s.Recommendations = []Recommendation{{Recommender: model.RecommenderCost}}
	s.compareRecommendations()
	if want := " The replay's cheapest setting within today's p95 is min-instances 0, request-based billing."; !strings.HasSuffix(s.Recommendations[0].Runlens, want) {
		t.Errorf("%q: want it to end with %q", s.Recommendations[0].Runlens, want)
	}
}

// The note on the cost recommender's silence needs it read, a cheaper
// request-based billing, and no cost recommendation.
func TestRecommendationsNote(t *testing.T) {
	s := costRow(model.BillingInstance, 1, ptr(0.25))
	s.Recommendations = []Recommendation{}
	s.compareRecommendations()
	if want := "runlens's model finds request-based billing cheaper: $0.25 instead of $1.00 over the window (-75 %)."; !strings.HasSuffix(s.RecommendationsNote, want) {
		t.Errorf("note %q, want it to end with %q", s.RecommendationsNote, want)
	}
	s = costRow(model.BillingInstance, 1, ptr(0.25))
	s.RecommendersRead = []string{model.RecommenderIdentity}
	s.compareRecommendations()
	if s.RecommendationsNote != "" {
		t.Errorf("note %q with the cost recommender not read; want none", s.RecommendationsNote)
	}
	s = costRow(model.BillingRequest, 1, ptr(2.0))
	s.compareRecommendations()
	if s.RecommendationsNote != "" {
		t.Errorf("note %q where instance-based billing is dearer; want none", s.RecommendationsNote)
	}
}

func TestUSD(t *testing.T) {
	for v, want := range map[float64]string{0: "$0.00", 0.9: "$0.90", 0.6507348: "$0.6507", 0.0037526548: "$0.003753", 0.00001: "$0.00001",
		-0.25: "-$0.25", 1.63829: "$1.64", 12.5: "$12.50", 4321.7: "$4322"} {
		if got := usd(v); got != want {
			t.Errorf("usd(%v) = %q, want %q", v, got, want)
		}
	}
}

// runlens's own waste findings about instances and billing join the
// sentence on Google's cost recommendation, with their saving a month.
func TestCompareRecommendationsWaste(t *testing.T) {
	s := costRow(model.BillingRequest, 1, ptr(2.0))
	s.Waste = []Waste{{ID: WasteIdleMinInstances, SavingUSDPerMonth: 19.427}, {ID: WasteCPUBoostUnused, SavingUSDPerMonth: 1}, {ID: WasteRightsizeCPU, SavingUSDPerMonth: 9.69}}
	s.Recommendations = []Recommendation{{Recommender: model.RecommenderCost}}
	s.compareRecommendations()
	if want := " runlens's own findings: idle_min_instances saves $19.43 a month; rightsize_cpu saves $9.69 a month."; !strings.HasSuffix(s.Recommendations[0].Runlens, want) {
		t.Errorf("%q: want it to end with %q", s.Recommendations[0].Runlens, want)
	}
}
