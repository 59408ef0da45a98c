package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/grpc/codes"

	"github.com/runlens/runlens/analyze/audit"
	"github.com/runlens/runlens/collect/gcp/fakegcp"
	"github.com/runlens/runlens/internal/fixturetest"
	"github.com/runlens/runlens/model"
)

// byName returns the audit's row of a service.
func byName(t *testing.T, a *audit.Audit, name string) *audit.Service {
	t.Helper()
	for i := range a.Services {
		if a.Services[i].Name == name {
			return &a.Services[i]
		}
	}
	t.Fatalf("no service %s in the audit", name)
	return nil
}

// Google's recommendations for the three-service project
// (testdata/recommendations.json) reach the rows they target, with what
// runlens's figures say of each: Google's cost recommender would move
// mobilenet, request-based, to instance-based billing, which the report
// prices at more than twice the cost; the identity recommender's advice for
// recommender is something runlens does not check, and there runlens finds
// the opposite billing move cheaper. The calls are counted, and the JSON,
// the Markdown, the terminal output and the page show them, escaped.
func TestAuditGoogleRecommendations(t *testing.T) {
	srv := fixturetest.Serve(t, append(threeServices(t), "testdata")...)
	a, err := Audit(context.Background(), config(srv.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	calls := srv.Calls()["ListRecommendations"]
	want := &audit.RecommenderRead{Source: audit.SourceRecommender, Recommenders: model.RunRecommenders,
		Regions: []string{"europe-west1", "us-central1"}, Calls: 6, Read: 4, Unmatched: 1, Errors: []string{}}
	if d := cmp.Diff(want, a.Recommender); d != "" || calls != 6 || a.APICalls["ListRecommendations"] != calls {
		t.Errorf("recommender read (-want +got):\n%s\nListRecommendations: fake-gcp saw %d, the audit counted %d; want one per region and recommender",
			d, calls, a.APICalls["ListRecommendations"])
	}

	mob := byName(t, a, "mobilenet")
	if len(mob.Recommendations) != 1 {
		t.Fatalf("mobilenet: %+v; want the active cost recommendation alone, not the dismissed one", mob.Recommendations)
	}
	cost := mob.Recommendations[0]
	if cost.Recommender != model.RecommenderCost || cost.CostUSD == nil || *cost.CostUSD != -12.5 || cost.CostPeriodDays != 30 ||
		cost.Priority != "P2" || cost.State != "ACTIVE" || cost.Source != audit.SourceRecommender {
		t.Errorf("mobilenet's cost recommendation: %+v", cost)
	}
	if o := mob.Report.Cost.OtherBilling; o == nil || o.TotalUSD <= mob.CostUSD {
		t.Fatalf("mobilenet's other billing %+v against $%v: the fixture no longer makes instance-based billing dearer", o, mob.CostUSD)
	}
	if !cost.Disagrees || !strings.HasPrefix(cost.Runlens, "runlens disagrees: its model prices the window at $0.01977 under instance-based billing against $0.007104 under request-based billing (+178 %)") ||
		!strings.Contains(cost.Runlens, "Google projects a saving of $12.50 over 30 days") {
		t.Errorf("mobilenet: disagrees %v, %q", cost.Disagrees, cost.Runlens)
	}

	rec := byName(t, a, "recommender")
	if len(rec.Recommendations) != 1 || rec.Recommendations[0].Recommender != model.RecommenderIdentity || rec.Recommendations[0].Disagrees ||
		!strings.Contains(rec.Recommendations[0].Runlens, "Google recommends something runlens does not flag") {
		t.Errorf("recommender: %+v; want the identity recommendation, matched through its operation's resource", rec.Recommendations)
	}
	if !strings.Contains(rec.RecommendationsNote, "runlens's model finds request-based billing cheaper: $0.009905 instead of $0.0399 over the window (-75 %)") {
		t.Errorf("recommender's note: %q", rec.RecommendationsNote)
	}
	if d := byName(t, a, "distilbert-qa").Recommendations; len(d) != 1 || d[0].Recommender != model.RecommenderSecurity || d[0].State != "CLAIMED" {
		t.Errorf("distilbert-qa: %+v; want the claimed security recommendation, matched through its overview", d)
	}

	dir := t.TempDir()
	out := Outputs{HTML: filepath.Join(dir, "audit.html"), JSON: filepath.Join(dir, "audit.json")}
	var md, text bytes.Buffer
	out.Format = "markdown"
	if err := WriteAudit(&md, a, out); err != nil {
		t.Fatal(err)
	}
	if err := WriteAudit(&text, a, Outputs{Format: "table"}); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(out.JSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"recommender": "google.run.service.CostRecommender"`, `"cost_usd": -12.5`, `"disagrees": true`,
		`"source": "recommender_api"`, `"ListRecommendations": 6`, `"runlens": "runlens disagrees: its model prices`} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("the JSON has no %s", want)
		}
	}
	for _, want := range []string{"### Google's recommendations", "| mobilenet", "-$12.50 over 30 days",
		"mobilenet (cost, ACTIVE): runlens disagrees: its model prices the window at $0.01977 under instance-based billing",
		"recommender: Google's cost recommender has nothing for this service", "&lt;/td&gt;&lt;script&gt;", `\|`} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown does not say %q", want)
		}
	}
	page, err := os.ReadFile(out.HTML)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "<script>alert") || strings.Contains(md.String(), "\x1b") || strings.Contains(string(page), "<script>alert") {
		t.Errorf("the Markdown or the page shows a recommendation's description unescaped")
	}
	if strings.Contains(text.String(), "\x1b") || !strings.Contains(text.String(), `\x1b[31mred`) {
		t.Errorf("the terminal output lets an escape sequence of a recommendation's description through")
	}
	if !strings.Contains(string(page), "Google&#39;s recommendations") || !strings.Contains(string(page), "&lt;script&gt;alert(1)") ||
		!strings.Contains(string(page), "runlens disagrees: its model prices the window") {
		t.Errorf("the page has no section of Google's recommendations, escaped")
	}
	if !strings.Contains(text.String(), "Google's recommendations against runlens's figures") {
		t.Errorf("the terminal output has no comparison:\n%s", text.String())
	}
}

