// Package model is runlens's data model: a Dataset is everything known
// about one service over one window (requests, instance events, metric
// series, the service's configuration, the load generator's results), and
// the boundary between the stages. Readers of exports and the live
// collector (package collect and below) fill one; package analyze reads
// one and nothing of how it was read. The package is a leaf: it imports
// the standard library only.
package model
