package catalog

import (
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

var (
	sparkDriver    = []stack.Component{stack.SparkConnect}
	sparkExecutors = []stack.Component{stack.SparkExecutors}
)

// Spark's PrometheusServlet names streaming metrics
// metrics_<namespace>_driver_spark_streaming_<query>_<metric>_Value; with
// spark.metrics.namespace=finobs (deploy/spark) only the query name varies. Prometheus
// renames them to one metric per measure with a query label.
const sparkStreaming = `metrics_finobs_driver_spark_streaming_(.+)_`

func streamingRename(measure string) *metric.Rename {
	return &metric.Rename{From: sparkStreaming + measure + `_Value`, Labels: map[string]string{"query": "$1"}}
}

// Spark Structured Streaming, as Spark itself reports it (spark.sql.streaming.metricsEnabled).
var (
	SparkStreamingInputRate = declare(&metric.Metric{
		Name: "spark_streaming_input_rows_per_second", Type: metric.Gauge, Exporter: sparkDriver, Labels: []string{"query"},
		Help: "Rows per second arriving at the query, as the Spark driver reports it.", Rename: streamingRename("inputRate_total"),
	})
	SparkStreamingProcessingRate = declare(&metric.Metric{
		Name: "spark_streaming_processed_rows_per_second", Type: metric.Gauge, Exporter: sparkDriver, Labels: []string{"query"},
		Help: "Rows per second the query processed, as the Spark driver reports it.", Rename: streamingRename("processingRate_total"),
	})
	SparkStreamingLatency = declare(&metric.Metric{
		Name: "spark_streaming_latency_milliseconds", Type: metric.Gauge, Exporter: sparkDriver, Labels: []string{"query"},
		Help: "Duration of the last trigger, in milliseconds as Spark reports it.", Rename: streamingRename("latency"),
	})
	SparkStreamingWatermark = declare(&metric.Metric{
		Name: "spark_streaming_watermark_milliseconds", Type: metric.Gauge, Exporter: sparkDriver, Labels: []string{"query"},
		Help: "Event-time watermark of the query, epoch milliseconds.", Rename: streamingRename("eventTime_watermark"),
	})
	SparkStreamingStateRows = declare(&metric.Metric{
		Name: "spark_streaming_state_rows", Type: metric.Gauge, Exporter: sparkDriver, Labels: []string{"query"},
		Help: "Rows in the query's state stores.", Rename: streamingRename("states_rowsTotal"),
	})
	SparkStreamingStateBytes = declare(&metric.Metric{
		Name: "spark_streaming_state_bytes", Type: metric.Gauge, Exporter: sparkDriver, Labels: []string{"query"},
		Help: "Memory used by the query's state stores.", Rename: streamingRename("states_usedBytes"),
	})
	SparkDriverHeapUsed = declare(&metric.Metric{
		Name: "spark_driver_jvm_heap_used_bytes", Type: metric.Gauge, Exporter: sparkDriver,
		Help: "Heap used by the Spark driver (the Spark Connect server).", Rename: &metric.Rename{From: `metrics_finobs_driver_jvm_heap_used_Value`},
	})
	SparkDriverHeapMax = declare(&metric.Metric{
		Name: "spark_driver_jvm_heap_max_bytes", Type: metric.Gauge, Exporter: sparkDriver,
		Help: "Maximum heap of the Spark driver.", Rename: &metric.Rename{From: `metrics_finobs_driver_jvm_heap_max_Value`},
	})
	SparkFailedStages = declare(&metric.Metric{
		Name: "spark_driver_failed_stages", Type: metric.Gauge, Exporter: sparkDriver,
		Help: "Stages that failed since the driver started.", Rename: &metric.Rename{From: `metrics_finobs_driver_DAGScheduler_stage_failedStages_Value`},
	})
)

// Executor health, from the driver's /metrics/executors/prometheus.
var (
	SparkExecutorActiveTasks = declare(&metric.Metric{
		Name: "metrics_executor_activeTasks", Type: metric.Gauge, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Tasks running on the executor.",
	})
	SparkExecutorMaxTasks = declare(&metric.Metric{
		Name: "metrics_executor_maxTasks", Type: metric.Gauge, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Task slots of the executor.",
	})
	SparkExecutorFailedTasks = declare(&metric.Metric{
		Name: "metrics_executor_failedTasks_total", Type: metric.Counter, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Tasks that failed on the executor.",
	})
	SparkExecutorCompletedTasks = declare(&metric.Metric{
		Name: "metrics_executor_completedTasks_total", Type: metric.Counter, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Tasks that completed on the executor.",
	})
	SparkExecutorGCTime = declare(&metric.Metric{
		Name: "metrics_executor_totalGCTime_seconds_total", Type: metric.Counter, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Time the executor's tasks spent in GC.",
	})
	SparkExecutorHeap = declare(&metric.Metric{
		Name: "metrics_executor_JVMHeapMemory_bytes", Type: metric.Gauge, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Heap used by the executor JVM.",
	})
	SparkExecutorMaxMemory = declare(&metric.Metric{
		Name: "metrics_executor_maxMemory_bytes", Type: metric.Gauge, Exporter: sparkExecutors, Labels: []string{"application_name", "executor_id"},
		Help: "Storage memory available to the executor.",
	})
)

// Drops are the raw series names a component's job drops once the declared metrics are
// renamed out of them (anchored regexes).
func Drops(comp stack.Component) []string {
	if comp == stack.SparkConnect {
		// Everything else the servlet exports is hundreds of series per query nobody reads.
		return []string{`metrics_finobs_.*`}
	}
	return nil
}

// LabelDrops are labels a job removes from every series: the application id changes with
// every start of the Spark Connect server and would split every series.
func LabelDrops() map[stack.Component][]string {
	return map[stack.Component][]string{stack.SparkExecutors: {"application_id"}}
}

// The standalone cluster: the master's and the workers' PrometheusServlet. Their sources'
// names carry no application id, but Spark's names (metrics_master_aliveWorkers_Value) say
// neither unit nor meaning in Prometheus' style: renamed like the driver's.
var (
	sparkMaster = []stack.Component{stack.SparkMaster}
	sparkWorker = []stack.Component{stack.SparkWorker}
)

func sparkSource(source, gauge string) *metric.Rename {
	return &metric.Rename{From: `metrics_` + source + `_` + gauge + `_Value`}
}

var (
	SparkMasterWorkers = declare(&metric.Metric{
		Name: "spark_master_workers", Type: metric.Gauge, Exporter: sparkMaster,
		Help: "Workers the standalone master knows, in any state (alive, dead, decommissioned).", Rename: sparkSource("master", "workers"),
	})
	SparkMasterAliveWorkers = declare(&metric.Metric{
		Name: "spark_master_alive_workers", Type: metric.Gauge, Exporter: sparkMaster,
		Help: "Workers registered with the standalone master and heartbeating.", Rename: sparkSource("master", "aliveWorkers"),
	})
	SparkMasterApps = declare(&metric.Metric{
		Name: "spark_master_applications", Type: metric.Gauge, Exporter: sparkMaster,
		Help: "Applications the standalone master runs or holds waiting (not the finished ones).", Rename: sparkSource("master", "apps"),
	})
	SparkMasterWaitingApps = declare(&metric.Metric{
		Name: "spark_master_waiting_applications", Type: metric.Gauge, Exporter: sparkMaster,
		Help: "Applications registered with the master that no worker has started an executor for yet.", Rename: sparkSource("master", "waitingApps"),
	})
	SparkWorkerExecutors = declare(&metric.Metric{
		Name: "spark_worker_executors", Type: metric.Gauge, Exporter: sparkWorker,
		Help: "Executors the worker runs.", Rename: sparkSource("worker", "executors"),
	})
	SparkWorkerCoresUsed = declare(&metric.Metric{
		Name: "spark_worker_cores_used", Type: metric.Gauge, Exporter: sparkWorker,
		Help: "Cores of the worker given to executors.", Rename: sparkSource("worker", "coresUsed"),
	})
	SparkWorkerCoresFree = declare(&metric.Metric{
		Name: "spark_worker_cores_free", Type: metric.Gauge, Exporter: sparkWorker,
		Help: "Cores the worker offers and no executor holds.", Rename: sparkSource("worker", "coresFree"),
	})
	// Spark counts worker memory in MB (2^20 bytes); a rename cannot scale it.
	SparkWorkerMemoryUsed = declare(&metric.Metric{
		Name: "spark_worker_memory_used_megabytes", Type: metric.Gauge, Exporter: sparkWorker,
		Help: "Memory of the worker given to executors, in MB (2^20 bytes).", Rename: sparkSource("worker", "memUsed_MB"),
	})
	SparkWorkerMemoryFree = declare(&metric.Metric{
		Name: "spark_worker_memory_free_megabytes", Type: metric.Gauge, Exporter: sparkWorker,
		Help: "Memory the worker offers and no executor holds, in MB (2^20 bytes).", Rename: sparkSource("worker", "memFree_MB"),
	})
)
