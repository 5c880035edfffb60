package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/signals"
)

// StreamProgressAgePanel shows how long the least recent query has not reported progress.
var StreamProgressAgePanel = grafana.Stat("Since last progress",
	"Seconds since the oldest query last reported progress: a stuck query stops reporting.",
	signals.StreamProgressAge.Total().Legend("age"))

// Panels of the Spark Structured Streaming dashboard that alerts link to.
var (
	StreamRestartsPanel = grafana.TimeSeries("Query restarts",
		"Times the driver restarted each query from its checkpoint after a failure, over the last 15 minutes, the window StreamQueryCrashLooping counts them over: from the red line (3) a query fails at every start. The driver's restart policy gives up after -max-restarts in -restart-window (5 in 15 minutes by default) and exits.",
		signals.StreamQueryRestarts.Show().Legend("{{query}} restarts")).Span(12)
	StreamFailuresPanel = grafana.TimeSeries("Query failures by error class",
		"Failures the stream driver counted since it started, by error class, highest in the last 15 minutes: a driver that exited still shows its last count for 15 minutes. The red line is StreamDataLoss's level, for data_loss only: one data loss pages (the driver gives up at once and exits 3). Restarts fail as state, kafka, start, terminated or other; a refused checkpoint is foreign_checkpoint.",
		signals.StreamDataLosses.Show().Legend("{{query}} data_loss"),
		signals.StreamOtherFailures.Show().Legend("{{query}} {{error_class}}")).Span(12)

	StreamDriverUpPanel = grafana.Stat("Stream driver up",
		"1 when Prometheus scrapes the stream driver (cmd/stream). 0: no query runs, and the query panels below show nothing new (StreamDriverDown).",
		signals.StreamDriverUp.Min().Legend("up"))
	SparkConnectUpPanel = grafana.Stat("Spark Connect up",
		"1 when Prometheus scrapes the Spark Connect server the queries run in. 0: every query stopped (SparkConnectDown).",
		signals.SparkConnectUp.Min().Legend("up"))
	StreamQueriesUpPanel = grafana.Stat("Queries up",
		"Streaming queries the driver reports active.",
		signals.StreamQueryUp.Sum().Legend("up"))
	StreamRatesPanel = grafana.TimeSeries("Input vs processing rate",
		"Rows per second processed and arriving, by query, averaged over ten minutes as StreamFallingBehind compares them; the alert threshold is 90% of the input.",
		signals.StreamProcessedRate.Sum("query").Legend("{{query}} processed"),
		signals.StreamInputRate.Sum("query").Legend("{{query}} input")).Span(6)
	StreamRowsReadPanel = grafana.TimeSeries("Rows read",
		"Rows read from the source in each interval, from the input row counter, by query: zero is a query that reads nothing.",
		signals.StreamRowsRead.Show().Legend("{{query}}")).Span(6)
	StreamDeadLettersPanel = grafana.TimeSeries("Dead-letter rows",
		"Rows sent to the dead-letter output per second, by query: records that failed parsing or validation, and among them those quarantined for an event time out of tolerance.",
		signals.StreamDeadLetterRate.Show().Legend("{{query}} dead letter"),
		signals.StreamQuarantineRate.Show().Legend("{{query}} quarantined")).Span(6)
	StreamEventSkewPanel = grafana.TimeSeries("Event-time skew",
		"Largest event time minus broker append time of the last batch, by query: how far producers' clocks run ahead of the brokers'. Records beyond the job's tolerance (5 minutes by default) are quarantined to dead letters.",
		signals.StreamEventSkew.Show().Legend("{{query}} skew"))
	StreamLateRowsPanel = grafana.TimeSeries("Late rows",
		"Rows dropped behind the watermark per second, by query.",
		signals.StreamLateRowRate.Show().Legend("{{query}} late")).Span(6)
	StreamBatchDurationPanel = grafana.TimeSeries("Batch duration vs trigger",
		"Duration of the last micro-batch against the trigger interval: batches longer than the trigger fall behind.",
		signals.StreamBatchDuration.Max("query").Legend("{{query}} batch"),
		signals.StreamTriggerInterval.Max("query").Legend("{{query}} trigger")).Span(12)
	StreamWatermarkPanel = grafana.TimeSeries("Watermark delay by query",
		"Wall clock minus event-time watermark, by query; rows older than the watermark are dropped as late.",
		signals.StreamWatermarkDelay.Min("query").Legend("{{query}}"))
	StreamStateRowsPanel = grafana.TimeSeries("State rows",
		"Rows held in the state store (windows not yet closed), by query; must stay bounded. The alert threshold is twice the rows of 30 minutes ago.",
		signals.StreamStateRows.Sum("query").Legend("{{query}}"))
)

