// Package snapshot reads and writes runlens snapshots: directories that keep
// every source of one analysis in Google's own export formats (README.md,
// "The snapshot"), and loose export files given one by one.
//
// Load and Read sniff every file by content and return one model.Dataset
// (a snapshot's revisions.json, known by its name, sets the service's
// traffic targets' own minimum instances);
// the write functions store the parts atomically and deterministically.
package snapshot
