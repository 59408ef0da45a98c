package sim

// requestLogsAround is what every service of the audit project logs and
// sends besides its responses' bodies: a 1,200-byte entry per request and
// 400 bytes per system entry, and nothing of its own; its responses go to
// the internet.
var requestLogsAround = Around{RequestEntryBytes: 1200, SystemEntryBytes: 400}

// ingestAround is the audit project's ingest service: besides its request
// and system entries, every request dumps 6 MiB of debug output to stdout
// and a 20 KiB trace to stderr, and writes 50 KiB to Google services; its
// responses (2 to 6 MB on GET /export) go to the internet.
var ingestAround = Around{
	RequestEntryBytes: 1200, SystemEntryBytes: 400, GoogleBytesPerRequest: 50 << 10,
	AppLogs: []AppLog{
		{Log: "run.googleapis.com/stdout", Severity: "DEBUG", BytesPerRequest: 6 << 20},
		{Log: "run.googleapis.com/stderr", Severity: "ERROR", BytesPerRequest: 20 << 10},
	},
}

// aroundOf is what the audit project's service logs and sends.
func aroundOf(service string) Around {
	if service == "ingest" {
		return ingestAround
	}
	return requestLogsAround
}

// aroundUtil is the service's utilization, writing the metrics of its
// costs around it too.
func (s auditService) aroundUtil() Utilization {
	u := s.util
	a := aroundOf(s.platform.Service.Name)
	u.Around = &a
	return u
}
