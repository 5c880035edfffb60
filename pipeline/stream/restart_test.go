package stream

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/finobs/finobs/internal/sparkconnect"
)

func TestRestartPolicyDelay(t *testing.T) {
	p := DefaultRestartPolicy()
	var got []time.Duration
	for n := range 7 {
		got = append(got, p.delay(n))
	}
	want := []time.Duration{0, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 2 * time.Minute, 2 * time.Minute}
	if !slices.Equal(got, want) {
		t.Errorf("delays %v, want %v", got, want)
	}
	if d := (RestartPolicy{Backoff: 0, MaxBackoff: 0}).delay(3); d != 0 {
		t.Errorf("no backoff: %v", d)
	}
}

func TestClassifyFailure(t *testing.T) {
	for _, tc := range []struct {
		qe   *sparkconnect.QueryError
		want FailureClass
	}{
		{nil, FailTerminated},
		{&sparkconnect.QueryError{ErrorClass: "STREAM_FAILED", Message: "[STREAM_FAILED] Query [id = a, runId = b] terminated with exception: " +
			"[KAFKA_DATA_LOSS.START_OFFSET_RESET] Some data may have been lost because they are not available in Kafka any more"}, FailDataLoss},
		{&sparkconnect.QueryError{Message: "Partition t-0's offset was changed from 66235 to 63854, some data may have been missed."}, FailDataLoss},
		{&sparkconnect.QueryError{ErrorClass: "STREAM_FAILED", Message: "[STATE_STORE_KEY_SCHEMA_NOT_COMPATIBLE] Provided key schema does not match"}, FailState},
		{&sparkconnect.QueryError{ErrorClass: "STREAM_FAILED", Message: "org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired"}, FailKafka},
		{&sparkconnect.QueryError{ErrorClass: "STREAM_FAILED", Message: "java.lang.NullPointerException"}, FailOther},
		// As Spark 4.1.1 words it: the cause, then the query with its plan, which names state
		// store and Kafka operators whatever the cause.
		{&sparkconnect.QueryError{ErrorClass: "STREAM_FAILED", Message: "org.apache.spark.sql.streaming.StreamingQueryException: " +
			"java.lang.NullPointerException\n=== Streaming Query ===\nIdentifier: q [id = a, runId = b]\n" +
			"Current State: ACTIVE\n+- StateStoreSave [merchantId#22], state info [ checkpoint = file:/c/state ]\n" +
			"+- StreamingDataSourceV2ScanRelation KafkaTable org.apache.kafka.common.TopicPartition"}, FailOther},
	} {
		if got := classifyFailure(tc.qe); got != tc.want {
			t.Errorf("%v: class %s, want %s", tc.qe, got, tc.want)
		}
	}
	if c := startFailureClass(errors.New("sparkconnect: start query: rpc error")); c != FailStart {
		t.Errorf("start error: %s", c)
	}
	if c := startFailureClass(&kafkaLookupError{errors.New("dial tcp: refused")}); c != FailKafka {
		t.Errorf("kafka lookup error: %s", c)
	}
}

// A query that fails at every start is restarted as the policy says, each failure and restart
// counted, then given up on; a data loss is given up on at once.
func TestFailedFollowsThePolicy(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.register("q", time.Second)
	cfg := Defaults()
	cfg.Restart = RestartPolicy{MaxRestarts: 3, Window: time.Hour, Backoff: time.Second, MaxBackoff: 4 * time.Second}
	j := &Job{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), metrics: m}
	q := &query{name: "q", up: true}
	boom := errors.New("boom")
	var waits []time.Duration
	for range cfg.Restart.MaxRestarts {
		if g := j.failed(q, FailOther, boom); g != nil {
			t.Fatalf("gave up early: %v", g)
		}
		waits = append(waits, time.Until(q.nextStart).Round(time.Second))
		// What poll does when the wait is over.
		q.restarts = append(q.restarts, time.Now())
		m.restarts.WithLabelValues("q").Inc()
		q.up = true
	}
	if want := []time.Duration{0, time.Second, 2 * time.Second}; !slices.Equal(waits, want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	g := j.failed(q, FailOther, boom)
	if g == nil || g.Restarts != 3 || !errors.Is(g, boom) ||
		!strings.Contains(g.Error(), "gave up after 3 restarts in 1h0m0s: the restart policy allows 3 restarts in 1h0m0s; last failure (other): boom") {
		t.Fatalf("gave up: %v", g)
	}
	if got := testutil.ToFloat64(m.restarts.WithLabelValues("q")); got != 3 {
		t.Errorf("restarts %v", got)
	}
	if got := testutil.ToFloat64(m.failures.WithLabelValues("q", "other")); got != 4 {
		t.Errorf("failures %v", got)
	}
	if got := testutil.ToFloat64(m.up.WithLabelValues("q")); got != 0 {
		t.Errorf("up %v after giving up", got)
	}

	// Restarts older than the window are forgotten.
	q2 := &query{name: "q", restarts: []time.Time{time.Now().Add(-2 * time.Hour), time.Now().Add(-90 * time.Minute), time.Now().Add(-61 * time.Minute)}}
	if g := j.failed(q2, FailOther, boom); g != nil || len(q2.restarts) != 0 {
		t.Errorf("old restarts counted: %v, %d kept", g, len(q2.restarts))
	}
	// Data lost in Kafka does not heal by restarting.
	q3 := &query{name: "q"}
	if g := j.failed(q3, FailDataLoss, boom); g == nil || g.Restarts != 0 || !strings.Contains(g.Error(), "a data_loss failure does not heal by restarting") {
		t.Errorf("data loss: %v", g)
	}
	if got := testutil.ToFloat64(m.failures.WithLabelValues("q", "data_loss")); got != 1 {
		t.Errorf("data loss failures %v", got)
	}
	// Every class exists from the start: increase() sees the first failure of each.
	if n := testutil.CollectAndCount(m.failures); n != len(FailureClasses) {
		t.Errorf("%d failure series, want %d", n, len(FailureClasses))
	}
}
