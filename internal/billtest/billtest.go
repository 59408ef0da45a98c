// Package billtest makes Cloud Billing export rows for tests: the rows the
// export would hold for a simulated Cloud Run service, from the
// simulator's own billable usage (sim.BilledUsage) at the dated rates of
// analyze's price table, one row per hour and SKU, loaded into the
// BigQuery emulator with bqemu.LoadBilling.
//
// The SKU descriptions are modelled on Cloud Run's ("CPU Allocation
// Time", "Memory Allocation Time", "Requests") and the SKU ids are made
// up: runlens puts SKUs in categories by the words of their descriptions
// (analyze.SKUCategory), never by id.
package billtest

import (
	"fmt"
	"time"

	"github.com/runlens/runlens/analyze"
	"github.com/runlens/runlens/collect/sim"
	"github.com/runlens/runlens/internal/bqemu"
	"github.com/runlens/runlens/model"
)

// Account is the billing account of the simulated rows.
const Account = "0A0A0A-1B1B1B-2C2C2C"

// CloudRunServiceID is Cloud Run's service.id in the export.
const CloudRunServiceID = "152E-C115-5142"

// SKU is a simulated Cloud Run SKU.
type SKU struct{ ID, Description, Unit string }

// The simulated SKUs.
var (
	CPU      = SKU{"SIM1-CPU0-0001", "CPU Allocation Time", "seconds"}
	Memory   = SKU{"SIM1-MEM0-0002", "Memory Allocation Time", "byte-seconds"}
	Requests = SKU{"SIM1-REQ0-0003", "Requests", "requests"}
	GPU      = SKU{"SIM1-GPU0-0004", "Services Nvidia L4 GPU Allocation Time", "seconds"}
	IdleCPU  = SKU{"SIM1-CPUI-0005", "Idle Min-Instance CPU Allocation Time", "seconds"}
	IdleMem  = SKU{"SIM1-MEMI-0006", "Idle Min-Instance Memory Allocation Time", "byte-seconds"}
)

// Options are the choices the rows leave open.
type Options struct {
	// Detailed gives the rows a resource record (the detailed table).
	Detailed bool
	// ExportLag is how long after its hour a row was exported; default
	// 4 hours.
	ExportLag time.Duration
}

// Rows are the export rows of svc's usage: per hour, its vCPU-seconds,
// GiB-seconds (as byte-seconds), idle minimum instances' vCPU- and
// GiB-seconds (request-based billing), requests (request-based billing
// only) and GPU-seconds (where the price table has a GPU rate), each
// priced at analyze.Prices for the service's region and billing mode.
func Rows(svc sim.Service, usage []sim.HourUsage, opts Options) []bqemu.BillingRow {
	billing := model.BillingInstance
	if svc.RequestBilling {
		billing = model.BillingRequest
	}
	p := analyze.Prices(svc.Region, billing)
	lag := opts.ExportLag
	if lag == 0 {
		lag = 4 * time.Hour
	}
	var out []bqemu.BillingRow
	for _, u := range usage {
		row := func(s SKU, amount, cost float64) {
			out = append(out, Row(svc.Project, svc.Region, svc.Name, s, u.Start, amount, cost, u.Start.Add(time.Hour+lag), opts.Detailed))
		}
		row(CPU, u.VCPUSeconds, u.VCPUSeconds*p.USDPerVCPUSecond)
		row(Memory, u.GiBSeconds*(1<<30), u.GiBSeconds*p.USDPerGiBSecond)
		if u.IdleVCPUSeconds > 0 {
			row(IdleCPU, u.IdleVCPUSeconds, u.IdleVCPUSeconds*p.USDPerIdleVCPUSecond)
			row(IdleMem, u.IdleGiBSeconds*(1<<30), u.IdleGiBSeconds*p.USDPerIdleGiBSecond)
		}
		if svc.RequestBilling && u.Requests > 0 {
			row(Requests, float64(u.Requests), float64(u.Requests)/1e6*p.USDPerMillionReqs)
		}
		if svc.GPUs > 0 && p.USDPerGPUSecond > 0 {
			row(GPU, u.GPUSeconds, u.GPUSeconds*p.USDPerGPUSecond)
		}
	}
	return out
}

// Row is one Cloud Run row of the export: service's usage of sku in the
// hour from start, in USD.
func Row(project, region, service string, sku SKU, start time.Time, amount, costUSD float64, exported time.Time, detailed bool) bqemu.BillingRow {
	r := bqemu.BillingRow{BillingAccountID: Account,
		Service:        bqemu.BillingID{ID: CloudRunServiceID, Description: "Cloud Run"},
		SKU:            bqemu.BillingID{ID: sku.ID, Description: sku.Description},
		UsageStartTime: start.UTC().Format(time.RFC3339), UsageEndTime: start.Add(time.Hour).UTC().Format(time.RFC3339),
		Project:    bqemu.BillingProject{ID: project, Number: "123456789012", Name: project},
		Labels:     []bqemu.BillingLabel{},
		Location:   bqemu.BillingLocation{Location: region, Region: region},
		ExportTime: exported.UTC().Format(time.RFC3339), Cost: costUSD, Currency: "USD", CurrencyConversionRate: 1,
		Usage:    bqemu.BillingUsage{Amount: amount, Unit: sku.Unit, AmountInPricingUnits: amount, PricingUnit: sku.Unit},
		Credits:  []bqemu.BillingCredit{},
		Invoice:  bqemu.BillingInvoice{Month: start.UTC().Format("200601")},
		CostType: "regular"}
	if detailed {
		r.Resource = &bqemu.BillingResource{Name: service,
			GlobalName: fmt.Sprintf("//run.googleapis.com/projects/%s/locations/%s/services/%s", project, region, service)}
	}
	return r
}