// A recommender that refuses the caller is a warning naming the role to
// grant; the others of its region are still read, and the rows say which
// were.
func TestAuditRecommenderRefused(t *testing.T) {
	srv := fixturetest.Serve(t, append(threeServices(t), "testdata")...)
	srv.Inject(fakegcp.Fault{Method: "ListRecommendations", Match: "us-central1/recommenders/google.run.service.CostRecommender", Code: codes.PermissionDenied})
	a, err := Audit(context.Background(), config(srv.Addr()))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Recommender.Errors) != 1 || !strings.Contains(a.Recommender.Errors[0], "permission denied (grant the caller roles/recommender.viewer on project runlens-demo)") {
		t.Errorf("errors %q: want the refused cost recommender of us-central1, with the role to grant", a.Recommender.Errors)
	}
	warned := false
	for _, w := range a.Warnings {
		warned = warned || strings.Contains(w, "us-central1/recommenders/google.run.service.CostRecommender")
	}
	if !warned {
		t.Errorf("warnings %q: want the refused recommender", a.Warnings)
	}
	d := byName(t, a, "distilbert-qa")
	if len(d.Recommendations) != 1 || d.RecommendationsNote != "" ||
		!cmp.Equal(d.RecommendersRead, []string{model.RecommenderIdentity, model.RecommenderSecurity}) {
		t.Errorf("distilbert-qa: %+v, read %v, note %q; want its security recommendation, the two recommenders read, and no word on the cost recommender's silence",
			d.Recommendations, d.RecommendersRead, d.RecommendationsNote)
	}
	if m := byName(t, a, "mobilenet"); len(m.Recommendations) != 1 {
		t.Errorf("mobilenet: %+v; europe-west1 was read", m.Recommendations)
	}
}

// The audit project's recommendations (fixtures/audit-project, its README
// says what each is for): Google's cost recommender would move catalog,
// request-based with two idle minimum instances, to instance-based
// billing, which the report prices at three times the cost; it says
// nothing of api, which runlens finds cheaper the other way; checkout's
// default service account and ingest's API key in an environment variable
// are Google's alone; legacy's dismissed recommendation is not asked for.
func TestAuditProjectGoogleRecommendations(t *testing.T) {
	a, srv := auditFixtureProject(t)
	if r := a.Recommender; r == nil || r.Calls != 3 || r.Read != 3 || r.Unmatched != 0 || len(r.Errors) != 0 ||
		a.APICalls["ListRecommendations"] != 3 || srv.Calls()["ListRecommendations"] != 3 {
		t.Errorf("recommender read %+v, api calls %v: want 3 recommendations read in 3 calls, one per recommender", r, a.APICalls)
	}
	got := map[string]string{}
	for _, s := range a.Services {
		for _, r := range s.Recommendations {
			got[s.Name] += r.Recommender + " " + r.State + ";"
		}
	}
	want := map[string]string{
		"catalog":  model.RecommenderCost + " ACTIVE;",
		"checkout": model.RecommenderIdentity + " ACTIVE;",
		"ingest":   model.RecommenderSecurity + " ACTIVE;",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("recommendations by service (-want +got):\n%s", d)
	}
	cat := byName(t, a, "catalog").Recommendations[0]
	const disagree = "runlens disagrees: its model prices the window at $2.02 under instance-based billing against $0.6507 under request-based billing (+210 %): " +
		"at this window's traffic, switching costs more than it saves; Google projects a saving of $4.18 over 30 days"
	if !cat.Disagrees || !strings.HasPrefix(cat.Runlens, disagree) || !strings.HasSuffix(cat.Runlens, "runlens's own finding: idle_min_instances saves $19.43 a month.") {
		t.Errorf("catalog: disagrees %v, %q; want %q and runlens's own idle_min_instances finding", cat.Disagrees, cat.Runlens, disagree)
	}
	const apiNote = "runlens's model finds request-based billing cheaper: $0.003753 instead of $1.64 over the window (-100 %). " +
		"runlens's own finding: billing_request_based saves $49.04 a month."
	if n := byName(t, a, "api").RecommendationsNote; !strings.Contains(n, apiNote) {
		t.Errorf("api: note %q; want %q", n, apiNote)
	}
	for _, name := range []string{"checkout", "ingest"} {
		if r := byName(t, a, name).Recommendations[0]; r.Disagrees || !strings.HasSuffix(r.Runlens, "Google recommends something runlens does not flag.") {
			t.Errorf("%s: %+v", name, r)
		}
	}
	dir := t.TempDir()
	var md bytes.Buffer
	if err := WriteAudit(&md, a, Outputs{JSON: filepath.Join(dir, "audit.json"), Format: "markdown"}); err != nil {
		t.Fatal(err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"recommender": "google.run.service.IdentityRecommender"`, `"cost_usd": -4.18`, `"ListRecommendations": 3`,
		`"recommendations_note": "Google's cost recommender has nothing for this service`} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("the JSON has no %s", want)
		}
	}
	for _, want := range []string{"| catalog  | europe-west1 | cost", "-$4.18 over 30 days", "catalog (cost, ACTIVE): " + disagree,
		"checkout (identity, ACTIVE): runlens does not look at service accounts", "api: Google's cost recommender has nothing for this service"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown does not say %q", want)
		}
	}
}
