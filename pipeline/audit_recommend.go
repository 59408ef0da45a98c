package pipeline

import (
	"context"
	"maps"
	"slices"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/collect/gcp"
	"github.com/runlens/runlens/model"
)

// recommendations reads the Cloud Run recommenders' open recommendations
// in the regions of the rows and gives each row those that target it, and
// the recommenders read for its region: an empty list when Google has none
// for it, none at all (nil) when no recommender of its region could be
// read. What could not be read is in the returned RecommenderRead's
// errors, not fatal. Without rows, nothing is read and it returns nil.
func recommendations(ctx context.Context, client *gcp.Client, project string, rows []audit.Service) *audit.RecommenderRead {
	var regions []string
	for _, r := range rows {
		regions = append(regions, r.Region)
	}
	slices.Sort(regions)
	regions = slices.Compact(regions)
	if len(regions) == 0 {
		return nil // no service: nothing to ask for
	}
	before := client.Calls()["ListRecommendations"]
	recs, errs := client.Recommendations(ctx, project, regions)
	read := &audit.RecommenderRead{Source: audit.SourceRecommender, Recommenders: slices.Clone(model.RunRecommenders), Regions: regions,
		Calls: client.Calls()["ListRecommendations"] - before, Read: len(recs), Errors: []string{}}
	for _, parent := range slices.Sorted(maps.Keys(errs)) {
		read.Errors = append(read.Errors, errs[parent].Error())
	}
	row := map[[2]string]*audit.Service{}
	for i := range rows {
		s := &rows[i]
		for _, id := range model.RunRecommenders {
			if _, failed := errs["projects/"+project+"/locations/"+s.Region+"/recommenders/"+id]; !failed {
				s.RecommendersRead = append(s.RecommendersRead, id)
			}
		}
		if len(s.RecommendersRead) > 0 {
			s.Recommendations = []audit.Recommendation{}
		}
		row[[2]string{s.Region, s.Name}] = s
	}
	for _, r := range recs {
		s := row[[2]string{r.Region, r.Service}]
		if s == nil {
			read.Unmatched++
			continue
		}
		s.Recommendations = append(s.Recommendations, auditRecommendation(r))
	}
	return read
}

// auditRecommendation is a recommendation as the audit keeps it.
func auditRecommendation(r gcp.Recommendation) audit.Recommendation {
	out := audit.Recommendation{Recommender: r.Recommender, Name: r.Name, Subtype: r.Subtype, Description: r.Description,
		Priority: r.Priority, State: r.State, Category: r.Category, Source: audit.SourceRecommender}
	if r.Cost != nil {
		if r.CostCurrency == "USD" {
			out.CostUSD = r.Cost
		} else {
			out.Cost, out.CostCurrency = r.Cost, r.CostCurrency
		}
		out.CostPeriodDays = r.CostPeriod.Hours() / 24
	}
	if !r.LastRefresh.IsZero() {
		t := r.LastRefresh
		out.LastRefresh = &t
	}
	return out
}
