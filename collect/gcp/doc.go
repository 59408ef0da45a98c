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
package gcp
