// Package bigquery finds Cloud Run's logs where Cloud Logging keeps them in
// BigQuery and runs the pushdown's queries over them.
//
// Detect reads a dataset's table list and schemas and returns a Source: a
// Log Analytics linked dataset's view of entries, or a log sink's tables,
// date-sharded or partitioned, with the type of the latency column; it
// reads no rows. A Runner runs the queries: it dry-runs each for the bytes
// it would scan, prints them with their on-demand price, refuses a query
// over its byte limit (-max-bytes), runs the rest as labelled jobs and
// returns their rows, keeping a record of every query for the manifest.
// SummarySQL computes the request log's summary in one statement, every
// part of it per group (a service and its region): the scope's one
// service, or with Scope.ByService every service of the window at once
// (audit -bigquery); SummarizeAll builds each group's summary, SystemOf
// splits the system log's entries between them.
// DetectBilling and ReadBilling do the same for the Cloud Billing export
// to BigQuery: they find its detailed or standard usage cost table
// (gcp_billing_export_resource_v1_ACCOUNT, gcp_billing_export_v1_ACCOUNT)
// and read Cloud Run's cost per service, region and SKU over the whole hours
// around a window, with the export's watermark, in one query (schema:
// https://cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/detailed-usage).
// Dial makes a client that counts its REST calls by method.
// Like collect/gcp it talks to Google Cloud, through
// cloud.google.com/go/bigquery; analyze and render never import it.
package bigquery
