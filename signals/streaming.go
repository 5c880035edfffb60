package signals

import (
	"regexp"
	"strings"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
)

// DataLossClass is the error_class of a data loss (pipeline/stream.FailDataLoss).
const DataLossClass = "data_loss"

// The Structured Streaming queries, seen through the stream driver's progress metrics.
// Streaming commits no consumer-group offsets: lag comes from offsets behind latest.
var (
	// The two processes every query needs: with either gone the query's own metrics vanish
	// or freeze, so no query alert can fire.
	StreamDriverUp   = scraped("stream driver up", "the stream driver (cmd/stream)", promql.Jobs(stack.StreamDriver))
	StreamDriverDown = StreamDriverUp.EqualTo(signal.Critical, 0)
	SparkConnectUp   = scraped("Spark Connect up", "the Spark Connect server", promql.Jobs(stack.SparkConnect))
	SparkConnectDown = SparkConnectUp.EqualTo(signal.Critical, 0)

	StreamQueryUp = &signal.Signal{
		Name:        "query up",
		Description: "1 while the streaming query is active, 0 once it stopped or failed.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"query"},
		Expr: promql.Select(catalog.StreamQueryUp),
	}
	StreamQueryStopped = StreamQueryUp.EqualTo(signal.Critical, 0)

	// StreamProcessedRate and StreamInputRate are ten-minute averages: a query falls behind
	// when it processes less than its input over that long, not for one slow batch.
	StreamProcessedRate = &signal.Signal{
		Name:        "processed rows/s, 10m average",
		Description: "Rows per second the query processed, averaged over ten minutes of progress reports.",
		Unit:        signal.PerSecond,
		By:          []string{"query"},
		Expr:        promql.AvgOverTime(promql.Select(catalog.StreamProcessedRate), window),
		Window:      10 * minute,
	}
	StreamInputRate = &signal.Signal{
		Name:        "input rows/s, 10m average",
		Description: "Rows per second arriving at the query, averaged over ten minutes of progress reports.",
		Unit:        signal.PerSecond,
		By:          []string{"query"},
		Expr:        promql.AvgOverTime(promql.Select(catalog.StreamInputRate), window),
		Window:      10 * minute,
	}
	StreamFallingBehind = StreamProcessedRate.BelowSignal(signal.Warning, 0.9, StreamInputRate)

	StreamBatchDuration = &signal.Signal{
		Name:        "batch duration",
		Description: "Duration of the query's last micro-batch.",
		Unit:        signal.Seconds,
		By:          []string{"query"},
		Expr:        promql.Select(catalog.StreamBatchDuration),
	}
	StreamTriggerInterval = &signal.Signal{
		Name:        "trigger interval",
		Description: "The query's processing-time trigger.",
		Unit:        signal.Seconds,
		By:          []string{"query"},
		Expr:        promql.Select(catalog.StreamTriggerInterval),
	}
	StreamBatchSlowerThanTrigger = StreamBatchDuration.AboveSignal(signal.Warning, 1, StreamTriggerInterval)

	// StreamQueryRestarts is how often the driver restarted a query over 15 minutes. A query
	// that fails at every start is marked down and restarted per the driver's policy, so it
	// flickers up between failures: StreamQueryDown may never hold for its minute.
	// increase() extrapolates (two restarts can read 2.3): Resolution is not 1.
	StreamQueryRestarts = &signal.Signal{
		Name:        "restarts in 15 minutes",
		Description: "Times the driver started the query again from its checkpoint after it failed, over 15 minutes.",
		Unit:        signal.Count, Resolution: 0.001, Window: 15 * minute, FixedWindow: true,
		By:   []string{"query"},
		Expr: promql.Increase(promql.Select(catalog.StreamQueryRestarts), window),
	}
	// Three restarts in 15 minutes: past the single failure Spark 4.1.1's Kafka source has
	// after a restart (pipeline/stream.RestartPolicy), and before the default policy gives
	// up (5 restarts in 15 minutes). Unless progress came in the last minute: a query that
	// runs batches again is no longer looping, and the page resolves then, not when the
	// restarts leave the 15-minute window. (Unless, not and: a query that never made
	// progress has no progress series at all.)
	StreamCrashLooping = StreamQueryRestarts.AtLeast(signal.Critical, 3).
				UnlessExpr(promql.Time().Sub(promql.Select(catalog.StreamLastProgress)).LT(promql.Num(60)))

	// StreamDataLosses is the driver's count of data-loss failures at its highest over 15
	// minutes, not its increase: the driver gives up at once on a data loss and exits after
	// serving /metrics for -linger, so Prometheus may scrape the counter only once it is 1 (a
	// loss at the first batch), and increase() sees no change. The count is 0 or 1 per driver
	// process: it stays above 0 for 15 minutes after the driver exited.
	StreamDataLosses = &signal.Signal{
		Name:        "data losses",
		Description: "Failures because offsets the query's checkpoint needs are gone from Kafka, as the driver counted them, highest in 15 minutes.",
		Unit:        signal.Count, Resolution: 1, Window: 15 * minute, FixedWindow: true,
		By:   []string{"query"},
		Expr: promql.MaxOverTime(promql.Select(catalog.StreamQueryFailures, promql.Eq("error_class", DataLossClass)), window),
	}
	StreamDataLoss = StreamDataLosses.Above(signal.Critical, 0)

	// StreamProgressAge is how long a query has not reported progress: a stuck query (a
	// batch that never ends, a driver that stopped polling) stops reporting.
	StreamProgressAge = &signal.Signal{
		Name:        "since last progress",
		Description: "Seconds since the query last reported progress.",
		Unit:        signal.Seconds,
		By:          []string{"query"},
		Expr:        promql.Time().Sub(promql.Min(promql.Select(catalog.StreamLastProgress), promql.Grouped)),
	}
	StreamProgressStale = StreamProgressAge.Above(signal.Critical, 120)

	// StreamWatermarkDelay is also the pipeline's end-to-end freshness.
	StreamWatermarkDelay = &signal.Signal{
		Name:        "watermark delay",
		Description: "Wall clock minus the query's event-time watermark: how old the newest data its windows have closed on is.",
		Unit:        signal.Seconds,
		By:          []string{"query"},
		Expr:        promql.Time().Sub(promql.Select(catalog.StreamWatermark)),
	}
	// A watermark ahead of the wall clock is impossible for right event times: records dated
	// in the future moved it. Red on the boards, never the green of a fresh pipeline.
	StreamWatermarkAhead = StreamWatermarkDelay.Below(signal.Critical, 0)
	// A query that has seen no event yet has a zero watermark: lagging only once it has one.
	StreamWatermarkLagging = StreamWatermarkDelay.Above(signal.Warning, 600).
				AndExpr(promql.Select(catalog.StreamWatermark).GT(promql.Num(0)))

	// StreamRowsRead is counted over the level's window: 5 minutes for a stalled query,
	// 10 for a query with no input.
	StreamRowsRead = &signal.Signal{
		Name:        "rows read",
		Description: "Rows the query read from its source in the window.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"query"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.StreamInputRows), window), promql.Grouped),
	}
	StreamQueryStalled = StreamRowsRead.EqualTo(signal.Critical, 0).
				AndExpr(TransactionsIn.Expr.GT(promql.Num(0)), promql.On())
	StreamNoInput = StreamRowsRead.EqualTo(signal.Warning, 0).Over(10*minute).
			AndExpr(StreamQueryUp.Expr.EQ(promql.Num(1)), promql.On("query"))

	// TransactionsIn is what Kafka appends to the input topic, all brokers together.
	TransactionsIn = &signal.Signal{
		Name:        "transactions in Kafka",
		Description: "Records per second appended to the " + topics.Transactions + " topic, all brokers.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn, promql.Eq("topic", topics.Transactions)), window)),
	}

	StreamStateRows = &signal.Signal{
		Name:        "state rows",
		Description: "Rows held in the query's state stores (windows not yet closed).",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"query"},
		Expr: promql.Select(catalog.StreamStateRows),
	}
	streamStateRowsBefore = &signal.Signal{
		Name:        "state rows 30 minutes ago",
		Description: "Rows the query's state stores held half an hour earlier.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"query"},
		Expr: promql.Offset(promql.Select(catalog.StreamStateRows), 30*minute),
	}
	// Doubling in half an hour matters only once the state is large.
	StreamStateGrowing = StreamStateRows.AboveSignal(signal.Warning, 2, streamStateRowsBefore).
				AndExpr(StreamStateRows.Expr.GT(promql.Num(100000)))

	StreamDeadLetterRate = &signal.Signal{
		Name:        "dead-letter rows",
		Description: "Rows per second the query sends to the dead-letter topic: they failed parsing or validation.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		By:   []string{"query"},
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.StreamDeadLetters), window), promql.Grouped),
	}
	StreamDeadLettering = StreamDeadLetterRate.Above(signal.Warning, 0)

	// StreamEventSkew is how far the producers' clocks run ahead of the brokers'. The job
	// quarantines records beyond its tolerance (5 minutes by default): the warning comes at a
	// minute, before records are set aside.
	StreamEventSkew = &signal.Signal{
		Name:        "event-time skew",
		Description: "The largest event time minus broker append time of the query's last batch: how far ahead of the brokers the producers' clocks run.",
		Unit:        signal.Seconds,
		By:          []string{"query"},
		Expr:        promql.Max(promql.Select(catalog.StreamEventSkew), promql.Grouped),
	}
	StreamEventTimeAhead = StreamEventSkew.Above(signal.Warning, 60)

	StreamQuarantineRate = &signal.Signal{
		Name:        "quarantined rows",
		Description: "Rows per second the query quarantines to the dead-letter topic: their event time is out of tolerance of the broker's clock.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		By:   []string{"query"},
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.StreamQuarantined), window), promql.Grouped),
	}

	StreamLateRowRate = &signal.Signal{
		Name:        "late rows",
		Description: "Rows per second the query drops because they arrived behind the watermark.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		By:     []string{"query"},
		Expr:   promql.Sum(promql.Rate(promql.Select(catalog.StreamLateRows), window), promql.Grouped),
		Window: 10 * minute,
	}
	StreamLateRowsDropped = StreamLateRowRate.Above(signal.Info, 1)
)

