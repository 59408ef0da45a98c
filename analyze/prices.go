package analyze

import "github.com/runlens/runlens/model"

// Cloud Run prices read from cloud.google.com/run/pricing in 2026-11. The
// Tier 1 rates are confirmed; Tier 2 is estimated as 1.4 times Tier 1 (the
// ratio of the published request-based CPU rates) and says so in Source.
// Idle minimum instances under request-based billing are charged at lower
// rates (Tier 1: $0.0000025 per vCPU-second and per GiB-second; Tier 2
// 1.4 times), as Google's pricing page gives them and firebase-tools
// transcribes them (src/deploy/functions/pricing.ts); under instance-based
// billing idle time costs the active rate. No GPU rate is built in: none was
// read from Google's pricing page, so GPU cost is left out unless a -prices
// file gives usd_per_gpu_second.
// Gross prices: the monthly free tier is per billing account and is not
// subtracted.
var priceTables = []PriceTable{
	{Date: "2026-11", Source: "cloud.google.com/run/pricing", Tier: 1, Billing: model.BillingRequest,
		USDPerVCPUSecond: 0.000024, USDPerGiBSecond: 0.0000025, USDPerMillionReqs: 0.40,
		USDPerIdleVCPUSecond: 0.0000025, USDPerIdleGiBSecond: 0.0000025},
	{Date: "2026-11", Source: "cloud.google.com/run/pricing", Tier: 1, Billing: model.BillingInstance,
		USDPerVCPUSecond: 0.000018, USDPerGiBSecond: 0.000002,
		USDPerIdleVCPUSecond: 0.000018, USDPerIdleGiBSecond: 0.000002},
	{Date: "2026-11", Source: "estimated: 1.4 x Tier 1, not confirmed", Tier: 2, Billing: model.BillingRequest,
		USDPerVCPUSecond: 0.0000336, USDPerGiBSecond: 0.0000035, USDPerMillionReqs: 0.40,
		USDPerIdleVCPUSecond: 0.0000035, USDPerIdleGiBSecond: 0.0000035},
	{Date: "2026-11", Source: "estimated: 1.4 x Tier 1, not confirmed", Tier: 2, Billing: model.BillingInstance,
		USDPerVCPUSecond: 0.0000252, USDPerGiBSecond: 0.0000028,
		USDPerIdleVCPUSecond: 0.0000252, USDPerIdleGiBSecond: 0.0000028},
}

// tier1 lists the Tier 1 Cloud Run regions.
var tier1 = map[string]bool{
	"asia-east1": true, "asia-northeast1": true, "asia-northeast2": true,
	"europe-north1": true, "europe-southwest1": true, "europe-west1": true, "europe-west4": true,
	"europe-west8": true, "europe-west9": true, "me-west1": true,
	"us-central1": true, "us-east1": true, "us-east4": true, "us-east5": true, "us-south1": true, "us-west1": true,
}

// Tier returns the pricing tier of a region; an unknown or empty region is
// priced as Tier 1.
func Tier(region string) int {
	if region == "" || tier1[region] {
		return 1
	}
	return 2
}

// Prices returns the built-in price table for a region and billing mode.
func Prices(region, billing string) PriceTable {
	t := Tier(region)
	if billing != model.BillingInstance {
		billing = model.BillingRequest
	}
	for _, p := range priceTables {
		if p.Tier == t && p.Billing == billing {
			return p
		}
	}
	return priceTables[0]
}

// PriceTables returns a copy of the built-in price tables.
func PriceTables() []PriceTable { return append([]PriceTable(nil), priceTables...) }

// AroundPrices are the rates of the costs around a Cloud Run service: Cloud
// Logging ingestion and network egress to the internet.
type AroundPrices struct {
	Date string `json:"date"` // when the prices were read, YYYY-MM
	// USDPerLoggingGiB is Cloud Logging's charge per GiB streamed into log
	// buckets ("Logging storage"; binary units), beyond the free
	// allotment of FreeLoggingGiBPerMonth per project and month.
	USDPerLoggingGiB       float64 `json:"usd_per_logging_gib"`
	FreeLoggingGiBPerMonth float64 `json:"free_logging_gib_per_month"`
	LoggingSource          string  `json:"logging_source"`
	// USDPerInternetEgressGiB is Premium Tier internet data transfer, the
	// tier runlens assumes (the first TiB of a month).
	USDPerInternetEgressGiB float64 `json:"usd_per_internet_egress_gib"`
	EgressSource            string  `json:"egress_source"`
}

// HoursPerMonth is the month Google's monthly prices and allotments are
// prorated by.
const HoursPerMonth = 730

// aroundPrices: Cloud Logging from cloud.google.com/stackdriver/pricing
// (Cloud Logging pricing summary: "Logging storage" $0.50/GiB, first 50
// GiB/project/month free, effective July 1, 2018; no charge for the
// _Required bucket), read 2026-12. Egress: cloud.google.com/run/pricing
// says outbound internet data transfer uses the Premium Network Service
// Tier at Google Cloud networking pricing, with 1 GiB a month free within
// North America only, and that data transfer to Google Cloud resources in
// the same region is free; the Premium Tier rate for the first TiB of a
// month to worldwide destinations (China and Australia excepted) is $0.12
// per GiB as transcribed from cloud.google.com/vpc/network-pricing, not
// read there, and Source says so. The egress free tier is per billing
// account and North America only: not subtracted (gross, as the Cloud Run
// rates are).
var aroundPrices = AroundPrices{
	Date: "2026-12", USDPerLoggingGiB: 0.50, FreeLoggingGiBPerMonth: 50,
	LoggingSource:           "cloud.google.com/stackdriver/pricing",
	USDPerInternetEgressGiB: 0.12,
	EgressSource:            "cloud.google.com/run/pricing: Premium Tier; the first-TiB rate of cloud.google.com/vpc/network-pricing as transcribed, not confirmed",
}

// Around returns the built-in rates of the costs around a service.
func Around() AroundPrices { return aroundPrices }
