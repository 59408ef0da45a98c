package audit

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/runlens/runlens/model"
)

// SourceRecommender is the data source of a Recommendation.
const SourceRecommender = "recommender_api"

// Recommendation is one of Google's own recommendations for a service, as
// the Recommender API gave it, and what runlens's own figures say of it.
// Description, and every string but Runlens, come from the API.
type Recommendation struct {
	Recommender string `json:"recommender"`
	Name        string `json:"name"`
	Subtype     string `json:"subtype,omitempty"`
	Description string `json:"description"`
	Priority    string `json:"priority"` // "P1" (highest) to "P4"; "" unspecified
	State       string `json:"state"`    // "ACTIVE", "CLAIMED"
	Category    string `json:"category"` // of the primary impact: "COST", "SECURITY"...
	// CostUSD is Google's cost projection over CostPeriodDays: negative is
	// a saving. Null when there is none, or when it is in another currency
	// (CostCurrency and Cost then say it).
	CostUSD        *float64 `json:"cost_usd"`
	Cost           *float64 `json:"cost,omitempty"`
	CostCurrency   string   `json:"cost_currency,omitempty"`
	CostPeriodDays float64  `json:"cost_period_days,omitempty"`
	// LastRefresh is when Google last refreshed it.
	LastRefresh *time.Time `json:"last_refresh,omitempty"`
	Source      string     `json:"source"`
	// Runlens says in a sentence what runlens's own figures (the report's
	// cost in both billing modes, the replay's cheapest setting, the
	// findings) say of it; Disagrees is set when they point the other way.
	Runlens   string `json:"runlens"`
	Disagrees bool   `json:"disagrees"`
}

// RecommenderRead is how the audit read the Recommender API: the
// recommenders and regions asked, the ListRecommendations calls made (also
// counted in Audit.APICalls), the recommendations that targeted no
// audited service, and what could not be read.
type RecommenderRead struct {
	Source       string   `json:"source"`
	Recommenders []string `json:"recommenders"`
	Regions      []string `json:"regions"`
	Calls        int      `json:"calls"`
	Read         int      `json:"read"`
	Unmatched    int      `json:"unmatched"`
	Errors       []string `json:"errors"`
}

// compareRecommendations writes, for each of Google's recommendations of
// the row, what runlens's own figures say of it; and, when Google's cost
// recommender was read for the row and has nothing while runlens's model
// finds the other billing mode cheaper, says that in RecommendationsNote.
func (s *Service) compareRecommendations() {
	hasCost := false
	for i := range s.Recommendations {
		r := &s.Recommendations[i]
		r.Runlens, r.Disagrees = s.judge(r)
		hasCost = hasCost || r.Recommender == model.RecommenderCost
	}
	if !slices.Contains(s.RecommendersRead, model.RecommenderCost) || hasCost || s.Report == nil {
		return
	}
	c := s.Report.Cost
	if o := c.OtherBilling; o != nil && o.TotalUSD < c.TotalUSD && o.Billing == model.BillingRequest {
		s.RecommendationsNote = fmt.Sprintf("Google's cost recommender has nothing for this service (it only ever recommends moving to instance-based billing); "+
			"runlens's model finds request-based billing cheaper: %s instead of %s over the window (%s).%s",
			usd(o.TotalUSD), usd(c.TotalUSD), pct(o.TotalUSD, c.TotalUSD), s.wasteSaid(WasteBillingRequest))
	}
}

// judge is the sentence for one recommendation, and whether runlens's
// figures disagree with it.
func (s *Service) judge(r *Recommendation) (string, bool) {
	switch r.Recommender {
	case model.RecommenderCost:
		return s.judgeCost(r)
	case model.RecommenderIdentity:
		return "runlens does not look at service accounts or their permissions: Google recommends something runlens does not flag.", false
	case model.RecommenderSecurity:
		return "runlens does not read environment variables or secrets: Google recommends something runlens does not flag.", false
	}
	return "runlens has nothing to compare this recommender's advice with.", false
}

