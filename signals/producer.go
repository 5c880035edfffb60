package signals

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// The transaction producer (cmd/produce).
var (
	ProducerUp   = scraped("producer up", "a producer", promql.Jobs(stack.Producer))
	ProducerDown = ProducerUp.EqualTo(signal.Critical, 0)

	// ProducerFailedRecords are records the producer gave up on over the window: each is a
	// transaction not ingested. By default it never gives up (it retries and holds the
	// generator back); one failure is a bound a user set (-delivery-timeout) or an error no
	// retry heals, and pages: a money path does not wait for a share of its records to fail.
	ProducerFailedRecords = &signal.Signal{
		Name:        "failed records",
		Description: "Records the producer gave up on over the window, after the client's retries.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.ProducerErrors), window), promql.Grouped),
	}
	ProducerSendErrors = ProducerFailedRecords.Above(signal.Critical, 0)

	ProducerRecordRate = &signal.Signal{
		Name:        "records/s",
		Description: "Records per second Kafka acknowledged to the producer.",
		Unit:        signal.PerSecond,
		By:          []string{"instance"},
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords), window), promql.Grouped),
	}
	// ProducerTargetRate is the configured rate; an unlimited producer (0) has none.
	ProducerTargetRate = &signal.Signal{
		Name:        "target rate",
		Description: "Records per second the producer is configured to send, where it is limited.",
		Unit:        signal.PerSecond,
		By:          []string{"instance"},
		Expr:        promql.Max(promql.Select(catalog.ProducerTargetRate).GT(promql.Num(0)), promql.Grouped),
	}
	ProducerThroughputCollapsed = ProducerRecordRate.BelowSignal(signal.Critical, 0.5, ProducerTargetRate)

	ProducerBufferUse = &signal.Signal{
		Name:        "buffer use",
		Description: "Records buffered in the client as a share of its limit (MaxBufferedRecords); at 100% produce calls block.",
		Unit:        signal.Ratio,
		By:          []string{"instance"},
		Expr:        promql.Max(promql.Select(catalog.ProducerBuffered).Div(promql.Select(catalog.ProducerBufferMax)), promql.Grouped),
	}
	ProducerBufferFull = ProducerBufferUse.Above(signal.Warning, 0.9)

	// ProducerLatencyP99Rule records the producer's p99 latency; alerts read the recorded
	// series, panels the expression (recorded series keep no job to filter on).
	ProducerLatencyP99Rule = rules.Recording{
		Record: "instance:finobs_producer_produce_latency_seconds:p99",
		Expr: promql.HistogramQuantile(0.99,
			promql.Sum(promql.Rate(promql.Buckets(catalog.ProducerLatency), 5*minute), "instance", "le")),
	}
	ProducerLatencyP99 = &signal.Signal{
		Name:        "p99 produce latency",
		Description: "99th percentile of the time from produce call to acknowledgement.",
		Unit:        signal.Seconds,
		By:          []string{"instance"},
		Expr:        ProducerLatencyP99Rule.Select(),
	}
	ProducerLatencyHigh = ProducerLatencyP99.Above(signal.Warning, 1)
)

// The producer as its board shows it; no alert fires on these.
var (
	// ProducerTargetSum is every producer's configured rate added up; unlimited ones add 0.
	ProducerTargetSum = &signal.Signal{
		Name:        "target",
		Description: "Records per second the producers are configured to send, all of them.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Select(catalog.ProducerTargetRate)),
	}
	ProducerByteRate = &signal.Signal{
		Name:        "bytes/s",
		Description: "Record bytes per second the producer sends.",
		Unit:        signal.BytesPerSec,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.ProducerBytes), window), promql.Grouped),
	}
	ProducerErrorRate = &signal.Signal{
		Name:        "produce errors",
		Description: "Records per second that fail to produce after the client's retries.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.ProducerErrors), window), promql.Grouped),
	}
	ProducerRecordSize = &signal.Signal{
		Name:        "record size",
		Description: "Average bytes per record sent.",
		Unit:        signal.Bytes,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerBytes), window), promql.Grouped).Div(
			promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords), window), promql.Grouped)),
	}
	ProducerBuffered = &signal.Signal{
		Name:        "buffered records",
		Description: "Records waiting in the client buffer.",
		Unit:        signal.Count,
		Expr:        promql.Sum(promql.Select(catalog.ProducerBuffered), promql.Grouped),
	}
	ProducerBufferLimit = &signal.Signal{
		Name:        "buffer limit",
		Description: "Records the client buffers at most (MaxBufferedRecords).",
		Unit:        signal.Count,
		Expr:        promql.Max(promql.Select(catalog.ProducerBufferMax), promql.Grouped),
	}
	ProducerLatencyP50 = &signal.Signal{
		Name:        "p50 produce latency",
		Description: "Median of the time from produce call to acknowledgement.",
		Unit:        signal.Seconds,
		Expr:        promql.HistogramQuantile(0.5, promql.Sum(promql.Rate(promql.Buckets(catalog.ProducerLatency), window), "le")),
	}

	// The client's batching (franz-go's own metrics).
	ProducerRecordsPerBatch = &signal.Signal{
		Name:        "records per batch",
		Description: "Records in each batch the client sends.",
		Unit:        signal.Count,
		Expr:        perBatch(promql.Select(catalog.KgoProduceRecords)),
	}
	ProducerBatchBytes = &signal.Signal{
		Name:        "batch bytes",
		Description: "Bytes of each batch the client sends, before compression.",
		Unit:        signal.Bytes,
		Expr:        perBatch(promql.Select(catalog.KgoProduceBytes)),
	}
	ProducerBatchCompressedBytes = &signal.Signal{
		Name:        "compressed batch bytes",
		Description: "Bytes of each batch the client sends, after compression.",
		Unit:        signal.Bytes,
		Expr:        perBatch(promql.Select(catalog.KgoProduceCompressedBytes)),
	}
	ProducerBatchRate = &signal.Signal{
		Name:        "batches",
		Description: "Batches the client sends per second.",
		Unit:        signal.ReqsPerSec,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KgoProduceBatches), window), promql.Grouped),
	}
)

// perBatch is the rate of franz-go counter e per batch produced.
func perBatch(e promql.Expr) promql.Expr {
	return promql.Sum(promql.Rate(e, window), promql.Grouped).Div(
		promql.Sum(promql.Rate(promql.Select(catalog.KgoProduceBatches), window), promql.Grouped))
}
