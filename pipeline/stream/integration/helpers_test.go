// Package integration tests the streaming job against the native stack's real Spark Connect
// server and Kafka (`make test` starts them; the tests fail, never skip, when they are down).
package integration

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/finobs/finobs/internal/topology"
)

// local is the topology the stack runs; `stack exec` exports KAFKA_NODES.
func local(t testing.TB) topology.Stack {
	t.Helper()
	// Results depend on the live stack: reading the per-run id of `stack exec` keeps them out
	// of go test's cache.
	_ = os.Getenv("FINOBS_STACK_RUN")
	n := 1
	if v := os.Getenv("KAFKA_NODES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("KAFKA_NODES=%q: %v", v, err)
		}
	}
	st, err := topology.Local(n)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

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
