// Package collect holds the readers of exported Cloud Run data; what they
// fill is package model's Dataset.
//
// Readers take Cloud Logging exports (gcloud JSON arrays and log-sink NDJSON,
// plain or gzip, UTF-8, UTF-8 with a BOM or UTF-16), Cloud Monitoring
// ListTimeSeries JSON and Cloud Run service resources, sniff each by content,
// and fill a model.Dataset that the analyze stage consumes. Nothing here talks to a
// network.
package collect