// The flow through the job, as the pipeline board's stages compare it with Kafka's.
var (
	// StreamReadRate is what the queries read per second, from their input-rows counters: a
	// flow, comparable with what Kafka appended. (Spark's processed rows per second is rows
	// per second of batch time, a capacity: it is not drawn among flows.)
	StreamReadRate = &signal.Signal{
		Name:        "read by Spark",
		Description: "Records per second the queries read from Kafka.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.StreamInputRows), window), promql.Grouped),
	}
	// StreamCountedRate is what of it the aggregates count: read minus dead letters
	// (quarantined among them) minus rows dropped behind the watermark. Spark counts the late
	// rows of its aggregation's partial aggregates, one per merchant and window a batch holds:
	// when several of one merchant are late in one batch, this is an upper bound.
	StreamCountedRate = &signal.Signal{
		Name:        "counted",
		Description: "Records per second the aggregates count: read, less dead letters and rows dropped as late.",
		Unit:        signal.PerSecond,
		Expr:        StreamReadRate.Expr.Sub(StreamDeadLetterRate.Expr).Sub(StreamLateRowRate.Expr),
	}
	// StreamCountedShare colours the board's counted stage: a query that reads records and
	// counts few of them (late, quarantined, dead-lettered) is red whatever flows in.
	StreamCountedShare = &signal.Signal{
		Name:        "counted share",
		Description: "The share of the records read that the aggregates count.",
		Unit:        signal.Ratio, Resolution: 0.001,
		Expr:        StreamCountedRate.Expr.Div(StreamReadRate.Expr),
	}
	streamCountedLow  = StreamCountedShare.Below(signal.Warning, 0.99)
	streamCountedNone = StreamCountedShare.Below(signal.Critical, 0.5)
)

