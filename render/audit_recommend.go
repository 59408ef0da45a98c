package render

import (
	"fmt"
	"strings"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/model"
)

// The section of Google's recommendations, in the audit's page, terminal
// output and Markdown. Descriptions and names come from the Recommender
// API: they are bounded and escaped like any input text.

const recHeading = "Google's recommendations"

// recHead is the table's header; the page adds runlens's sentence.
var recHead = []string{"Service", "Region", "Recommender", "Priority", "State", "Google's projection", "Description"}

// recommenderLabel is a recommender's short name.
func recommenderLabel(id string) string {
	switch id {
	case model.RecommenderCost:
		return "cost"
	case model.RecommenderIdentity:
		return "identity"
	case model.RecommenderSecurity:
		return "security"
	}
	return id
}

// recWhy says what runlens compares Google's advice with.
const recWhy = "Google's cost recommender only ever recommends moving from request-based to instance-based billing; runlens compares that with the report's cost in both billing modes over the window."

// recSummary says how the recommendations were read, in a sentence.
func recSummary(a *audit.Audit) string {
	r := a.Recommender
	var labels []string
	for _, id := range r.Recommenders {
		labels = append(labels, recommenderLabel(id))
	}
	s := fmt.Sprintf("From the Recommender API: the Cloud Run %s recommenders' open recommendations (active or claimed) in %s, %s; %s read",
		strings.Join(labels, ", "), strings.Join(r.Regions, ", "), pagePlural(int64(r.Calls), "ListRecommendations call", "ListRecommendations calls"),
		pageCount(int64(r.Read)))
	if r.Unmatched > 0 {
		s += fmt.Sprintf(", %s for services not audited", pageCount(int64(r.Unmatched)))
	}
	s += "."
	if len(r.Errors) > 0 {
		s += fmt.Sprintf(" Not read: %s (see the warnings).", pagePlural(int64(len(r.Errors)), "recommender", "recommenders"))
	}
	return s
}

// recProjection is Google's cost projection: "-$12.50 over 30 days".
func recProjection(r audit.Recommendation) string {
	var s string
	switch {
	case r.CostUSD != nil:
		s = pageUSD(*r.CostUSD)
	case r.Cost != nil:
		s = pageFloat(*r.Cost, 2) + " " + r.CostCurrency
	default:
		return "—"
	}
	if r.CostPeriodDays > 0 {
		s += " over " + pageFloat(r.CostPeriodDays, 0) + " days"
	}
	return s
}

// recCells is a recommendation's row, input text cut to MaxTextBytes.
func recCells(s *audit.Service, r audit.Recommendation) []string {
	prio := r.Priority
	if prio == "" {
		prio = "—"
	}
	return []string{clip(s.Name), clip(s.Region), recommenderLabel(clip(r.Recommender)), clip(prio), clip(r.State), recProjection(r), clip(r.Description)}
}

// recSections are the terminal and Markdown sections: the table of
// recommendations, then runlens's sentence on each; none when the
// recommendations were not read.
func recSections(a *audit.Audit) []section {
	if a.Recommender == nil {
		return nil
	}
	t := table{title: recHeading, note: recSummary(a), header: recHead, left: 5, keys: 3, lastText: true}
	said := []string{recWhy}
	for i := range a.Services {
		s := &a.Services[i]
		for _, r := range s.Recommendations {
			t.rows = append(t.rows, recCells(s, r))
			said = append(said, fmt.Sprintf("%s (%s, %s): %s", s.Name, recommenderLabel(r.Recommender), r.State, r.Runlens))
		}
		if s.RecommendationsNote != "" {
			said = append(said, s.Name+": "+s.RecommendationsNote)
		}
	}
	if len(t.rows) == 0 {
		return []section{list{heading: recHeading, items: append([]string{recSummary(a) + " Google has none for the audited services."}, said...)}}
	}
	return []section{t, list{heading: "Google's recommendations against runlens's figures", items: said}}
}

// recView is the page's section.
func recView(a *audit.Audit) *htmlTable {
	if a.Recommender == nil {
		return nil
	}
	t := &htmlTable{Title: recHeading, Notes: []string{recSummary(a), recWhy}, Head: append(append([]string{}, recHead...), "What runlens's figures say"),
		Empty: "Google has no open recommendation for the audited services."}
	for i := range a.Services {
		s := &a.Services[i]
		for _, r := range s.Recommendations {
			var row htmlRow
			for j, c := range recCells(s, r) {
				row.Cells = append(row.Cells, htmlCell{Text: c, Num: j == 5})
			}
			row.Cells = append(row.Cells, htmlCell{Text: clip(r.Runlens)})
			t.Rows = append(t.Rows, row)
		}
		if s.RecommendationsNote != "" {
			t.Notes = append(t.Notes, clip(s.Name)+": "+s.RecommendationsNote)
		}
	}
	return t
}
