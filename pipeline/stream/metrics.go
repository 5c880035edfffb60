package stream

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pkg/metric"
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
	quarantined     *prometheus.CounterVec
	eventSkew       *prometheus.GaugeVec
	lastProgress    *prometheus.GaugeVec
	restarts        *prometheus.CounterVec
	failures        *prometheus.CounterVec
	groupCommits    *prometheus.CounterVec
	freshness       *prometheus.HistogramVec
	countedProduced *prometheus.GaugeVec
	newestCounted   map[string]int64 // per query: what countedProduced shows, epoch ms
}

// FreshnessBuckets are the bounds of finobs_stream_freshness_seconds: around the trigger
// (5 s by default) and the freshness objective (slos: 30 s), then minutes for a backlog.
var FreshnessBuckets = []float64{1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300, 600, 1800}

// NewMetrics registers the stream driver's metrics with reg, built from their catalog
// declarations.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	g := func(m *metric.Metric, labels ...string) *prometheus.GaugeVec {
		v := m.NewGaugeVec(labels...)
		reg.MustRegister(v)
		return v
	}
	c := func(m *metric.Metric, labels ...string) *prometheus.CounterVec {
		v := m.NewCounterVec(labels...)
		reg.MustRegister(v)
		return v
	}
	return &Metrics{
		up:              g(catalog.StreamQueryUp, "query"),
		inputRate:       g(catalog.StreamInputRate, "query"),
		processedRate:   g(catalog.StreamProcessedRate, "query"),
		inputRows:       c(catalog.StreamInputRows, "query"),
		batches:         c(catalog.StreamBatches, "query"),
		batchDuration:   g(catalog.StreamBatchDuration, "query"),
		triggerInterval: g(catalog.StreamTriggerInterval, "query"),
		offsetsBehind:   g(catalog.StreamOffsetsBehind, "query", "topic", "partition"),
		watermark:       g(catalog.StreamWatermark, "query"),
		stateRows:       g(catalog.StreamStateRows, "query"),
		stateBytes:      g(catalog.StreamStateBytes, "query"),
		lateRows:        c(catalog.StreamLateRows, "query"),
		deadLetterRows:  c(catalog.StreamDeadLetters, "query"),
		quarantined:     c(catalog.StreamQuarantined, "query"),
		eventSkew:       g(catalog.StreamEventSkew, "query"),
		lastProgress:    g(catalog.StreamLastProgress, "query"),
		restarts:        c(catalog.StreamQueryRestarts, "query"),
		failures:        c(catalog.StreamQueryFailures, "query", "error_class"),
		groupCommits:    c(catalog.StreamGroupCommits, "query", "result"),
		freshness: func() *prometheus.HistogramVec {
			v := catalog.StreamFreshness.NewHistogramVec(FreshnessBuckets, "query", "transaction")
			reg.MustRegister(v)
			return v
		}(),
		countedProduced: g(catalog.StreamCountedProduceTime, "query"),
		newestCounted:   map[string]int64{},
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
	m.quarantined.WithLabelValues(query)
	m.eventSkew.WithLabelValues(query).Set(0) // no skew seen before the first batch of records
	m.triggerInterval.WithLabelValues(query).Set(trigger.Seconds())
	m.restarts.WithLabelValues(query)
	m.groupCommits.WithLabelValues(query, "ok")
	m.groupCommits.WithLabelValues(query, "error")
	for _, c := range FailureClasses {
		m.failures.WithLabelValues(query, string(c))
	}
	m.freshness.WithLabelValues(query, "oldest")
	m.freshness.WithLabelValues(query, "newest")
}

func (m *Metrics) failed(query string, class FailureClass) {
	m.failures.WithLabelValues(query, string(class)).Inc()
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
	m.quarantined.WithLabelValues(query).Add(float64(p.ObservedMetrics[observation].Int("quarantined")))
	if acc := p.ObservedMetrics[acceptedObservation]; acc.Has(maxSkew) {
		m.eventSkew.WithLabelValues(query).Set(float64(acc.Int(maxSkew)) / 1e3)
	}
	m.observeFreshness(query, p)
}

// observeFreshness observes a batch's freshness: its end (the trigger's start plus its
// duration, when every aggregate of the batch has been written) minus the produce times of
// the oldest and newest transaction it counted. A batch without valid records counts none.
func (m *Metrics) observeFreshness(query string, p *sparkconnect.Progress) {
	acc := p.ObservedMetrics[acceptedObservation]
	oldest, newest := acc.Int(oldestProduced), acc.Int(newestProduced)
	start, err := p.Time()
	if err != nil || acc.Int("valid") == 0 || oldest <= 0 || newest <= 0 {
		return
	}
	end := start.Add(time.Duration(p.DurationMs["triggerExecution"]) * time.Millisecond)
	m.freshness.WithLabelValues(query, "oldest").Observe(max(0, end.Sub(time.UnixMilli(oldest)).Seconds()))
	m.freshness.WithLabelValues(query, "newest").Observe(max(0, end.Sub(time.UnixMilli(newest)).Seconds()))
	// A replayed batch (after a restart) counts older records again: the gauge only moves on.
	if newest > m.newestCounted[query] {
		m.newestCounted[query] = newest
		m.countedProduced.WithLabelValues(query).Set(float64(newest) / 1e3)
	}
}
