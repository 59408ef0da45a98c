// Package logscan is the fast parser of Cloud Logging request entries:
// what makes reading a request log cost about a microsecond an entry.
//
// Its entry point is Scan, which scans one line of NDJSON, or one element
// of a gcloud array, into an Entry: the fields of a Cloud Run request
// entry that a Request takes, as structs, with strings that point into the
// line. It takes a line only where a JSON decoder would give exactly the
// same Entry; anything else (an escape or a non-ASCII byte in a taken
// string, a payload, a key that matches a field in another case, a
// malformed line) returns false, and the caller decodes the line the
// general way, which says what is wrong with it.
//
// Around it: Lines cuts a chunk of NDJSON into lines and marks their
// quotes for Scan; Framer finds the commas between the elements of a JSON
// array across buffers, so that a reader can cut an array into chunks of
// whole elements; Resync and FirstSep frame again after a malformed
// element.
//
// On amd64 with AVX2 the byte classifications run 32 or 64 bytes at a
// time in assembly (blocks_amd64.s); each routine has a pure-Go twin
// (blocks.go) that FuzzBlocks holds it to, and the build tag purego, or
// another CPU, uses the portable paths. The key table's limits are named
// (MaxKeyBytes, MaxKeys); a table beyond them is an error, and then Scan
// takes no line.
package logscan
