// Package integration tests the streaming job against the native stack's real Spark Connect
// server and Kafka (`make test` starts them; the tests fail, never skip, when they are down).
package integration

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// metric reads one series of the driver's registry by name and query label.
func metric(t testing.TB, reg *prometheus.Registry, name, query string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "query" && l.GetValue() == query {
					switch {
					case m.GetCounter() != nil:
						return m.GetCounter().GetValue()
					case m.GetGauge() != nil:
						return m.GetGauge().GetValue()
					}
				}
			}
		}
	}
	return 0
}

// quote is a Spark SQL string literal.
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
