package model

// MaxStringBytes bounds each string runlens keeps of a log entry: URL,
// path, method, user agent, remote address, protocol, instance id,
// revision, service, location, trace, severity and a system entry's text
// and reason. A longer one is cut at a character boundary and ends with
// "…(N bytes)", N its full length, so that a 1 MB URL costs 4 KiB in
// every summary key and output that holds it; a warning per file says
// how many were cut. Strings cut alike are one: two paths that differ
// only after 4 KiB and have one length are one endpoint.
const MaxStringBytes = 4096