// The queries as the Spark board shows them; no alert fires on these.
var (
	// StreamLastInputRate and StreamLastProcessedRate are the rates of the last progress
	// report (StreamInputRate and StreamProcessedRate average ten minutes of them).
	StreamLastInputRate = &signal.Signal{
		Name:        "input rows/s",
		Description: "Rows per second arriving at the query, as its last progress reported them.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Select(catalog.StreamInputRate), promql.Grouped),
	}
	StreamLastProcessedRate = &signal.Signal{
		Name:        "processed rows/s",
		Description: "Rows per second the query processed, as its last progress reported them.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Select(catalog.StreamProcessedRate), promql.Grouped),
	}
	StreamBatchRate = &signal.Signal{
		Name:        "batches",
		Description: "Micro-batches the query completes per second.",
		Unit:        signal.OpsPerSec,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.StreamBatches), window), promql.Grouped),
	}
	StreamStateBytes = &signal.Signal{
		Name:        "state bytes",
		Description: "Memory the query's state stores use.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.StreamStateBytes), promql.Grouped),
	}
	// StreamOtherFailures is the failures of every class but data loss, counted as
	// StreamDataLosses counts data losses.
	StreamOtherFailures = &signal.Signal{
		Name:        "failures",
		Description: "Failures of the query other than data losses, by error class, as the driver counted them, highest in 15 minutes.",
		Unit:        signal.Count, Resolution: 1, Window: 15 * minute, FixedWindow: true,
		Expr: promql.MaxOverTime(promql.Select(catalog.StreamQueryFailures, promql.Ne("error_class", DataLossClass)), window),
	}
)

// The pipeline end to end, beside TransactionsIn; no alert fires on these.
var (
	// outputTopics matches the topics the streaming job writes results to.
	outputTopics = promql.Re("topic", anyOfTopics(topics.Outputs))

	AggregatesOut = &signal.Signal{
		Name:        "aggregates out",
		Description: "Records per second Kafka appends to the output topics (aggregates, anomalies), all brokers.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn, outputTopics), window), promql.Grouped),
	}
	PipelineBacklog = &signal.Signal{
		Name:        "backlog",
		Description: "Records waiting: in the producers' buffers plus in Kafka not yet read by the queries.",
		Unit:        signal.Count,
		Expr:        promql.Sum(promql.Select(catalog.ProducerBuffered)).Add(promql.Sum(promql.Select(catalog.StreamOffsetsBehind))),
	}
)

// anyOfTopics is a regular expression matching exactly the given topic names.
func anyOfTopics(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(out, "|")
}
