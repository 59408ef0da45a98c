package sim

// ingestAround is what the audit project's ingest service logs and sends
// besides its responses: every request dumps about 6 MiB of debug output
// to stdout and a 20 KiB trace to stderr, and writes 50 KiB to Google
// services; its responses (2 to 6 MB on GET /export) go to the internet.
var ingestAround = Around{
	RequestEntryBytes: 1200, SystemEntryBytes: 400, GoogleBytesPerRequest: 50 << 10,
	AppLogs: []AppLog{
		{Log: "run.googleapis.com/stdout", Severity: "DEBUG", BytesPerRequest: 6 << 20},
		{Log: "run.googleapis.com/stderr", Severity: "ERROR", BytesPerRequest: 20 << 10},
	},
}

// withAround is u writing the metrics of a's costs around the service too.
func withAround(u Utilization, a Around) Utilization {
	u.Around = &a
	return u
}
