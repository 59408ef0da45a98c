package fakegcp

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	recommender "cloud.google.com/go/recommender/apiv1"
	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"github.com/google/go-cmp/cmp"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

const costParent = "projects/p/locations/europe-west1/recommenders/google.run.service.CostRecommender"

// writeRecommendations writes three cost recommendations in europe-west1
// (P2 active, P4 active, P1 dismissed), one in us-central1 and an identity
// one, as a JSON array in recommendations.json.
func writeRecommendations(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	rec := func(parent, id, prio, state, service string) string {
		return `{"name":"` + parent + `/recommendations/` + id + `","description":"` + id + `","priority":"` + prio + `",` +
			`"stateInfo":{"state":"` + state + `"},"recommenderSubtype":"CHANGE_CPU_ALLOCATION",` +
			`"targetResources":["//run.googleapis.com/projects/p/locations/europe-west1/services/` + service + `"],` +
			`"primaryImpact":{"category":"COST","costProjection":{"cost":{"currencyCode":"USD","units":"-12","nanos":-500000000},"duration":"2592000s"}}}`
	}
	write(t, filepath.Join(dir, RecommendationsFile), "["+strings.Join([]string{
		rec(costParent, "a", "P2", "ACTIVE", "api"),
		rec(costParent, "b", "P4", "ACTIVE", "web"),
		rec(costParent, "c", "P1", "DISMISSED", "old"),
		rec("projects/p/locations/us-central1/recommenders/google.run.service.CostRecommender", "d", "P2", "ACTIVE", "us"),
		rec("projects/p/locations/europe-west1/recommenders/google.run.service.IdentityRecommender", "e", "P3", "ACTIVE", "api"),
	}, ",")+"]")
	return dir
}

// recommenderClient is the real Recommender client of a fake serving dir.
func recommenderClient(t *testing.T, dir string) (*Server, *recommender.Client, context.Context) {
	t.Helper()
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	c, err := recommender.NewClient(ctx, option.WithEndpoint(s.Addr()), option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return s, c, ctx
}

// listNames pages through ListRecommendations with the real client.
func listNames(ctx context.Context, c *recommender.Client, req *recommenderpb.ListRecommendationsRequest) ([]string, error) {
	var ids []string
	it := c.ListRecommendations(ctx, req)
	for {
		r, err := it.Next()
		if err == iterator.Done {
			return ids, nil
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, r.GetDescription())
	}
}

func TestListRecommendations(t *testing.T) {
	s, c, ctx := recommenderClient(t, writeRecommendations(t))
	if n := s.Stats().Recommendations; n != 5 {
		t.Fatalf("%d recommendations loaded, want 5", n)
	}
	for _, tc := range []struct {
		name, parent, filter string
		size                 int32
		want                 []string
	}{
		{"the parent's only", costParent, "", 0, []string{"a", "b", "c"}},
		{"pages of one", costParent, "", 1, []string{"a", "b", "c"}},
		{"open states", costParent, "stateInfo.state = ACTIVE OR stateInfo.state = CLAIMED", 0, []string{"a", "b"}},
		{"and binds tighter", costParent, "stateInfo.state = ACTIVE AND (priority = P1 OR priority = P2)", 0, []string{"a"}},
		{"snake case state, quoted", costParent, `state_info.state = "DISMISSED"`, 0, []string{"c"}},
		{"target resource", costParent, "targetResources : //run.googleapis.com/projects/p/locations/europe-west1/services/web", 0, []string{"b"}},
		{"another location", "projects/p/locations/us-central1/recommenders/google.run.service.CostRecommender", "", 0, []string{"d"}},
		{"a location with none", "projects/p/locations/asia-east1/recommenders/google.run.service.CostRecommender", "", 0, nil},
		{"another recommender", "projects/p/locations/europe-west1/recommenders/google.run.service.SecurityRecommender", "", 0, nil},
		{"another project", "projects/q/locations/europe-west1/recommenders/google.run.service.CostRecommender", "", 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := listNames(ctx, c, &recommenderpb.ListRecommendationsRequest{Parent: tc.parent, Filter: tc.filter, PageSize: tc.size})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("recommendations (-want +got):\n%s", d)
			}
		})
	}
	if n := s.Calls()["ListRecommendations"]; n < 12 {
		t.Errorf("%d ListRecommendations calls counted, want one per page", n)
	}
}