// judgeCost compares the cost recommender's advice, instance-based
// billing, with the report's cost in both billing modes over the window.
func (s *Service) judgeCost(r *Recommendation) (string, bool) {
	if s.Report == nil {
		return "runlens has no cost figures for this service to compare with.", false
	}
	c, billing := s.Report.Cost, s.Report.Service.Billing
	o := c.OtherBilling
	google := googleProjection(r)
	switch {
	case o == nil:
		return fmt.Sprintf("runlens cannot check this: its model prices the other billing mode only from request logs read whole (logs %s)%s.",
			s.Logs.Status, google), false
	case billing == model.BillingInstance && o.TotalUSD < c.TotalUSD:
		return fmt.Sprintf("runlens disagrees: the service already uses instance-based billing, and its model finds request-based billing cheaper, "+
			"%s instead of %s over the window (%s)%s.", usd(o.TotalUSD), usd(c.TotalUSD), pct(o.TotalUSD, c.TotalUSD), google), true
	case billing == model.BillingInstance:
		return fmt.Sprintf("The service already uses instance-based billing; runlens's model agrees it is the cheaper mode (%s against %s under request-based billing over the window)%s.",
			usd(c.TotalUSD), usd(o.TotalUSD), google), false
	case o.TotalUSD < c.TotalUSD:
		return fmt.Sprintf("runlens agrees: its model prices the window at %s under instance-based billing against %s under request-based billing (%s, about %s a month at this window's traffic)%s.%s%s",
			usd(o.TotalUSD), usd(c.TotalUSD), pct(o.TotalUSD, c.TotalUSD), usd(s.perMonth(c.TotalUSD-o.TotalUSD)), google, s.replayed(), s.wasteSaid(costWastes...)), false
	}
	return fmt.Sprintf("runlens disagrees: its model prices the window at %s under instance-based billing against %s under request-based billing (%s): "+
		"at this window's traffic, switching costs more than it saves%s.%s%s", usd(o.TotalUSD), usd(c.TotalUSD), pct(o.TotalUSD, c.TotalUSD), google,
		s.replayed(), s.wasteSaid(costWastes...)), true
}

// costWastes are runlens's own findings about what a service's instances
// and billing cost, set beside Google's cost recommendation.
var costWastes = []string{WasteIdleMinInstances, WasteBillingRequest, WasteRightsizeCPU, WasteRightsizeMemory}

// wasteSaid names runlens's own waste findings of the row among ids, with
// their saving a month: " runlens's own findings: idle_min_instances saves
// $19.43 a month."; "" when it has none of them.
func (s *Service) wasteSaid(ids ...string) string {
	var parts []string
	for _, w := range s.Waste {
		if slices.Contains(ids, w.ID) {
			parts = append(parts, fmt.Sprintf("%s saves %s a month", w.ID, usd(w.SavingUSDPerMonth)))
		}
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return " runlens's own finding: " + parts[0] + "."
	}
	return " runlens's own findings: " + strings.Join(parts, "; ") + "."
}

// googleProjection is ", where Google projects a saving of $X over N days"
// when the recommendation has a cost projection in USD.
func googleProjection(r *Recommendation) string {
	if r.CostUSD == nil {
		return ""
	}
	what := "a saving of " + usd(-*r.CostUSD)
	if *r.CostUSD > 0 {
		what = "an increase of " + usd(*r.CostUSD)
	}
	if r.CostPeriodDays > 0 {
		what += fmt.Sprintf(" over %.0f days", r.CostPeriodDays)
	}
	return "; Google projects " + what + " from its own look at past traffic"
}

// replayed adds the replay's cheapest setting (audit -whatif) when it has one.
func (s *Service) replayed() string {
	if s.Cheapest == nil || !s.Cheapest.Saves {
		return ""
	}
	return fmt.Sprintf(" The replay's cheapest setting within today's p95 is min-instances %d, %s-based billing.", s.Cheapest.Setting.MinInstances, s.Cheapest.Setting.Billing)
}

// perMonth scales a cost over the report's window to 30 days.
func (s *Service) perMonth(v float64) float64 {
	w := s.Report.Window.End.Sub(s.Report.Window.Start)
	if w <= 0 {
		return math.NaN()
	}
	return v * float64(30*24*time.Hour) / float64(w)
}

// usd writes dollars: cents from $1, whole dollars from $1,000, four
// significant digits (and at least cents) below $1.
func usd(v float64) string {
	a := math.Abs(v)
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "an unknown amount"
	case v < 0:
		return "-" + usd(a)
	case a >= 1000:
		return fmt.Sprintf("$%.0f", v)
	case a >= 1 || a == 0:
		return fmt.Sprintf("$%.2f", v)
	}
	digits := 3 - int(math.Floor(math.Log10(a)))
	s := strings.TrimRight(fmt.Sprintf("%.*f", digits, v), "0")
	if dot := strings.IndexByte(s, '.'); len(s)-dot-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-dot-1))
	}
	return "$" + s
}

// pct is the change from base to v: "-35 %", "+120 %".
func pct(v, base float64) string {
	if base == 0 {
		return "no cost under the current mode"
	}
	return fmt.Sprintf("%+.0f %%", 100*(v-base)/base)
}
