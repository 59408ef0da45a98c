package fakegcp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"cloud.google.com/go/recommender/apiv1/recommenderpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// RecommendationsFile is the file of a loaded directory that holds the
// recommendations served: Recommendation messages in their JSON form, one
// after another or in an array (gzipped as recommendations.json.gz).
const RecommendationsFile = "recommendations.json"

// knownRecommenders are the recommender IDs the fake knows: Google's
// Cloud Run recommenders (https://cloud.google.com/recommender/docs/recommenders),
// all regional. Any other ID is refused, as Google refuses an ID it does
// not know.
var knownRecommenders = []string{
	"google.run.service.CostRecommender",
	"google.run.service.IdentityRecommender",
	"google.run.service.SecurityRecommender",
}

// maxRecommendationFilter is the longest filter the Recommender API takes.
const maxRecommendationFilter = 500

// defaultRecommendationPage is the page size when none is asked for.
const defaultRecommendationPage = 50

// recommenderServer is the Recommender API v1, read-only.
type recommenderServer struct {
	recommenderpb.UnimplementedRecommenderServer
	s *Server
}

// recommenderParent is a checked parent of ListRecommendations.
type recommenderParent struct {
	container, location, recommender string
}

// parseRecommenderParent checks CONTAINER/locations/L/recommenders/ID, the
// container projects/P, billingAccounts/B, folders/F or organizations/O.
// The Cloud Run recommenders are regional: "global" and zones (a region
// with a "-a" suffix) are refused, and so is the wildcard "-".
func parseRecommenderParent(parent string) (recommenderParent, error) {
	p := strings.Split(parent, "/")
	containers := []string{"projects", "billingAccounts", "folders", "organizations"}
	if len(p) != 6 || !slices.Contains(containers, p[0]) || p[1] == "" || p[2] != "locations" || p[3] == "" || p[4] != "recommenders" || p[5] == "" {
		return recommenderParent{}, fmt.Errorf("parent %q: want projects/PROJECT/locations/LOCATION/recommenders/RECOMMENDER_ID", parent)
	}
	if !slices.Contains(knownRecommenders, p[5]) {
		return recommenderParent{}, fmt.Errorf("recommender %q is not a supported recommender", p[5])
	}
	if !isRegion(p[3]) {
		return recommenderParent{}, fmt.Errorf("location %q: recommender %s is regional; give a region such as europe-west1", p[3], p[5])
	}
	return recommenderParent{container: p[0] + "/" + p[1], location: p[3], recommender: p[5]}, nil
}

// isRegion reports whether loc looks like a region: letters, a dash,
// letters and a final digit (europe-west1, us-central1), not a zone.
func isRegion(loc string) bool {
	parts := strings.Split(loc, "-")
	if len(parts) < 2 {
		return false
	}
	last := parts[len(parts)-1]
	return last != "" && last[len(last)-1] >= '0' && last[len(last)-1] <= '9'
}

// ListRecommendations returns the recommendations under the parent: those
// whose name starts with PARENT/recommendations/, so that a recommendation
// of another location or recommender is never answered. The filter is
// checked as Google checks it; page size and page tokens are honoured.
func (r *recommenderServer) ListRecommendations(ctx context.Context, req *recommenderpb.ListRecommendationsRequest) (*recommenderpb.ListRecommendationsResponse, error) {
	r.s.count("ListRecommendations")
	if err := r.s.fault(ctx, "ListRecommendations", 0, req.GetParent()); err != nil {
		return nil, err
	}
	if _, err := parseRecommenderParent(req.GetParent()); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	f, err := parseRecFilter(req.GetFilter())
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid filter %q: %v", req.GetFilter(), err)
	}
	tok, err := parseToken(req.GetPageToken(), requestHash("recommendations", req.GetParent(), req.GetFilter()))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	var all []*recommenderpb.Recommendation
	for _, rec := range r.s.data.recommendations {
		if strings.HasPrefix(rec.GetName(), req.GetParent()+"/recommendations/") && f.match(rec) {
			all = append(all, rec)
		}
	}
	size := int(req.GetPageSize())
	if size <= 0 {
		size = defaultRecommendationPage
	}
	if tok.offset > len(all) {
		return nil, status.Errorf(codes.InvalidArgument, "page token %q is past the end", req.GetPageToken())
	}
	end := min(tok.offset+size, len(all))
	resp := &recommenderpb.ListRecommendationsResponse{Recommendations: all[tok.offset:end]}
	if end < len(all) {
		tok.offset = end
		resp.NextPageToken = tok.String()
	}
	return resp, nil
}

// GetRecommendation returns the recommendation of that name.
func (r *recommenderServer) GetRecommendation(ctx context.Context, req *recommenderpb.GetRecommendationRequest) (*recommenderpb.Recommendation, error) {
	r.s.count("GetRecommendation")
	if err := r.s.fault(ctx, "GetRecommendation", 0, req.GetName()); err != nil {
		return nil, err
	}
	parent, id, ok := strings.Cut(req.GetName(), "/recommendations/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return nil, status.Errorf(codes.InvalidArgument, "name %q: want projects/PROJECT/locations/LOCATION/recommenders/RECOMMENDER_ID/recommendations/ID", req.GetName())
	}
	if _, err := parseRecommenderParent(parent); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	for _, rec := range r.s.data.recommendations {
		if rec.GetName() == req.GetName() {
			return rec, nil
		}
	}
	return nil, status.Errorf(codes.NotFound, "recommendation %q not found", req.GetName())
}

