// Package pipeline joins the stages for the commands: it loads a report's
// sources into a Dataset (Load), runs a project's nightly audit from
// listing its services to the audit against earlier runs (Audit), and
// writes a report's or an audit's outputs all at once or not at all
// (WriteReport, WriteAudit). cmd/runlens parses flags and prints; what
// happens between is here, and testable without the binary.
package pipeline
