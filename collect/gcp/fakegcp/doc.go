// Package fakegcp serves runlens snapshots over the real Cloud Logging,
// Cloud Monitoring and Cloud Run Admin gRPC APIs, for tests and for trying
// the live path without a project.
//
// New reads one or more snapshot directories (or loose export files, or a
// project's directory whose subdirectories are snapshots) with protojson;
// Serve answers LoggingServiceV2.ListLogEntries (filter terms, ordering,
// page size and page tokens honoured), MetricService.ListTimeSeries and
// GetMetricDescriptor, the Run Services API's GetService and ListServices,
// and the Run Revisions API's GetRevision and ListRevisions (from a
// snapshot's revisions.json) from them. Faults (errors, stalls, broken page tokens, empty
// pages) can be injected per page, and every call is counted per method.
package fakegcp
