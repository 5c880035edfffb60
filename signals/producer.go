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

	ProducerErrorRatio = &signal.Signal{
		Name:        "error ratio",
		Description: "Share of the records the producer sends that fail after the client's retries.",
		Unit:        signal.Ratio,
		By:          []string{"instance"},
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerErrors), window), promql.Grouped).Div(
			promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords), window), promql.Grouped).Add(
				promql.Sum(promql.Rate(promql.Select(catalog.ProducerErrors), window), promql.Grouped))),
	}
	ProducerSendErrors = ProducerErrorRatio.Above(signal.Critical, 0.01)

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