// The real client is refused what Google refuses: a parent of another
// form, an unknown recommender, a location that is not a region, a filter
// it cannot parse or too long, a page token of another request.
func TestListRecommendationsRefused(t *testing.T) {
	_, c, ctx := recommenderClient(t, writeRecommendations(t))
	for _, tc := range []struct {
		name, parent, filter, token, want string
	}{
		{"no recommenders segment", "projects/p/locations/europe-west1", "", "", "want projects/PROJECT/locations/LOCATION/recommenders/RECOMMENDER_ID"},
		{"service as container", "services/api/locations/europe-west1/recommenders/google.run.service.CostRecommender", "", "", "want projects/PROJECT"},
		{"unknown recommender", "projects/p/locations/europe-west1/recommenders/google.run.service.CheapRecommender", "", "", "not a supported recommender"},
		{"global location", "projects/p/locations/global/recommenders/google.run.service.CostRecommender", "", "", "is regional"},
		{"a zone", "projects/p/locations/europe-west1-b/recommenders/google.run.service.CostRecommender", "", "", "is regional"},
		{"wildcard location", "projects/p/locations/-/recommenders/google.run.service.CostRecommender", "", "", "is regional"},
		{"unknown field", costParent, "service = api", "", `unsupported field "service"`},
		{"bad state", costParent, "stateInfo.state = OPEN", "", `invalid state "OPEN"`},
		{"bad priority", costParent, "priority = HIGH", "", `invalid priority "HIGH"`},
		{"dangling OR", costParent, "priority = P1 OR", "", "the filter ends"},
		{"unclosed parenthesis", costParent, "(priority = P1", "", `missing ")"`},
		{"wrong operator", costParent, "targetResources = x", "", `targetResources takes ":"`},
		{"too long", costParent, "priority = P1" + strings.Repeat(" OR priority = P1", 30), "", "at most 500"},
		{"foreign token", costParent, "", "bm90LWEtdG9rZW4", "page token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := listNames(ctx, c, &recommenderpb.ListRecommendationsRequest{Parent: tc.parent, Filter: tc.filter, PageToken: tc.token})
			if status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want InvalidArgument saying %q", err, tc.want)
			}
		})
	}
	// A token is bound to its request: with another filter it is refused.
	it := c.ListRecommendations(ctx, &recommenderpb.ListRecommendationsRequest{Parent: costParent, PageSize: 1})
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	tok := it.Response.(*recommenderpb.ListRecommendationsResponse).GetNextPageToken()
	if tok == "" {
		t.Fatal("no next page token after the first of three recommendations")
	}
	_, err := listNames(ctx, c, &recommenderpb.ListRecommendationsRequest{Parent: costParent, PageSize: 1, PageToken: tok, Filter: "priority = P4"})
	if status.Code(err) != codes.InvalidArgument {
		t.Errorf("a token used with another filter: %v, want InvalidArgument", err)
	}
}

func TestGetRecommendation(t *testing.T) {
	_, c, ctx := recommenderClient(t, writeRecommendations(t))
	r, err := c.GetRecommendation(ctx, &recommenderpb.GetRecommendationRequest{Name: costParent + "/recommendations/b"})
	if err != nil || r.GetDescription() != "b" || r.GetPrimaryImpact().GetCostProjection().GetCost().GetUnits() != -12 {
		t.Fatalf("got %v, %v; want recommendation b with its cost", r, err)
	}
	for name, code := range map[string]codes.Code{
		costParent + "/recommendations/nope": codes.NotFound,
		costParent:                           codes.InvalidArgument,
		"projects/p/locations/global/recommenders/google.run.service.CostRecommender/recommendations/b": codes.InvalidArgument,
	} {
		if _, err := c.GetRecommendation(ctx, &recommenderpb.GetRecommendationRequest{Name: name}); status.Code(err) != code {
			t.Errorf("GetRecommendation(%s): %v, want %s", name, err, code)
		}
	}
}

// A recommendations file with a misspelt field or a name of no known
// recommender is an error naming the file.
func TestRecommendationsFileRefused(t *testing.T) {
	for what, body := range map[string]string{
		"unknown field":       `{"name":"` + costParent + `/recommendations/a","descripton":"x"}`,
		"unknown recommender": `{"name":"projects/p/locations/europe-west1/recommenders/google.run.service.X/recommendations/a"}`,
		"no id":               `{"name":"` + costParent + `"}`,
	} {
		dir := t.TempDir()
		write(t, filepath.Join(dir, RecommendationsFile), body)
		if _, err := New(dir); err == nil || !strings.Contains(err.Error(), RecommendationsFile) {
			t.Errorf("%s: error %v, want one naming %s", what, err, RecommendationsFile)
		}
	}
}

// A project's directory (a snapshot per service below it) is served with
// the recommendations.json beside the snapshots.
func TestProjectRecommendations(t *testing.T) {
	project := t.TempDir()
	svc := writeSnapshot(t, 2)
	write(t, filepath.Join(svc, "manifest.json"), `{"schema":"runlens.snapshot/v1"}`)
	if err := os.Rename(svc, filepath.Join(project, "svc")); err != nil {
		t.Fatal(err)
	}
	rec := writeRecommendations(t)
	if err := os.Rename(filepath.Join(rec, RecommendationsFile), filepath.Join(project, RecommendationsFile)); err != nil {
		t.Fatal(err)
	}
	s, err := New(project)
	if err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Recommendations != 5 || st.Entries == 0 {
		t.Errorf("stats %+v: want the snapshot's entries and the project's 5 recommendations", st)
	}
}
