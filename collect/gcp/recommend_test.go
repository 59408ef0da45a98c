package gcp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"

	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/model"
)

// Recommendations lists each recommender of each region, matches each
// recommendation to the service it targets (target_resources first, then
// the operations' resources, then the overview's values), retries what
// may pass the next time, and counts every call.
func TestRecommendations(t *testing.T) {
	dir := t.TempDir()
	const parent = "projects/p/locations/europe-west1/recommenders/"
	recs := `[
{"name":"` + parent + model.RecommenderCost + `/recommendations/a","description":"by target","priority":"P2","stateInfo":{"state":"ACTIVE"},
 "targetResources":["//compute.googleapis.com/projects/p/zones/europe-west1-b/instances/vm","//run.googleapis.com/projects/123/locations/europe-west1/services/api"],
 "content":{"operationGroups":[{"operations":[{"resource":"//run.googleapis.com/projects/p/locations/europe-west1/services/other"}]}]},
 "primaryImpact":{"category":"COST","costProjection":{"cost":{"currencyCode":"EUR","units":"-3","nanos":-250000000},"duration":"604800s"}},
 "lastRefreshTime":"2024-06-04T06:00:00Z"},
{"name":"` + parent + model.RecommenderIdentity + `/recommendations/b","description":"by operation","stateInfo":{"state":"CLAIMED"},
 "content":{"operationGroups":[{"operations":[{"resource":"//iam.googleapis.com/projects/p/serviceAccounts/x"},{"resource":"//run.googleapis.com/projects/p/locations/europe-west1/services/web"}]}]}},
{"name":"` + parent + model.RecommenderSecurity + `/recommendations/c","description":"by overview","stateInfo":{"state":"ACTIVE"},
 "content":{"overview":{"a":{"nested":["x","projects/p/locations/europe-west1/services/jobs"]}}}},
{"name":"` + parent + model.RecommenderSecurity + `/recommendations/d","description":"dismissed","stateInfo":{"state":"DISMISSED"}},
{"name":"` + parent + model.RecommenderSecurity + `/recommendations/e","description":"no target","stateInfo":{"state":"ACTIVE"}}
]`
	if err := os.WriteFile(filepath.Join(dir, fakegcp.RecommendationsFile), []byte(recs), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := startFake(t, dir)
	fake.Inject(fakegcp.Fault{Method: "ListRecommendations", Match: model.RecommenderIdentity, Code: codes.Unavailable})
	c, err := Dial(deadline(t), fake.Addr())
	must(t, err)
	defer c.Close()
	c.cfg.Retry.Initial = 10 * time.Millisecond
	got, errs := c.Recommendations(deadline(t), "p", []string{"europe-west1", "us-central1"})
	if len(errs) != 0 {
		t.Fatalf("errors %v", errs)
	}
	eur, refreshed := -3.25, time.Date(2024, 6, 4, 6, 0, 0, 0, time.UTC)
	want := []Recommendation{
		{Recommender: model.RecommenderCost, Name: parent + model.RecommenderCost + "/recommendations/a", Region: "europe-west1", Service: "api",
			Description: "by target", Priority: "P2", State: "ACTIVE", Category: "COST", Cost: &eur, CostCurrency: "EUR", CostPeriod: 7 * 24 * time.Hour, LastRefresh: refreshed},
		{Recommender: model.RecommenderIdentity, Name: parent + model.RecommenderIdentity + "/recommendations/b", Region: "europe-west1", Service: "web",
			Description: "by operation", State: "CLAIMED"},
		{Recommender: model.RecommenderSecurity, Name: parent + model.RecommenderSecurity + "/recommendations/c", Region: "europe-west1", Service: "jobs",
			Description: "by overview", State: "ACTIVE"},
		{Recommender: model.RecommenderSecurity, Name: parent + model.RecommenderSecurity + "/recommendations/e", Description: "no target", State: "ACTIVE"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("recommendations (-want +got):\n%s", d)
	}
	// Six lists, one retried.
	if n, f := c.Calls()["ListRecommendations"], fake.Calls()["ListRecommendations"]; n != 7 || f != 7 {
		t.Errorf("ListRecommendations: the client counted %d, the fake saw %d; want 7 (3 recommenders x 2 regions, one retried)", n, f)
	}

	fake.Inject(fakegcp.Fault{Method: "ListRecommendations", Match: "us-central1/recommenders/" + model.RecommenderCost, Code: codes.PermissionDenied})
	_, errs = c.Recommendations(deadline(t), "p", []string{"us-central1"})
	e := errs["projects/p/locations/us-central1/recommenders/"+model.RecommenderCost]
	if len(errs) != 1 || e == nil || !strings.Contains(e.Error(), "permission denied (grant the caller roles/recommender.viewer on project p)") {
		t.Errorf("errors %v: want the cost recommender's refusal alone, with the role to grant", errs)
	}
}

func TestRunServiceResource(t *testing.T) {
	for name, want := range map[string][2]string{
		"//run.googleapis.com/projects/p/locations/r/services/s":             {"r", "s"},
		"projects/123/locations/r/services/s":                                {"r", "s"},
		"//run.googleapis.com/projects/p/locations/r/jobs/s":                 {},
		"//compute.googleapis.com/projects/p/locations/r/services/s":         {},
		"//run.googleapis.com/projects/p/locations/r/services/s/revisions/x": {},
		"": {},
	} {
		region, service, ok := RunServiceResource(name)
		if [2]string{region, service} != want || ok != (want[0] != "") {
			t.Errorf("RunServiceResource(%q) = %q, %q, %v; want %q", name, region, service, ok, want)
		}
	}
}
