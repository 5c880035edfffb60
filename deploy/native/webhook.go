package native

import (
	"sort"

	"github.com/finobs/finobs/pkg/stack"
)

// webhookReceivers are the webhook's -receiver flags: one listener per receiver port of the
// topology, in a stable order.
func webhookReceivers(inst stack.Instance) []string {
	rs := inst.Receivers()
	names := make([]string, 0, len(rs))
	for n := range rs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		out = append(out, "-receiver", n+"="+rs[n])
	}
	return out
}
