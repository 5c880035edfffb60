package signals

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// megabyte is Spark's MB: worker memory is counted in 2^20 bytes.
const megabyte = 1 << 20

// The standalone Spark cluster the streaming job's application runs on: the master's view of
// its workers and applications, and what each worker has given to executors.
var (
	// SparkWorkersDeployed is how many workers Prometheus is told to scrape (the topology),
	// up or not: what the master should see alive.
	SparkWorkersDeployed = &signal.Signal{
		Name:        "workers deployed",
		Description: "Spark workers Prometheus scrapes, as the topology declares them.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Count(promql.Select(catalog.Up, promql.Jobs(stack.SparkWorker)), promql.Grouped),
	}
	SparkWorkersAlive = &signal.Signal{
		Name:        "alive workers",
		Description: "Workers registered with the master and heartbeating, as the master sees them.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.SparkMasterAliveWorkers), promql.Grouped),
	}
	// A worker the topology deploys is not alive at the master: killed, hung past
	// spark.worker.timeout, or unable to reach the master.
	SparkWorkerLost = SparkWorkersAlive.BelowSignal(signal.Warning, 1, SparkWorkersDeployed)
	// No worker at all: no executor can run, the streaming job stops.
	SparkNoWorkerAlive = SparkWorkersAlive.EqualTo(signal.Critical, 0)

	SparkApplications = &signal.Signal{
		Name:        "applications",
		Description: "Applications the master runs or holds waiting: the Spark Connect server's, one per server start.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.SparkMasterApps), promql.Grouped),
	}
	SparkWaitingApplications = &signal.Signal{
		Name:        "waiting applications",
		Description: "Applications registered with the master that no worker has started an executor for.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.SparkMasterWaitingApps), promql.Grouped),
	}
	// An application that no worker can take (too few cores or too little memory for its
	// executors, or no worker) waits with every query it starts.
	SparkApplicationWaiting = SparkWaitingApplications.Above(signal.Warning, 0)

	SparkCoresUsed = &signal.Signal{
		Name:        "cores used",
		Description: "Cores the workers gave to executors.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Sum(promql.Select(catalog.SparkWorkerCoresUsed), promql.Grouped),
	}
	SparkCoresFree = &signal.Signal{
		Name:        "cores free",
		Description: "Cores the workers offer that no executor holds.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Sum(promql.Select(catalog.SparkWorkerCoresFree), promql.Grouped),
	}
	SparkMemoryUsed = &signal.Signal{
		Name:        "memory used",
		Description: "Memory the workers gave to executors (their heaps).",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.SparkWorkerMemoryUsed), promql.Grouped).Mul(promql.Num(megabyte)),
	}
	SparkMemoryFree = &signal.Signal{
		Name:        "memory free",
		Description: "Memory the workers offer that no executor holds.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.SparkWorkerMemoryFree), promql.Grouped).Mul(promql.Num(megabyte)),
	}
	SparkWorkerExecutors = &signal.Signal{
		Name:        "executors",
		Description: "Executors the workers run.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Sum(promql.Select(catalog.SparkWorkerExecutors), promql.Grouped),
	}
)

// SparkProcesses are the processes a streaming query runs on: the stream driver, Spark
// Connect (the Spark driver) with its executors, and the standalone master and workers.
var SparkProcesses = []stack.Component{stack.StreamDriver, stack.SparkConnect, stack.SparkExecutors, stack.SparkMaster, stack.SparkWorker}

// Spark's own view of the queries, its driver and its executors, as the Spark board shows
// them; no alert fires on these, their levels colour the panels only.
var (
	SparkInputRate = &signal.Signal{
		Name:        "input rows/s",
		Description: "Rows per second arriving at each query, as Spark's metrics system reports them.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Select(catalog.SparkStreamingInputRate), promql.Grouped),
	}
	SparkProcessedRate = &signal.Signal{
		Name:        "processed rows/s",
		Description: "Rows per second each query processed, as Spark's metrics system reports them.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Select(catalog.SparkStreamingProcessingRate), promql.Grouped),
	}
	SparkTriggerLatency = &signal.Signal{
		Name:        "trigger latency",
		Description: "Duration of each query's last trigger, as Spark reports it.",
		Unit:        signal.Millis,
		Expr:        promql.Max(promql.Select(catalog.SparkStreamingLatency), promql.Grouped),
	}
	SparkDriverHeapUsed = &signal.Signal{
		Name:        "heap used",
		Description: "Heap the Spark driver (the Spark Connect server) uses.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.SparkDriverHeapUsed), promql.Grouped),
	}
	SparkDriverHeapMax = &signal.Signal{
		Name:        "heap max",
		Description: "Heap limit of the Spark driver (the Spark Connect server).",
		Unit:        signal.Bytes,
		Expr:        promql.Max(promql.Select(catalog.SparkDriverHeapMax), promql.Grouped),
	}

	SparkProcessesUp = scraped("up", "a process a streaming query runs on (SparkProcesses)", promql.Jobs(SparkProcesses...))
	_                = SparkProcessesUp.EqualTo(signal.Warning, 0) // TargetDown's level, on these processes

	SparkFailedStages = &signal.Signal{
		Name:        "failed stages",
		Description: "Stages that failed since the driver started.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.SparkFailedStages)),
	}
	_ = SparkFailedStages.Above(signal.Critical, 0)

	SparkTaskSlotsBusy = &signal.Signal{
		Name:        "task slots in use",
		Description: "Running tasks over task slots, all executors: near 100% the executors cannot take more partitions.",
		Unit:        signal.Ratio,
		Expr:        promql.Sum(promql.Select(catalog.SparkExecutorActiveTasks)).Div(promql.Sum(promql.Select(catalog.SparkExecutorMaxTasks))),
	}
	_ = SparkTaskSlotsBusy.Above(signal.Warning, 0.8)
	_ = SparkTaskSlotsBusy.Above(signal.Critical, 0.95)

	SparkFailedTasks = &signal.Signal{
		Name:        "failed tasks",
		Description: "Tasks failing per second on the executors.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.SparkExecutorFailedTasks), window), promql.Grouped),
	}
	_ = SparkFailedTasks.Above(signal.Critical, 0)

	SparkCompletedTasks = &signal.Signal{
		Name:        "completed tasks",
		Description: "Tasks completed per second on the executors.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.SparkExecutorCompletedTasks), window), promql.Grouped),
	}
	SparkExecutorHeap = &signal.Signal{
		Name:        "executor heap",
		Description: "Heap each executor JVM uses.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.SparkExecutorHeap), promql.Grouped),
	}
	SparkExecutorStorageMax = &signal.Signal{
		Name:        "executor storage max",
		Description: "Storage memory each executor has.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.SparkExecutorMaxMemory), promql.Grouped),
	}
	SparkExecutorGCTime = &signal.Signal{
		Name:        "GC time",
		Description: "Share of time each executor's tasks spend in garbage collection.",
		Unit:        signal.Ratio,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.SparkExecutorGCTime), window), promql.Grouped),
	}
)