// recFilter is a parsed ListRecommendations filter: terms joined by AND
// and OR (AND binding tighter), with parentheses, as in
// "stateInfo.state = ACTIVE AND (priority = P1 OR priority = P2)".
type recFilter interface {
	match(*recommenderpb.Recommendation) bool
}

type recAll struct{}

func (recAll) match(*recommenderpb.Recommendation) bool { return true }

type recOr []recFilter
type recAnd []recFilter

func (o recOr) match(r *recommenderpb.Recommendation) bool {
	return slices.ContainsFunc(o, func(f recFilter) bool { return f.match(r) })
}

func (a recAnd) match(r *recommenderpb.Recommendation) bool {
	for _, f := range a {
		if !f.match(r) {
			return false
		}
	}
	return true
}

// recTerm is field = value, or targetResources : value.
type recTerm struct{ field, value string }

func (t recTerm) match(r *recommenderpb.Recommendation) bool {
	switch t.field {
	case "state":
		return r.GetStateInfo().GetState().String() == t.value
	case "priority":
		return r.GetPriority().String() == t.value
	case "recommenderSubtype":
		return r.GetRecommenderSubtype() == t.value
	default: // targetResources
		return slices.Contains(r.GetTargetResources(), t.value)
	}
}

// recFields are the filter's fields (both spellings of the state), with
// the operator each takes.
var recFields = map[string]struct{ name, op string }{
	"stateInfo.state":    {"state", "="},
	"state_info.state":   {"state", "="},
	"priority":           {"priority", "="},
	"recommenderSubtype": {"recommenderSubtype", "="},
	"targetResources":    {"targetResources", ":"},
}

// parseRecFilter parses a filter; "" matches everything.
func parseRecFilter(s string) (recFilter, error) {
	if len(s) > maxRecommendationFilter {
		return nil, fmt.Errorf("the filter is %d characters long; at most %d are allowed", len(s), maxRecommendationFilter)
	}
	toks := recTokens(s)
	if len(toks) == 0 {
		return recAll{}, nil
	}
	p := &recParser{toks: toks}
	f, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i < len(p.toks) {
		return nil, fmt.Errorf("unexpected %q", p.toks[p.i])
	}
	return f, nil
}

// recTokens splits a filter into words, "(", ")", "=" and ":" (a colon
// inside a resource name is part of it); quoted values lose their quotes.
func recTokens(s string) []string {
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '(' || c == ')' || c == '=' || (c == ':' && !strings.Contains(cur.String(), "/")):
			flush()
			toks = append(toks, string(c))
		case c == '"':
			flush()
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				toks = append(toks, s[i:])
				return toks
			}
			toks = append(toks, s[i+1:i+1+j])
			i += j + 1
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return toks
}

type recParser struct {
	toks []string
	i    int
}

func (p *recParser) next() (string, bool) {
	if p.i >= len(p.toks) {
		return "", false
	}
	p.i++
	return p.toks[p.i-1], true
}

func (p *recParser) or() (recFilter, error) {
	var o recOr
	for {
		a, err := p.and()
		if err != nil {
			return nil, err
		}
		o = append(o, a)
		if p.i < len(p.toks) && p.toks[p.i] == "OR" {
			p.i++
			continue
		}
		return o, nil
	}
}

func (p *recParser) and() (recFilter, error) {
	var a recAnd
	for {
		t, err := p.primary()
		if err != nil {
			return nil, err
		}
		a = append(a, t)
		if p.i < len(p.toks) && p.toks[p.i] == "AND" {
			p.i++
			continue
		}
		return a, nil
	}
}

func (p *recParser) primary() (recFilter, error) {
	tok, ok := p.next()
	if !ok {
		return nil, fmt.Errorf("the filter ends where a term was expected")
	}
	if tok == "(" {
		f, err := p.or()
		if err != nil {
			return nil, err
		}
		if t, ok := p.next(); !ok || t != ")" {
			return nil, fmt.Errorf("missing \")\"")
		}
		return f, nil
	}
	field, known := recFields[tok]
	if !known {
		return nil, fmt.Errorf("unsupported field %q: the fields are stateInfo.state, priority, recommenderSubtype and targetResources", tok)
	}
	op, ok := p.next()
	if !ok || op != field.op {
		return nil, fmt.Errorf("%s takes %q", tok, field.op)
	}
	value, ok := p.next()
	if !ok || value == "(" || value == ")" || value == "AND" || value == "OR" {
		return nil, fmt.Errorf("%s %s: missing value", tok, op)
	}
	switch field.name {
	case "state":
		if _, ok := recommenderpb.RecommendationStateInfo_State_value[value]; !ok || value == "STATE_UNSPECIFIED" {
			return nil, fmt.Errorf("invalid state %q", value)
		}
	case "priority":
		if _, ok := recommenderpb.Recommendation_Priority_value[value]; !ok || value == "PRIORITY_UNSPECIFIED" {
			return nil, fmt.Errorf("invalid priority %q", value)
		}
	}
	return recTerm{field: field.name, value: value}, nil
}
