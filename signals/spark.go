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
