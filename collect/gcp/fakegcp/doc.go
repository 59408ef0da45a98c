// Package fakegcp serves runlens snapshots over the real Cloud Logging,
// Cloud Monitoring and Cloud Run Admin gRPC APIs, for tests and for trying
// the live path without a project.
//
// New reads one or more snapshot directories (or loose export files) with
// protojson; Serve answers LoggingServiceV2.ListLogEntries (filter terms,
// ordering, page size and page tokens honoured), MetricService.ListTimeSeries
// and GetMetricDescriptor, and the Run Services API's GetService and
// ListServices from them. ListTimeSeries refuses, as Monitoring does, a
// metric type it does not know (model.Metrics, Cloud Logging's billing
// metrics, or any type the snapshots hold) and a global-only metric asked
// for on another resource. Faults (errors, stalls, broken page tokens, empty
// pages) can be injected per page, and every call is counted per method.
package fakegcp
