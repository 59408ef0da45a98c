package billtest

import (
	"time"

	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/internal/bqemu"
)

// AuditProjectFile is the audit project's billing table, below
// fixtures/audit-project: the detailed export's rows, NDJSON, gzipped.
const AuditProjectFile = "billing/gcp_billing_export_resource_v1_0A0A0A_1B1B1B_2C2C2C.ndjson.gz"

// The audit project's bill differs from the model in one known way: the
// service EgressService is billed for network egress, which runlens does
// not model, at EgressUSDPerGiB per GiB of its responses, under the SKU
// Egress.
const (
	EgressService   = "ingest"
	EgressUSDPerGiB = 0.12
)

// Egress is the simulated network egress SKU.
var Egress = SKU{"SIM1-NET0-0007", "Network Internet Data Transfer Out from EMEA to Worldwide", "gibibyte"}

// AuditProjectRows are the rows of the audit project's bill: every
// service's billable usage as the simulator played it (Rows), and
// EgressService's responses as network egress.
func AuditProjectRows(seed uint64) ([]bqemu.BillingRow, error) {
	services, err := sim.AuditProjectUsage(seed)
	if err != nil {
		return nil, err
	}
	var out []bqemu.BillingRow
	for _, s := range services {
		out = append(out, Rows(s.Service, s.Hours, Options{Detailed: true})...)
		if s.Service.Name != EgressService {
			continue
		}
		for _, u := range s.Hours {
			if u.ResponseBytes == 0 {
				continue
			}
			gib := float64(u.ResponseBytes) / (1 << 30)
			out = append(out, Row(s.Service.Project, s.Service.Region, s.Service.Name, Egress, u.Start, gib, gib*EgressUSDPerGiB,
				u.Start.Add(5*time.Hour), true))
		}
	}
	return out, nil
}
