package model

import (
	"strings"
	"time"
)

// Scope is what a dataset is about: one service in one region over one
// window. A snapshot's manifest gives it; loose files have none. Log
// entries outside it are counted in Dataset.OutOfScope and left out of
// every figure.
type Scope struct {
	Service string // resource.labels.service_name; "" takes any
	Region  string // resource.labels.location; "" takes any
	Window  Window // zero takes any time
}

// IsZero reports whether the scope takes every entry.
func (s Scope) IsZero() bool { return s.Service == "" && s.Region == "" && s.Window.IsZero() }

// Reasons an entry is out of scope, the keys of Dataset.OutOfScope.
const (
	OutOtherService = "other service"
	OutOtherRegion  = "other region"
	OutBeforeWindow = "before the window"
	OutAfterWindow  = "after the window"
)

// String describes the scope, for warnings.
func (s Scope) String() string {
	var parts []string
	if s.Service != "" {
		parts = append(parts, "service "+s.Service)
	}
	if s.Region != "" {
		parts = append(parts, "region "+s.Region)
	}
	if !s.Window.IsZero() {
		parts = append(parts, "window "+s.Window.Start.UTC().Format(time.RFC3339Nano)+" to "+s.Window.End.UTC().Format(time.RFC3339Nano))
	}
	return strings.Join(parts, ", ")
}
