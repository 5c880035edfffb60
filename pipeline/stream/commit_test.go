package stream

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestCommitFailureIsCountedOnly: with Kafka unreachable, a batch's commit to the query's
// group fails, is counted as an error, and the next batch's offsets are tried again; the
// committer never blocks the caller (the query's progress accounting).
func TestCommitFailureIsCountedOnly(t *testing.T) {
	reg := prometheus.NewRegistry()
	j := &Job{cfg: Config{Bootstrap: "127.0.0.1:1", CommitTimeout: 200 * time.Millisecond},
		metrics: NewMetrics(reg), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	defer func() {
		if j.kafka != nil {
			j.kafka.Close()
		}
	}()
	j.metrics.register("q", time.Second)
	c := &committer{j: j, query: "q"}
	p := progress(t, batchReport)
	for range 2 {
		want := testutil.ToFloat64(j.metrics.groupCommits.WithLabelValues("q", "error")) + 1
		start := time.Now()
		c.offer(&p)
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Fatalf("offer blocked %s: commits must not hold the progress loop", d)
		}
		deadline := time.Now().Add(5 * time.Second)
		for testutil.ToFloat64(j.metrics.groupCommits.WithLabelValues("q", "error")) < want {
			if time.Now().After(deadline) {
				t.Fatalf("the failed commit was not counted (errors %v, ok %v, want %v)", testutil.ToFloat64(j.metrics.groupCommits.WithLabelValues("q", "error")), testutil.ToFloat64(j.metrics.groupCommits.WithLabelValues("q", "ok")), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if ok := testutil.ToFloat64(j.metrics.groupCommits.WithLabelValues("q", "ok")); ok != 0 {
		t.Errorf("%v commits counted ok with Kafka unreachable", ok)
	}
}