var sparkStreaming = grafana.Board{
	Name: SparkStream, Folder: folderPipeline, Title: "Spark Structured Streaming",
	Description: "The streaming queries run through Spark Connect: rates, batches, watermark, state, Kafka backlog, the Spark processes and the standalone cluster they run on.",
	Jobs:        signals.SparkProcesses,
	Filters:     []grafana.Filter{{Label: "query", Values: signals.StreamQueryUp.Expr}},
	Rows: []grafana.Row{
		{Title: "Processes", Panels: []*grafana.Panel{
			StreamDriverUpPanel, SparkConnectUpPanel,
		}},
		{Title: "Queries", Panels: []*grafana.Panel{
			StreamQueriesUpPanel,
			grafana.Stat("Input rate", "Rows per second arriving from Kafka, last batch.",
				signals.StreamLastInputRate.Total().Legend("input")),
			grafana.Stat("Processing rate", "Rows per second processed, last batch; below the input rate the backlog grows.",
				signals.StreamLastProcessedRate.Total().Legend("processed")),
			grafana.Stat("Offsets behind latest", "Records in Kafka not yet read by the queries, all partitions.",
				signals.StreamLagRecords.Total().Legend("behind")),
			grafana.Stat("Watermark delay", "How far the event-time watermark trails the wall clock (worst query).",
				signals.StreamWatermarkDelay.Max().Legend("delay")),
			StreamProgressAgePanel,
		}},
		{Title: "Restarts and failures", Panels: []*grafana.Panel{
			StreamRestartsPanel, StreamFailuresPanel,
		}},
		{Title: "Throughput", Panels: []*grafana.Panel{
			StreamRatesPanel, StreamRowsReadPanel, StreamDeadLettersPanel, StreamLateRowsPanel,
		}},
		{Title: "Batches", Panels: []*grafana.Panel{
			StreamBatchDurationPanel,
			grafana.TimeSeries("Batches", "Micro-batches completed per second, by query.",
				signals.StreamBatchRate.GroupBy("query").Legend("{{query}}")).Span(12),
		}},
		{Title: "Watermark and state", Panels: []*grafana.Panel{
			StreamWatermarkPanel,
			StreamEventSkewPanel,
			StreamStateRowsPanel,
			grafana.TimeSeries("State bytes", "Memory used by the state store, by query.",
				signals.StreamStateBytes.GroupBy("query").Legend("{{query}}")),
		}},
		{Title: "Kafka source", Panels: []*grafana.Panel{
			grafana.TimeSeries("Offsets behind latest by partition",
				"Records between each partition's latest offset and the query's position (Spark keeps offsets in its checkpoint, not a consumer group).",
				signals.StreamLagRecords.GroupBy("topic", "partition").Legend("{{topic}}/{{partition}}")).Span(24),
		}},
		{Title: "Spark's own view", Panels: []*grafana.Panel{
			grafana.TimeSeries("Rates reported by Spark",
				"Input and processing rates as the Spark driver's metrics system reports them; should match the stream driver's lines above.",
				signals.SparkInputRate.GroupBy("query").Legend("{{query}} input"),
				signals.SparkProcessedRate.GroupBy("query").Legend("{{query}} processed")),
			grafana.TimeSeries("Trigger latency reported by Spark", "Duration of the last trigger, as Spark reports it, by query.",
				signals.SparkTriggerLatency.GroupBy("query").Legend("{{query}}")),
			grafana.TimeSeries("Driver heap",
				"Heap used by the Spark driver (the Spark Connect server) and its limit; state stores live in the executors.",
				signals.SparkDriverHeapUsed.GroupBy("instance").Legend("{{instance}} used"),
				signals.SparkDriverHeapMax.GroupBy("instance").Legend("{{instance}} max")),
		}},
		{Title: "Executors", Panels: []*grafana.Panel{
			grafana.Stat("Processes up",
				"Spark Connect, its executors endpoint, the stream driver, the master and the workers, one tile each: a process that stops answering Prometheus turns orange, as TargetDown fires for it.",
				signals.SparkProcessesUp.Show().Legend("{{job}}")).Span(6),
			grafana.Stat("Failed stages", "Stages that failed since the driver started.",
				signals.SparkFailedStages.Total().Legend("failed")).Span(6),
			grafana.Stat("Task slots in use",
				"Running tasks over task slots, all executors: near 100% the executors cannot take more partitions.",
				signals.SparkTaskSlotsBusy.Total().Legend("busy")).Span(6),
			grafana.Stat("Failed tasks", "Tasks failing per second, all executors.",
				signals.SparkFailedTasks.Total().Legend("failed")).Span(6),
			grafana.TimeSeries("Tasks by executor", "Tasks completed and failed per second, by executor.",
				signals.SparkCompletedTasks.GroupBy("executor_id").Legend("{{executor_id}} completed"),
				signals.SparkFailedTasks.GroupBy("executor_id").Legend("{{executor_id}} failed")),
			grafana.TimeSeries("Executor heap", "Heap used by each executor JVM, against the storage memory it has.",
				signals.SparkExecutorHeap.GroupBy("executor_id").Legend("{{executor_id}} heap"),
				signals.SparkExecutorStorageMax.GroupBy("executor_id").Legend("{{executor_id}} storage max")),
			grafana.TimeSeries("Executor GC time", "Share of time each executor's tasks spent in garbage collection.",
				signals.SparkExecutorGCTime.GroupBy("executor_id").Legend("{{executor_id}}")),
			grafana.TimeSeries("Query up", "1 while each streaming query is active, 0 when it stopped or failed.",
				signals.StreamQueryUp.Max("query").Legend("{{query}}")).Span(24).Height(6).Min(0).Max(1),
		}},
		sparkClusterRow,
	},
}
