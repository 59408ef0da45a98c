// Package gcp collects a Cloud Run service's request and system logs,
// metrics and configuration from Google Cloud into a runlens snapshot.
//
// Collect reads Cloud Logging (ListLogEntries, paced to the entries.list
// quota, retried with backoff, resumed from the last page token), Cloud
// Monitoring (ListTimeSeries, one query per metric, in parallel) and the
// Cloud Run Admin API (GetService), and writes what they return in Google's
// own export formats: requests.ndjson.gz and system.ndjson.gz as a log sink
// writes them, metrics/*.json as the REST API returns them, service.json,
// and a manifest that records the filters, the API calls, the retries and
// any gap. The offline readers then read the snapshot like any other. This
// is the only package that imports the Google Cloud SDKs; their types never
// leave it.
//
// # What Google's APIs do, and what the collector relies on
//
//   - ListTimeSeriesResponse.execution_errors: "query execution errors that
//     may have caused the time series data returned to be incomplete". Every
//     page's are read; a partial answer is a manifest warning (collection)
//     or a Client.Warnings entry (audit), never silently whole.
//   - ListTimeSeriesRequest.page_size: "If view is set to FULL, this is the
//     maximum number of Points returned", default and most 100,000. A
//     series may go on in the next page; its points are joined to the series
//     already read. Points come newest first; the readers sort them.
//   - Aggregation (google/monitoring/v3/common.proto): ALIGN_DELTA is valid
//     for CUMULATIVE and DELTA metrics, ALIGN_MAX and ALIGN_MEAN for numeric
//     GAUGE and DELTA metrics only, and an aligner needs an alignment period
//     of at least 60 s; grouped (reduced) series carry only the group-by
//     labels, which is why Regions reads resource.labels.location alone.
//   - Cloud Logging ListLogEntriesRequest.page_size is at most 1000 and is
//     refused above it; the collector asks for 1000.
//   - Run v2 ListServices refuses the location wildcard "-"; regions come
//     from the billable_instance_time metric grouped by location.
//   - The Cloud Run client takes only the cloud-platform scope, and so does
//     the Recommender client.
//   - Recommender v1 ListRecommendations takes a parent
//     projects/P/locations/L/recommenders/ID; the Cloud Run recommenders
//     (google.run.service.CostRecommender, IdentityRecommender,
//     SecurityRecommender, https://cloud.google.com/recommender/docs/recommenders)
//     are regional. Its filter takes stateInfo.state, priority,
//     recommenderSubtype and targetResources, terms joined by AND and OR, at
//     most 500 characters. A recommendation names what it targets in
//     target_resources, its operations' resource and its free-form overview,
//     as full resource names //run.googleapis.com/projects/P/locations/L/services/S
//     (P an ID or a number); a cost projection is a google.type.Money over a
//     duration, negative for a saving.
//   - GPU metrics (container/gpu/utilizations, container/gpu/memory_utilizations)
//     are read only for services with an accelerator. Google's Cloud Run
//     monitoring page lists "Container GPU utilization" and "Container GPU
//     memory utilization"; the metric type names follow the pattern of
//     cpu/utilizations and are not confirmed from Google's metrics list,
//     which is why their descriptors are read at run time.
//   - With Config.Around (the audit), logging.googleapis.com/byte_count and
//     run.googleapis.com/container/network/sent_bytes_count are read too,
//     with the same filter on the service's cloud_run_revision resources.
//     Google's metrics list gives both as DELTA INT64 in By; byte_count is
//     "Total bytes of log entries ... stored in at least one log bucket",
//     labelled log and severity, on the entries' own resource;
//     sent_bytes_count is "Outgoing socket and HTTP response traffic",
//     labelled kind (e.g. internet). Monitoring answers an unknown metric type
//     with NOT_FOUND and a metric on a resource it is not written for with
//     INVALID_ARGUMENT (billing/bytes_ingested is on the global resource).
package gcp
