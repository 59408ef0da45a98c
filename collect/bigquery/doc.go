// Package bigquery finds Cloud Run's logs where Cloud Logging keeps them in
// BigQuery and runs the pushdown's queries over them.
//
// Detect reads a dataset's table list and schemas and returns a Source: a
// Log Analytics linked dataset's view of entries, or a log sink's tables,
// date-sharded or partitioned, with the type of the latency column. It
// uses the BigQuery client (cloud.google.com/go/bigquery) and reads no
// rows. Like collect/gcp it talks to Google Cloud; analyze and render
// never import it.
package bigquery
