// Package stacktest gives tests that run against the native local stack its topology and
// connections, failing (never skipping) with a clear message when the stack is down.
package stacktest

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

// Local is the topology the stack runs; `stack exec` exports KAFKA_NODES.
func Local(t testing.TB) stack.Stack {
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

// Spark connects to the stack's Spark Connect server; the session closes with the test.
func Spark(t testing.TB) *sparkconnect.Session {
	t.Helper()
	addr := Local(t).One(stack.SparkConnect).Addr(stack.PortGRPC)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := sparkconnect.Connect(ctx, addr)
	if err != nil {
		t.Fatalf("Spark Connect at %s is unreachable (start the stack: go run ./cmd/stack up): %v", addr, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
