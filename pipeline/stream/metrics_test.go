package stream

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pkg/stack"
)

func progress(t *testing.T, js string) sparkconnect.Progress {
	t.Helper()
	var p sparkconnect.Progress
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// Reports as Spark 4.1 sends them over Connect (no top-level row counts; offsets as strings).
const (
	batchReport = `{"id":"i","runId":"r","name":"agg","timestamp":"2026-11-25T23:26:35.595Z","batchId":3,
	"durationMs":{"triggerExecution":1500,"addBatch":1200},
	"eventTime":{"watermark":"2026-11-25T23:20:00.000Z"},
	"stateOperators":[{"numRowsTotal":100,"memoryUsedBytes":2048,"numRowsDroppedByWatermark":4},{"numRowsTotal":1,"memoryUsedBytes":1}],
	"sources":[{"description":"KafkaV2[Subscribe[tx]]","endOffset":"{\"tx\":{\"0\":10,\"1\":20}}","latestOffset":"{\"tx\":{\"0\":15,\"1\":20}}",
	"numInputRows":30,"inputRowsPerSecond":12.5,"processedRowsPerSecond":20}],
	"observedMetrics":{"screening":{"values":[3,2,1],"schema":{"type":"struct","fields":[{"name":"dead_letter"},{"name":"quarantined"},{"name":"anomalies"}]}},
	"accepted":{"values":[27,1795649185095,1795649195595,-1250],"schema":{"type":"struct","fields":[{"name":"valid"},{"name":"oldest_produced_ms"},{"name":"newest_produced_ms"},{"name":"max_skew_ms"}]}}}}`
	idleReport = `{"id":"i","runId":"r","name":"agg","timestamp":"2026-11-25T23:26:45.595Z","batchId":4,
	"durationMs":{"triggerExecution":3,"latestOffset":3},
	"stateOperators":[{"numRowsTotal":100,"memoryUsedBytes":2048,"numRowsDroppedByWatermark":4}],
	"sources":[{"description":"KafkaV2[Subscribe[tx]]","endOffset":"{\"tx\":{\"0\":15,\"1\":20}}","latestOffset":"{\"tx\":{\"0\":15,\"1\":20}}","numInputRows":0}],
	"observedMetrics":{"screening":{"values":[3,1],"schema":{"type":"struct","fields":[{"name":"dead_letter"},{"name":"anomalies"}]}}}}`
)

func TestMetricsFromProgress(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.register("agg", 5*time.Second)
	m.setUp("agg", true)
	b, idle := progress(t, batchReport), progress(t, idleReport)
	m.observe("agg", &b)
	m.observe("agg", &idle) // idle reports repeat numbers: counters must not move

	want := `
# HELP finobs_stream_input_rows_total Rows the query read, summed over progress reports.
# TYPE finobs_stream_input_rows_total counter
finobs_stream_input_rows_total{query="agg"} 30
# HELP finobs_stream_batches_total Micro-batches the query completed.
# TYPE finobs_stream_batches_total counter
finobs_stream_batches_total{query="agg"} 1
# HELP finobs_stream_late_rows_total Rows dropped because they arrived behind the watermark.
# TYPE finobs_stream_late_rows_total counter
finobs_stream_late_rows_total{query="agg"} 4
# HELP finobs_stream_dead_letter_rows_total Records that failed parsing or validation, sent to the dead-letter topic.
# TYPE finobs_stream_dead_letter_rows_total counter
finobs_stream_dead_letter_rows_total{query="agg"} 3
# HELP finobs_stream_quarantined_rows_total Records set aside because their event time is outside the tolerance of their Kafka timestamp (counted among the dead letters too).
# TYPE finobs_stream_quarantined_rows_total counter
finobs_stream_quarantined_rows_total{query="agg"} 2
# HELP finobs_stream_event_time_skew_seconds The largest event time minus broker append time of the last batch's records: how far ahead of the broker the producers' clocks run.
# TYPE finobs_stream_event_time_skew_seconds gauge
finobs_stream_event_time_skew_seconds{query="agg"} -1.25
# HELP finobs_stream_query_up 1 while the streaming query is active, 0 once it stopped or failed.
# TYPE finobs_stream_query_up gauge
finobs_stream_query_up{query="agg"} 1
# HELP finobs_stream_trigger_interval_seconds The query's configured processing-time trigger.
# TYPE finobs_stream_trigger_interval_seconds gauge
finobs_stream_trigger_interval_seconds{query="agg"} 5
# HELP finobs_stream_batch_duration_seconds Duration of the last micro-batch (triggerExecution).
# TYPE finobs_stream_batch_duration_seconds gauge
finobs_stream_batch_duration_seconds{query="agg"} 1.5
# HELP finobs_stream_offsets_behind_latest Records between the query's end offset and the partition's latest offset.
# TYPE finobs_stream_offsets_behind_latest gauge
finobs_stream_offsets_behind_latest{partition="0",query="agg",topic="tx"} 0
finobs_stream_offsets_behind_latest{partition="1",query="agg",topic="tx"} 0
# HELP finobs_stream_watermark_timestamp_seconds The query's event-time watermark.
# TYPE finobs_stream_watermark_timestamp_seconds gauge
finobs_stream_watermark_timestamp_seconds{query="agg"} 1.7956488e+09
# HELP finobs_stream_state_rows Rows held in the query's state stores.
# TYPE finobs_stream_state_rows gauge
finobs_stream_state_rows{query="agg"} 100
# HELP finobs_stream_state_bytes Memory used by the query's state stores.
# TYPE finobs_stream_state_bytes gauge
finobs_stream_state_bytes{query="agg"} 2048
`
	names := []string{"finobs_stream_input_rows_total", "finobs_stream_batches_total", "finobs_stream_late_rows_total",
		"finobs_stream_dead_letter_rows_total", "finobs_stream_query_up", "finobs_stream_trigger_interval_seconds",
		"finobs_stream_batch_duration_seconds", "finobs_stream_offsets_behind_latest", "finobs_stream_watermark_timestamp_seconds",
		"finobs_stream_state_rows", "finobs_stream_state_bytes", "finobs_stream_quarantined_rows_total", "finobs_stream_event_time_skew_seconds"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// The lag of the batch report before the idle one caught up.
	m2 := NewMetrics(prometheus.NewRegistry())
	m2.observe("agg", &b)
	if got := testutil.ToFloat64(m2.offsetsBehind.WithLabelValues("agg", "tx", "0")); got != 5 {
		t.Errorf("offsets behind = %v, want 5", got)
	}
	if got := testutil.ToFloat64(m2.processedRate.WithLabelValues("agg")); got != 20 {
		t.Errorf("processed rows/s = %v, want 20", got)
	}
}

// A batch that ended 12 s after its oldest and 1.5 s after its newest transaction was
// produced: one observation of each; idle reports and batches without valid records add none,
// and a replayed batch does not move the counted produce time back.
func TestFreshnessFromProgress(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.register("agg", 5*time.Second)
	b, idle := progress(t, batchReport), progress(t, idleReport)
	m.observe("agg", &b)
	m.observe("agg", &idle)
	want := `
# HELP finobs_stream_freshness_seconds Batch end minus the produce time of the oldest or newest transaction the batch counted in the aggregates.
# TYPE finobs_stream_freshness_seconds histogram
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="1"} 0
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="2"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="5"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="10"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="15"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="20"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="30"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="45"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="60"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="120"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="300"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="600"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="1800"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="newest",le="+Inf"} 1
finobs_stream_freshness_seconds_sum{query="agg",transaction="newest"} 1.5
finobs_stream_freshness_seconds_count{query="agg",transaction="newest"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="1"} 0
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="2"} 0
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="5"} 0
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="10"} 0
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="15"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="20"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="30"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="45"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="60"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="120"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="300"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="600"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="1800"} 1
finobs_stream_freshness_seconds_bucket{query="agg",transaction="oldest",le="+Inf"} 1
finobs_stream_freshness_seconds_sum{query="agg",transaction="oldest"} 12
finobs_stream_freshness_seconds_count{query="agg",transaction="oldest"} 1
# HELP finobs_stream_counted_produce_timestamp_seconds Produce time (Kafka record timestamp) of the newest transaction the aggregates count.
# TYPE finobs_stream_counted_produce_timestamp_seconds gauge
finobs_stream_counted_produce_timestamp_seconds{query="agg"} 1795649195.595
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "finobs_stream_freshness_seconds",
		"finobs_stream_counted_produce_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	// The same batch replayed an hour later (a restart from the checkpoint): the oldest
	// transaction waited an hour, the counted produce time stays.
	replay := progress(t, strings.Replace(batchReport, "23:26:35", "00:26:35", 1))
	replay.Timestamp = strings.Replace(replay.Timestamp, "2026-11-25T00", "2026-11-26T00", 1)
	m.observe("agg", &replay)
	if got := testutil.ToFloat64(m.countedProduced.WithLabelValues("agg")); got != 1795649195.595 {
		t.Errorf("counted produce time after a replay = %v, want it unchanged", got)
	}
	if got := testutil.CollectAndCount(m.freshness); got != 2 {
		t.Errorf("freshness series = %d, want 2", got)
	}
}

func TestEveryCatalogNameIsExported(t *testing.T) {
	// The names the lead engineer fixed; catalog, alerts and dashboards reference exactly these.
	fixed := []string{"finobs_stream_query_up", "finobs_stream_input_rows_per_second", "finobs_stream_processed_rows_per_second",
		"finobs_stream_input_rows_total", "finobs_stream_batches_total", "finobs_stream_batch_duration_seconds",
		"finobs_stream_trigger_interval_seconds", "finobs_stream_offsets_behind_latest", "finobs_stream_watermark_timestamp_seconds",
		"finobs_stream_state_rows", "finobs_stream_state_bytes", "finobs_stream_late_rows_total",
		"finobs_stream_dead_letter_rows_total", "finobs_stream_last_progress_timestamp_seconds",
		"finobs_stream_query_restarts_total", "finobs_stream_query_failures_total",
		"finobs_stream_freshness_seconds", "finobs_stream_counted_produce_timestamp_seconds",
		"finobs_stream_quarantined_rows_total", "finobs_stream_event_time_skew_seconds", "finobs_stream_group_commits_total"}
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.register("q", time.Second)
	b := progress(t, batchReport)
	m.observe("q", &b)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, mf := range mfs {
		have[mf.GetName()] = true
	}
	for _, n := range fixed {
		if !have[n] {
			t.Errorf("%s is not exported", n)
		}
	}
	if len(have) != len(fixed) {
		t.Errorf("exported %d metrics, the catalog has %d", len(have), len(fixed))
	}
}

// The driver exports exactly what the catalog declares for it, with the declared types, help
// texts and labels: a query registered and one batch report observed give every vector a child.
func TestMetricsMatchCatalog(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.register("agg", 5*time.Second)
	b := progress(t, batchReport)
	m.observe("agg", &b)
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CheckExported(stack.StreamDriver, reg); err != nil {
		t.Errorf("the stream driver's metrics and the catalog disagree:\n%v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "checkpoint dir is empty") {
		t.Errorf("defaults without a checkpoint dir: %v", err)
	}
	c.CheckpointDir = t.TempDir()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.CheckpointDir = "hdfs://nn/checkpoints"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "want a local path") {
		t.Errorf("a URL as checkpoint dir: %v", err)
	}
	c.CheckpointDir = t.TempDir()
	c.Restart.MaxBackoff = time.Second
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "max backoff") {
		t.Errorf("max backoff below backoff: %v", err)
	}
	c.Restart = DefaultRestartPolicy()
	c.Query = ""
	c.Window = 1500 * time.Millisecond
	c.StartingOffsets = "now"
	err := c.Validate()
	for _, want := range []string{"query is empty", "window", "starting offsets"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}
