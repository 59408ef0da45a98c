package audit

import (
	"cmp"
	"slices"
)

// CallsNeeded estimates the Cloud Logging entries.list calls a service's
// logs take over the window: the request log's pages of pageSize entries
// (est entries, from the request_count metric; at least one page) and one
// call for the system log. It is 0 when est is 0 (no request: nothing to
// read) and 2 when est is unknown (negative).
func CallsNeeded(est int64, pageSize int) int {
	switch {
	case est == 0:
		return 0
	case est < 0 || pageSize <= 0:
		return 2
	}
	return int((est+int64(pageSize)-1)/int64(pageSize)) + 1
}

// PlanLogs shares a budget of calls between services that need needs[i]
// calls each, and returns the calls granted to each. Smallest needs come
// first: each gets all it needs while the budget lasts, so that as many
// services as possible are read whole; the services left share what remains
// evenly (the smaller needs get the odd calls), reading the first pages of
// their request log. A negative budget grants every need. Ties keep the
// order of needs.
func PlanLogs(needs []int, budget int) []int {
	granted := make([]int, len(needs))
	if budget < 0 {
		copy(granted, needs)
		return granted
	}
	order := make([]int, len(needs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(needs[a], needs[b]) })
	left := budget
	k := 0
	for ; k < len(order) && needs[order[k]] <= left; k++ {
		granted[order[k]] = needs[order[k]]
		left -= needs[order[k]]
	}
	rest := order[k:]
	for j, i := range rest {
		share := left / len(rest)
		if j < left%len(rest) {
			share++
		}
		granted[i] = min(share, needs[i])
	}
	return granted
}
