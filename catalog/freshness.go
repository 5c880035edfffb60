package catalog

import "github.com/finobs/finobs/pkg/metric"

// The stream driver's freshness metrics (pipeline/stream), from the produce times (Kafka
// record timestamps) of the valid transactions each micro-batch counts in the aggregates.
var (
	// StreamFreshness is observed once per micro-batch that counted transactions: the batch's
	// end minus the produce time of its oldest (transaction="oldest") and of its newest
	// (transaction="newest") counted transaction. The aggregates of a batch are written before
	// it ends, so both are upper bounds of the time a transaction took to reach its aggregate;
	// "oldest" is the longest any transaction of the batch waited, the freshness SLO's SLI.
	StreamFreshness = declare(&metric.Metric{
		Name: "finobs_stream_freshness_seconds", Type: metric.Histogram, Exporter: stream, Labels: []string{"query", "transaction"},
		Help: "Batch end minus the produce time of the oldest or newest transaction the batch counted in the aggregates.",
	})
	// StreamCountedProduceTime is the newest produce time the aggregates include: now minus it
	// is the query's lag in time while records wait (offsets behind latest is the lag in records).
	StreamCountedProduceTime = declare(&metric.Metric{
		Name: "finobs_stream_counted_produce_timestamp_seconds", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Produce time (Kafka record timestamp) of the newest transaction the aggregates count.",
	})
)
