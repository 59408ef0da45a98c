// Package fakegcp serves runlens snapshots over the real Cloud Logging,
// Cloud Monitoring, Cloud Run Admin and Recommender gRPC APIs, for tests
// and for trying the live path without a project.
//
// New reads one or more snapshot directories (or loose export files, or a
// project's directory whose subdirectories are snapshots) with protojson;
// Serve answers LoggingServiceV2.ListLogEntries (filter terms, ordering,
// page size and page tokens honoured), MetricService.ListTimeSeries and
// GetMetricDescriptor, the Run Services API's GetService and ListServices,
// and the Run Revisions API's GetRevision and ListRevisions (from a
// snapshot's revisions.json) from them. The Recommender API's
// ListRecommendations and GetRecommendation answer from the
// recommendations.json files of the directories loaded (Recommendation
// messages in their JSON form), for the Cloud Run recommenders only; the
// parent's form, the recommender ID, the location (regional, matched
// against each recommendation's name) and the filter are checked as Google
// checks them, and page tokens are honoured. ListTimeSeries refuses, as
// Monitoring does, a metric type it does not know (model.Metrics, Cloud
// Logging's billing metrics, or any type the snapshots hold) and a
// global-only metric asked for on another resource. Faults (errors, stalls,
// broken page tokens, empty pages) can be injected per page, and every
// call is counted per method.
package fakegcp
