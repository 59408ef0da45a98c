package render

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/runlens/runlens/internal/english"
)

// Rounding and number formatting for people live here; the report keeps raw values.

func pctLabel(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) + "%" }

// shortID shortens a long instance id for a terminal column.
func shortID(id string) string {
	if len(id) <= 16 {
		return id
	}
	return id[:12] + "…"
}

func seconds(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// pageCount writes an integer with thousands separators: 12,345.
func pageCount(n int64) string { return english.Count(n) }

// pagePlural writes a count and its noun, which agree: 1 service, 2
// services, 1,250 requests.
func pagePlural(n int64, one, many string) string { return english.Plural(n, one, many) }

// pageGroupDigits puts commas into a run of digits.
func pageGroupDigits(d string) string { return english.GroupDigits(d) }

// pageFloat writes v with the given decimals and thousands separators.
func pageFloat(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	out := pageGroupDigits(intPart)
	if frac != "" {
		out += "." + frac
	}
	if v < 0 && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

// pageMS writes milliseconds: no decimals from 10 ms up, one below, two
// below 1 ms; a negative value means unknown and writes "—".
func pageMS(v float64) string {
	switch {
	case v < 0 || math.IsNaN(v) || math.IsInf(v, 0):
		return "—"
	case v >= 10 || v == 0:
		return pageFloat(v, 0)
	case v >= 1:
		return pageFloat(v, 1)
	}
	return pageFloat(v, 2)
}

// pageUSD writes dollars with four significant digits and at least cents:
// $0.001235, $12.35, $1,234.57.
func pageUSD(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "—"
	}
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	decimals := 2
	if v > 0 && v < 1000 {
		decimals = min(max(2, 3-int(math.Floor(math.Log10(v)))), 12)
	}
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return sign + "$" + pageGroupDigits(intPart) + "." + frac
}

// pagePct writes a fraction as a percentage: 0.612 is "61.2 %".
func pagePct(f float64) string {
	p := f * 100
	if p != 0 && math.Abs(p) < 0.1 {
		return pageFloat(p, 2) + " %"
	}
	return pageFloat(p, 1) + " %"
}

// pageSigned writes a number with its sign and no decimals: +1,250.
func pageSigned(v float64) string {
	if v > 0 {
		return "+" + pageFloat(v, 0)
	}
	return pageFloat(v, 0)
}

func pageSignedInt(n int64) string {
	if n > 0 {
		return "+" + pageCount(n)
	}
	return pageCount(n)
}

func pageRate(v float64) string  { return pageFloat(v, 1) }
func pageBytes(v float64) string { return pageFloat(v, 0) }
