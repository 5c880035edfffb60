package grafana

import "strings"

// units are the Grafana unit ids the dashboards may use (a subset of Grafana's
// valueFormats categories); the preview knows how to print each of them.
var units = map[string]bool{
	"none": true, "short": true, "percent": true, "percentunit": true,
	"bytes": true, "decbytes": true, "Bps": true, "binBps": true, "bps": true,
	"ns": true, "µs": true, "ms": true, "s": true, "m": true, "h": true, "d": true,
	"dtdurations": true, "dateTimeAsIso": true, "dateTimeFromNow": true,
	"ops": true, "reqps": true, "rps": true, "wps": true, "cps": true, "string": true,
}

// ValidUnit says whether a panel unit is one of Grafana's, or a custom suffix unit.
func ValidUnit(u string) bool {
	return units[u] || (strings.HasPrefix(u, "suffix:") && len(u) > len("suffix:"))
}
