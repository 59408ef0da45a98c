package render

import (
	"fmt"
	"math"
	"strconv"
)

// Rounding and number formatting for people live here; the report keeps raw values.

func count(n int64) string { return strconv.FormatInt(n, 10) }

func signed(n int64) string {
	if n > 0 {
		return "+" + count(n)
	}
	return count(n)
}

// millis shows milliseconds: whole above 10 ms, one decimal below.
func millis(v float64) string {
	if math.Abs(v) >= 10 || v == 0 {
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

func optMillis(v float64) string {
	if v < 0 {
		return "-"
	}
	return millis(v)
}

func rate(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func bytesize(v float64) string { return strconv.FormatFloat(math.Round(v), 'f', 0, 64) }

func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + " %" }

// usd shows money with four significant digits, never in exponent form.
func usd(v float64) string {
	if v == 0 {
		return "$0"
	}
	digits := max(2, 3-int(math.Floor(math.Log10(math.Abs(v)))))
	return "$" + strconv.FormatFloat(v, 'f', digits, 64)
}

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
