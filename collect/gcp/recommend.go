package gcp

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"google.golang.org/api/iterator"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/runlens/runlens/model"
)

// openStates is the filter of ListRecommendations: the recommendations
// still to act on. Succeeded, failed and dismissed ones are history.
const openStates = "stateInfo.state = ACTIVE OR stateInfo.state = CLAIMED"

// Recommendation is one recommendation of a Cloud Run recommender, for the
// service it targets, without the SDK's types.
type Recommendation struct {
	Recommender string // e.g. model.RecommenderCost
	Name        string // projects/P/locations/R/recommenders/ID/recommendations/X
	// Service and Region are those of the Cloud Run service it targets
	// (from target_resources, else the operations' resources, else the
	// overview's values); empty when it names none.
	Service, Region string
	Subtype         string
	Description     string
	Priority        string // "P1" (highest) to "P4"; "" unspecified
	State           string // "ACTIVE", "CLAIMED"...
	Category        string // primary impact: "COST", "SECURITY"...
	// Cost is the primary impact's cost projection, when it has one:
	// negative is a saving, over CostPeriod, in CostCurrency.
	Cost         *float64
	CostCurrency string
	CostPeriod   time.Duration
	LastRefresh  time.Time
}

// Recommendations lists the open recommendations of each Cloud Run
// recommender in each region (one ListRecommendations call per region and
// recommender, and its pages). A recommender that cannot be read (not
// enabled, permission denied) does not stop the others: its error is
// returned in errs, keyed by its parent.
func (c *Client) Recommendations(ctx context.Context, project string, regions []string) (recs []Recommendation, errs map[string]error) {
	col := &collector{cfg: c.cfg, cl: c.cl, ledger: c.ledger}
	col.cfg.Project = project
	errs = map[string]error{}
	for _, region := range regions {
		for _, id := range model.RunRecommenders {
			parent := "projects/" + project + "/locations/" + region + "/recommenders/" + id
			got, err := col.listRecommendations(ctx, parent, id)
			if err != nil {
				errs[parent] = fmt.Errorf("listing recommendations of %s: %w", parent, explain(err, "roles/recommender.viewer", project))
				continue
			}
			recs = append(recs, got...)
		}
	}
	return recs, errs
}

// listRecommendations reads every page of one recommender's open
// recommendations, again from the first page when a call is retried.
func (c *collector) listRecommendations(ctx context.Context, parent, id string) ([]Recommendation, error) {
	var out []Recommendation
	err := c.retry(ctx, "ListRecommendations", func() error {
		out = out[:0]
		it := c.cl.recommender.ListRecommendations(ctx, &recommenderpb.ListRecommendationsRequest{Parent: parent, Filter: openStates}, noRetry)
		for {
			r, err := it.Next()
			if err == iterator.Done {
				return nil
			}
			if err != nil {
				return err
			}
			out = append(out, recommendation(r, id))
		}
	})
	return out, err
}

// recommendation converts a Recommendation at the edge.
func recommendation(r *recommenderpb.Recommendation, id string) Recommendation {
	rec := Recommendation{Recommender: id, Name: r.GetName(), Subtype: r.GetRecommenderSubtype(),
		Description: r.GetDescription(), State: r.GetStateInfo().GetState().String()}
	if r.GetPriority() != recommenderpb.Recommendation_PRIORITY_UNSPECIFIED {
		rec.Priority = r.GetPriority().String()
	}
	if t := r.GetLastRefreshTime(); t != nil {
		rec.LastRefresh = t.AsTime().UTC()
	}
	if imp := r.GetPrimaryImpact(); imp != nil {
		rec.Category = imp.GetCategory().String()
		if cp := imp.GetCostProjection(); cp.GetCost() != nil {
			m := cp.GetCost()
			v := float64(m.GetUnits()) + float64(m.GetNanos())/1e9
			rec.Cost, rec.CostCurrency, rec.CostPeriod = &v, m.GetCurrencyCode(), cp.GetDuration().AsDuration()
		}
	}
	rec.Region, rec.Service = targetService(r)
	return rec
}

// targetService finds the Cloud Run service a recommendation is about:
// the first full resource name //run.googleapis.com/projects/P/locations/
// R/services/S among its target_resources, then its operations' resources,
// then the string values of its overview.
func targetService(r *recommenderpb.Recommendation) (region, service string) {
	names := append([]string(nil), r.GetTargetResources()...)
	for _, g := range r.GetContent().GetOperationGroups() {
		for _, op := range g.GetOperations() {
			names = append(names, op.GetResource())
		}
	}
	names = append(names, overviewStrings(r.GetContent().GetOverview())...)
	for _, n := range names {
		if region, service, ok := RunServiceResource(n); ok {
			return region, service
		}
	}
	return "", ""
}

// overviewStrings returns the string values of an overview, nested ones
// included, in a stable order (the fields' names sorted).
func overviewStrings(s *structpb.Struct) []string {
	var out []string
	var walk func(v *structpb.Value)
	walk = func(v *structpb.Value) {
		switch x := v.GetKind().(type) {
		case *structpb.Value_StringValue:
			out = append(out, x.StringValue)
		case *structpb.Value_ListValue:
			for _, e := range x.ListValue.GetValues() {
				walk(e)
			}
		case *structpb.Value_StructValue:
			for _, k := range slices.Sorted(maps.Keys(x.StructValue.GetFields())) {
				walk(x.StructValue.GetFields()[k])
			}
		}
	}
	walk(structpb.NewStructValue(s))
	return out
}

// RunServiceResource parses a Cloud Run service's full resource name,
// //run.googleapis.com/projects/P/locations/R/services/S (the project an
// ID or a number), or its relative name projects/P/locations/R/services/S.
func RunServiceResource(name string) (region, service string, ok bool) {
	name = strings.TrimPrefix(name, "//run.googleapis.com/")
	p := strings.Split(name, "/")
	if len(p) != 6 || p[0] != "projects" || p[2] != "locations" || p[4] != "services" || p[1] == "" || p[3] == "" || p[5] == "" {
		return "", "", false
	}
	return p[3], p[5], true
}
