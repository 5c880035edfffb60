package stream

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/finobs/finobs/internal/sparkconnect"
)

// Metrics are the driver's view of its queries, taken from Structured Streaming progress.
// Structured Streaming commits no consumer-group offsets: offsets behind latest here is the
// only place the job's Kafka lag shows.
type Metrics struct {
	up              *prometheus.GaugeVec
	inputRate       *prometheus.GaugeVec
	processedRate   *prometheus.GaugeVec
	inputRows       *prometheus.CounterVec
	batches         *prometheus.CounterVec
	batchDuration   *prometheus.GaugeVec
	triggerInterval *prometheus.GaugeVec
	offsetsBehind   *prometheus.GaugeVec
	watermark       *prometheus.GaugeVec
	stateRows       *prometheus.GaugeVec
	stateBytes      *prometheus.GaugeVec
	lateRows        *prometheus.CounterVec
	deadLetterRows  *prometheus.CounterVec
	lastProgress    *prometheus.GaugeVec
}

// NewMetrics registers the stream driver's metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	q := []string{"query"}
	g := func(name, help string, labels ...string) *prometheus.GaugeVec {
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
		reg.MustRegister(v)
		return v
	}
	c := func(name, help string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, q)
		reg.MustRegister(v)
		return v
	}
	return &Metrics{
		up:              g("finobs_stream_query_up", "1 while the streaming query is active, 0 once it stopped or failed.", q...),
		inputRate:       g("finobs_stream_input_rows_per_second", "Rows per second arriving at the query (last progress).", q...),
		processedRate:   g("finobs_stream_processed_rows_per_second", "Rows per second the query processed (last progress).", q...),
		inputRows:       c("finobs_stream_input_rows_total", "Rows the query read, summed over progress reports."),
		batches:         c("finobs_stream_batches_total", "Micro-batches the query completed."),
		batchDuration:   g("finobs_stream_batch_duration_seconds", "Duration of the last micro-batch (triggerExecution).", q...),
		triggerInterval: g("finobs_stream_trigger_interval_seconds", "The query's configured processing-time trigger.", q...),
		offsetsBehind: g("finobs_stream_offsets_behind_latest",
			"Records between the query's end offset and the partition's latest offset.", "query", "topic", "partition"),
		watermark:      g("finobs_stream_watermark_timestamp_seconds", "The query's event-time watermark.", q...),
		stateRows:      g("finobs_stream_state_rows", "Rows held in the query's state stores.", q...),
		stateBytes:     g("finobs_stream_state_bytes", "Memory used by the query's state stores.", q...),
		lateRows:       c("finobs_stream_late_rows_total", "Rows dropped because they arrived behind the watermark."),
		deadLetterRows: c("finobs_stream_dead_letter_rows_total", "Records that failed parsing or validation, sent to the dead-letter topic."),
		lastProgress:   g("finobs_stream_last_progress_timestamp_seconds", "When the query last reported progress.", q...),
	}
}

// register makes a query's series exist from the start (counters at 0, down until proven up),
// so that rates and absence alerts work before the first batch.
func (m *Metrics) register(query string, trigger time.Duration) {
	m.up.WithLabelValues(query).Set(0)
	m.inputRows.WithLabelValues(query)
	m.batches.WithLabelValues(query)
	m.lateRows.WithLabelValues(query)
	m.deadLetterRows.WithLabelValues(query)
	m.triggerInterval.WithLabelValues(query).Set(trigger.Seconds())
}

func (m *Metrics) setUp(query string, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.up.WithLabelValues(query).Set(v)
}

// observe folds one new progress report into the metrics. Counters only move for reports of
// batches that ran: Spark repeats the last batch's numbers in its idle reports.
func (m *Metrics) observe(query string, p *sparkconnect.Progress) {
	m.inputRate.WithLabelValues(query).Set(p.InputRowsPerSecond)
	m.processedRate.WithLabelValues(query).Set(p.ProcessedRowsPerSecond)
	if t, err := p.Time(); err == nil {
		m.lastProgress.WithLabelValues(query).Set(float64(t.UnixMilli()) / 1e3)
	}
	if wm, ok := p.Watermark(); ok && wm.UnixMilli() > 0 {
		m.watermark.WithLabelValues(query).Set(float64(wm.UnixMilli()) / 1e3)
	}
	if len(p.StateOperators) > 0 {
		m.stateRows.WithLabelValues(query).Set(float64(p.StateRows()))
		m.stateBytes.WithLabelValues(query).Set(float64(p.StateBytes()))
	}
	for _, s := range p.Sources {
		lag, err := s.KafkaLag()
		if err != nil {
			continue
		}
		for _, l := range lag {
			m.offsetsBehind.WithLabelValues(query, l.Topic, l.Partition).Set(float64(l.Behind))
		}
	}
	if !p.RanBatch() {
		return
	}
	m.inputRows.WithLabelValues(query).Add(float64(p.NumInputRows))
	m.batches.WithLabelValues(query).Inc()
	m.batchDuration.WithLabelValues(query).Set(float64(p.DurationMs["triggerExecution"]) / 1e3)
	m.lateRows.WithLabelValues(query).Add(float64(p.RowsDroppedByWatermark()))
	m.deadLetterRows.WithLabelValues(query).Add(float64(p.ObservedMetrics[observation].Int("dead_letter")))
}
