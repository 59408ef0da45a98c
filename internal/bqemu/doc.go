// Package bqemu runs the BigQuery emulator (github.com/goccy/bigquery-emulator)
// for tests.
//
// Start finds the emulator binary, runs it on free loopback ports and hands
// out clients that talk to it without credentials; the test skips when the
// binary is absent (fails with RUNLENS_REQUIRE_BIGQUERY=1, as in CI).
// scripts/bigquery-emulator builds the binary.
package bqemu
