// Package integration tests internal/sparkconnect against the native stack's Spark Connect
// server (`make test` starts it; the tests fail, never skip, when it is unreachable).
package integration

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/sparkconnect"
)

func TestQueryLifecycle(t *testing.T) {
	s := stacktest.Spark(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	src, err := s.ReadStream().Format("rate").Option("rowsPerSecond", "100").Load()
	if err != nil {
		t.Fatal(err)
	}
	df, err := src.SelectExpr(ctx, "value", "value % 10 AS k", "timestamp")
	if err != nil {
		t.Fatal(err)
	}
	df, err = s.Observe(ctx, df, "obs", "count(*) AS rows", "count_if(k = 0) AS zeros")
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("lifecycle_%d", time.Now().UnixNano())
	q, err := s.WriteStream(df).Format("memory").QueryName(name).OutputMode("append").
		Trigger(sparkconnect.ProcessingTime(500 * time.Millisecond)).
		Checkpoint(filepath.Join(os.TempDir(), "finobs-sparkconnect-test", name)).Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("started %s id=%s run=%s", q.Name, q.ID, q.RunID)
	if q.Name != name || q.ID == "" || q.RunID == "" {
		t.Fatalf("query handle %+v", q)
	}
	st, err := q.Status(ctx)
	if err != nil || !st.IsActive {
		t.Fatalf("status %+v %v", st, err)
	}
	var ps []sparkconnect.Progress
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if ps, err = q.RecentProgress(ctx); err != nil {
			t.Fatal(err)
		}
		if len(ps) >= 3 {
			break
		}
	}
	if len(ps) < 3 {
		t.Fatalf("only %d progress reports after 60s", len(ps))
	}
	var observed int64
	for _, p := range ps {
		observed += p.ObservedMetrics["obs"].Int("rows")
		if p.Name != name || p.ID != q.ID {
			t.Errorf("progress of another query: %s", p.JSON)
		}
	}
	if observed == 0 {
		t.Errorf("no observed metrics in %s", ps[len(ps)-1].JSON)
	}
	last, err := q.LastProgress(ctx)
	if err != nil || last == nil {
		t.Fatalf("last progress %v %v", last, err)
	}
	plan, err := q.Explain(ctx, false)
	if err != nil || !strings.Contains(plan, "== Physical Plan ==") {
		t.Errorf("explain: %q %v", plan, err)
	}
	terminated, err := q.AwaitTermination(ctx, time.Second)
	if err != nil || terminated {
		t.Fatalf("await on a running query: %v %v", terminated, err)
	}
	if err := q.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	terminated, err = q.AwaitTermination(ctx, 10*time.Second)
	if err != nil || !terminated {
		t.Fatalf("await after stop: %v %v", terminated, err)
	}
	if st, err := q.Status(ctx); err != nil || st.IsActive {
		t.Fatalf("status after stop %+v %v", st, err)
	}
	rows, err := s.Sql(ctx, "SELECT count(*) FROM "+name)
	if err != nil {
		t.Fatal(err)
	}
	got, err := rows.Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := got[0].At(0).(int64); n < observed {
		t.Errorf("memory sink has %d rows, observed %d", n, observed)
	}
}

func TestQueryFailureIsReported(t *testing.T) {
	s := stacktest.Spark(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src, err := s.ReadStream().Format("rate").Option("rowsPerSecond", "10").Load()
	if err != nil {
		t.Fatal(err)
	}
	// raise_error fails the first batch with rows; the query must end with our QueryError.
	df, err := src.SelectExpr(ctx, "IF(value >= 0, raise_error('boom'), value) AS v")
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("failing_%d", time.Now().UnixNano())
	q, err := s.WriteStream(df).Format("noop").QueryName(name).
		Checkpoint(filepath.Join(os.TempDir(), "finobs-sparkconnect-test", name)).Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	terminated, err := q.AwaitTermination(ctx, 45*time.Second)
	qe, ok := err.(*sparkconnect.QueryError)
	if !terminated || !ok {
		t.Fatalf("terminated=%v err=%v", terminated, err)
	}
	t.Logf("query error: %.300s", qe.Error())
}
