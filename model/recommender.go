package model

// The Cloud Run recommenders of Google's Recommender API, as Google's list
// of recommenders names them (https://cloud.google.com/recommender/docs/recommenders),
// each regional: its recommendations are listed under
// projects/P/locations/REGION/recommenders/ID. The cost recommender ("Cloud
// Run CPU allocation recommender") only ever recommends moving from
// request-based to instance-based billing
// (https://cloud.google.com/run/docs/recommender); the identity recommender
// recommends a service account with fewer permissions than the default
// one; the security recommender, moving secrets out of environment
// variables.
const (
	RecommenderCost     = "google.run.service.CostRecommender"
	RecommenderIdentity = "google.run.service.IdentityRecommender"
	RecommenderSecurity = "google.run.service.SecurityRecommender"
)

// RunRecommenders are the Cloud Run recommenders, in the order an audit
// reads them.
var RunRecommenders = []string{RecommenderCost, RecommenderIdentity, RecommenderSecurity}
