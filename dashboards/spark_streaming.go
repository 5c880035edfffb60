//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

// onQuery narrows stream driver metrics to the chosen streaming queries.
const onQuery = `query=~"$query"`

// sparkJobs are the jobs of this dashboard, for metrics every job has (up).
const sparkJobs = `job=~"stream-driver|spark-connect|spark-executors"`

func sparkStreaming() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(SparkStream), "Spark Structured Streaming",
		"The streaming queries run through Spark Connect: rates, batches, watermark, state, Kafka backlog, and the Spark processes.",
		[]topology.Component{topology.StreamDriver, topology.SparkConnect, topology.SparkExecutors},
		g.LabelVar("query", "query", g.S(catalog.StreamQueryUp))).
		WithRow(g.Row("Queries")).
		WithPanel(g.Stat("Queries up", "short",
			"Streaming queries the driver reports active.",
			g.Prom(g.Sum("", g.S(catalog.StreamQueryUp, onQuery)), "up"), g.BadBelow(1)...)).
		WithPanel(g.Stat("Input rate", "cps",
			"Rows per second arriving from Kafka, last batch.",
			g.Prom(g.Sum("", g.S(catalog.StreamInputRate, onQuery)), "input"))).
		WithPanel(g.Stat("Processing rate", "cps",
			"Rows per second processed, last batch; below the input rate the backlog grows.",
			g.Prom(g.Sum("", g.S(catalog.StreamProcessedRate, onQuery)), "processed"))).
		WithPanel(g.Stat("Offsets behind latest", "short",
			"Records in Kafka not yet read by the queries, all partitions.",
			g.Prom(g.Sum("", g.S(catalog.StreamOffsetsBehind, onQuery)), "behind"))).
		WithPanel(g.Stat("Watermark delay", "s",
			"How far the event-time watermark trails the wall clock (worst query).",
			g.Prom("time() - "+g.Min("", g.S(catalog.StreamWatermark, onQuery)), "delay"),
			g.Step{Color: "green"}, g.Step{Value: 300, Color: "orange"}, g.Step{Value: 900, Color: "red"})).
		WithPanel(g.Stat("Since last progress", "s",
			"Seconds since the oldest query last reported progress: a stuck query stops reporting.",
			g.Prom("time() - "+g.Min("", g.S(catalog.StreamLastProgress, onQuery)), "age"),
			g.Step{Color: "green"}, g.Step{Value: 120, Color: "red"})).
		WithRow(g.Row("Throughput")).
		WithPanel(g.TimeSeries("Input vs processing rate", "cps",
			"Rows per second arriving and processed, by query; processing must keep up with input.",
			g.Prom(g.Sum("query", g.S(catalog.StreamInputRate, onQuery)), "{{query}} input"),
			g.Prom(g.Sum("query", g.S(catalog.StreamProcessedRate, onQuery)), "{{query}} processed"))).
		WithPanel(g.TimeSeries("Rows read", "cps",
			"Rows read from the source per second, from the input row counter, by query.",
			g.Prom(g.Sum("query", g.Rate(catalog.StreamInputRows, onQuery)), "{{query}}"))).
		WithPanel(g.TimeSeries("Late and dead-letter rows", "cps",
			"Rows dropped behind the watermark and rows sent to the dead-letter output per second, by query.",
			g.Prom(g.Sum("query", g.Rate(catalog.StreamLateRows, onQuery)), "{{query}} late"),
			g.Prom(g.Sum("query", g.Rate(catalog.StreamDeadLetters, onQuery)), "{{query}} dead letter"))).
		WithRow(g.Row("Batches")).
		WithPanel(g.TimeSeries("Batch duration vs trigger", "s",
			"Duration of the last micro-batch against the trigger interval: batches longer than the trigger fall behind.",
			g.Prom(g.Max("query", g.S(catalog.StreamBatchDuration, onQuery)), "{{query}} batch"),
			g.Prom(g.Max("query", g.S(catalog.StreamTriggerInterval, onQuery)), "{{query}} trigger")).Span(12)).
		WithPanel(g.TimeSeries("Batches", "ops",
			"Micro-batches completed per second, by query.",
			g.Prom(g.Sum("query", g.Rate(catalog.StreamBatches, onQuery)), "{{query}}")).Span(12)).
		WithRow(g.Row("Watermark and state")).
		WithPanel(g.TimeSeries("Watermark delay by query", "s",
			"Wall clock minus event-time watermark, by query; rows older than the watermark are dropped as late.",
			g.Prom("time() - "+g.Max("query", g.S(catalog.StreamWatermark, onQuery)), "{{query}}"))).
		WithPanel(g.TimeSeries("State rows", "short",
			"Rows held in the state store (windows not yet closed), by query; must stay bounded.",
			g.Prom(g.Sum("query", g.S(catalog.StreamStateRows, onQuery)), "{{query}}"))).
		WithPanel(g.TimeSeries("State bytes", "bytes",
			"Memory used by the state store, by query.",
			g.Prom(g.Sum("query", g.S(catalog.StreamStateBytes, onQuery)), "{{query}}"))).
		WithRow(g.Row("Kafka source")).
		WithPanel(g.TimeSeries("Offsets behind latest by partition", "short",
			"Records between each partition's latest offset and the query's position (Spark keeps offsets in its checkpoint, not a consumer group).",
			g.Prom(g.Sum("topic, partition", g.S(catalog.StreamOffsetsBehind, onQuery)), "{{topic}}/{{partition}}")).Span(24)).
		WithRow(g.Row("Spark's own view")).
		WithPanel(g.TimeSeries("Rates reported by Spark", "cps",
			"Input and processing rates as the Spark driver's metrics system reports them; should match the stream driver's lines above.",
			g.Prom(g.Sum("query", g.S(catalog.SparkStreamingInputRate, onQuery)), "{{query}} input"),
			g.Prom(g.Sum("query", g.S(catalog.SparkStreamingProcessingRate, onQuery)), "{{query}} processed"))).
		WithPanel(g.TimeSeries("Trigger latency reported by Spark", "ms",
			"Duration of the last trigger, as Spark reports it, by query.",
			g.Prom(g.Max("query", g.S(catalog.SparkStreamingLatency, onQuery)), "{{query}}"))).
		WithPanel(g.TimeSeries("Driver heap", "bytes",
			"Heap used by the Spark driver (the Spark Connect server) and its limit; state stores live in the executors.",
			g.Prom(g.Sum("instance", g.S(catalog.SparkDriverHeapUsed)), "{{instance}} used"),
			g.Prom(g.Max("instance", g.S(catalog.SparkDriverHeapMax)), "{{instance}} max"))).
		WithRow(g.Row("Executors")).
		WithPanel(g.Stat("Processes up", "short",
			"Spark Connect, its executors endpoint and the stream driver answering Prometheus, against how many are scraped.",
			g.Prom(g.Sum("", g.S(catalog.Up, sparkJobs)), "up"), g.BadBelow(1)...).
			WithTarget(g.Prom("count("+g.S(catalog.Up, sparkJobs)+")", "expected")).Span(6)).
		WithPanel(g.Stat("Failed stages", "short",
			"Stages that failed since the driver started.",
			g.Prom(g.Max("", g.S(catalog.SparkFailedStages)), "failed"), g.BadAbove(1)...).Span(6)).
		WithPanel(g.Stat("Task slots in use", "percentunit",
			"Running tasks over task slots, all executors: near 100% the executors cannot take more partitions.",
			g.Prom(g.Sum("", g.S(catalog.SparkExecutorActiveTasks))+" / "+g.Sum("", g.S(catalog.SparkExecutorMaxTasks)), "busy"),
			g.Step{Color: "green"}, g.Step{Value: 0.8, Color: "orange"}, g.Step{Value: 0.95, Color: "red"}).Span(6)).
		WithPanel(g.Stat("Failed tasks", "cps",
			"Tasks failing per second, all executors.",
			g.Prom(g.Sum("", g.Rate(catalog.SparkExecutorFailedTasks)), "failed"), g.BadAbove(0.0001)...).Span(6)).
		WithPanel(g.TimeSeries("Tasks by executor", "cps",
			"Tasks completed and failed per second, by executor.",
			g.Prom(g.Sum("executor_id", g.Rate(catalog.SparkExecutorCompletedTasks)), "{{executor_id}} completed"),
			g.Prom(g.Sum("executor_id", g.Rate(catalog.SparkExecutorFailedTasks)), "{{executor_id}} failed"))).
		WithPanel(g.TimeSeries("Executor heap", "bytes",
			"Heap used by each executor JVM, against the storage memory it has.",
			g.Prom(g.Sum("executor_id", g.S(catalog.SparkExecutorHeap)), "{{executor_id}} heap"),
			g.Prom(g.Sum("executor_id", g.S(catalog.SparkExecutorMaxMemory)), "{{executor_id}} storage max"))).
		WithPanel(g.TimeSeries("Executor GC time", "percentunit",
			"Share of time each executor's tasks spent in garbage collection.",
			g.Prom(g.Sum("executor_id", g.Rate(catalog.SparkExecutorGCTime)), "{{executor_id}}"))).
		WithPanel(g.TimeSeries("Query up", "short",
			"1 while each streaming query is active, 0 when it stopped or failed.",
			g.Prom(g.Max("query", g.S(catalog.StreamQueryUp, onQuery)), "{{query}}")).Span(24).Height(6).Min(0).Max(1))
}
