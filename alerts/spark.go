package alerts

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

var (
	sparkMaster  = rules.Target(stack.SparkMaster, "spark-master")
	sparkWorker1 = rules.Target(stack.SparkWorker, "spark-worker-1")
	sparkWorker2 = rules.Target(stack.SparkWorker, "spark-worker-2")
	sparkWorker3 = rules.Target(stack.SparkWorker, "spark-worker-3")
)

// Alerts of the standalone Spark cluster the streaming job's application runs on.
var (
	SparkWorkerLost = rules.Alert{
		Name: "SparkWorkerLost", When: signals.SparkWorkerLost, For: 2 * minute, Panel: dashboards.SparkWorkersPanel,
		Summary:     "Fewer Spark workers are alive than are deployed.",
		Description: "The Spark master sees {{ $value }} alive workers, fewer than the workers Prometheus scrapes.",
		Runbook: rules.Runbook{
			Meaning: "A worker the topology deploys is not alive at the master: its process died (the master drops a worker whose connection closes at once), " +
				"it hung or lost the master for longer than spark.worker.timeout (60 s), or it never registered.",
			Impact: "The executors on that worker are gone with it: the streaming job's tasks, Kafka consumers and state stores run on the remaining workers' cores, " +
				"so batches take longer (StreamBatchSlowerThanTrigger, StreamFallingBehind may follow). Spark recomputes the lost tasks; the checkpoint keeps the output exact.",
			Diagnosis: []string{
				"Compare `spark_master_alive_workers` with `up{job=\"spark-worker\"}` on the panel: a worker whose target is down too has stopped (`make status` locally, `docker compose ps` under Compose).",
				"Read the worker's log (`.stack/logs/spark-worker-N.log`) for why it exited: out of memory, a port taken, the master unreachable.",
				"A worker that runs and answers Prometheus but is not alive at the master cannot reach it: check the master URL it was started with and the master's log for `Removing worker`.",
			},
			Mitigation: []string{
				"Start the worker again (`make up` starts what is not running); it registers with the master and the master gives the application a new executor on it.",
				"If workers keep dying of memory, give them more (topology/) or lower spark.executor.memory (deploy/spark/spark-defaults.conf): a worker must offer at least one executor's memory.",
			},
		},
		Tests: []rules.Test{
			{Name: "one of three workers killed", At: 5 * minute,
				Fires: []rules.Firing{{Value: 2}}, Series: []rules.Series{
					sparkMaster.Series(catalog.SparkMasterAliveWorkers, "3 3 2x8"),
					sparkWorker1.Series(catalog.Up, "1x10"),
					sparkWorker2.Series(catalog.Up, "1x10"),
					sparkWorker3.Series(catalog.Up, "1 1 0x8"),
				}},
			{Name: "all three alive", At: 5 * minute, Series: []rules.Series{
				sparkMaster.Series(catalog.SparkMasterAliveWorkers, "3x10"),
				sparkWorker1.Series(catalog.Up, "1x10"),
				sparkWorker2.Series(catalog.Up, "1x10"),
				sparkWorker3.Series(catalog.Up, "1x10"),
			}},
			{Name: "a worker back within a minute", At: 5 * minute, Series: []rules.Series{
				sparkMaster.Series(catalog.SparkMasterAliveWorkers, "3 3 2 3x7"),
				sparkWorker1.Series(catalog.Up, "1x10"),
				sparkWorker2.Series(catalog.Up, "1x10"),
				sparkWorker3.Series(catalog.Up, "1 1 0 1x7"),
			}},
		},
	}
	SparkNoWorkerAlive = rules.Alert{
		Name: "SparkNoWorkerAlive", When: signals.SparkNoWorkerAlive, For: minute, Panel: dashboards.SparkWorkersPanel,
		Summary:     "No Spark worker is alive: no executor can run.",
		Description: "The Spark master has no alive worker: the streaming job's application has no executor and every query stops.",
		Runbook: rules.Runbook{
			Meaning: "The master runs, but no worker is registered and heartbeating: every worker died, hung, or cannot reach the master.",
			Impact: "No task runs anywhere: the streaming queries complete no batch (StreamProgressStale, StreamQueryStalled follow and are muted by this page), " +
				"input accumulates in Kafka, aggregates and anomaly checks stop. Nothing is lost while Kafka keeps the records (retention) and the checkpoint is intact.",
			Diagnosis: []string{
				"`make status` (local) or `docker compose ps`: are the worker processes running? Their logs say why they stopped.",
				"If they run, read the master's log and each worker's for registration errors (wrong master URL, `spark.worker.timeout`, a blocked port).",
			},
			Mitigation: []string{
				"Start the workers again (`make up` starts what is not running). The master gives the waiting application executors as soon as a worker registers, and the queries resume from their checkpoints by themselves.",
				"Should the queries have failed meanwhile, restart `cmd/stream`; " + resumes,
			},
		},
		Tests: []rules.Test{
			{Name: "the only worker killed", At: 5 * minute,
				Fires: []rules.Firing{{Value: 0}}, Series: []rules.Series{
					sparkMaster.Series(catalog.SparkMasterAliveWorkers, "1 1 0x8"),
					sparkWorker1.Series(catalog.Up, "1 1 0x8"),
				}},
			{Name: "one of three alive", At: 5 * minute, Series: []rules.Series{
				sparkMaster.Series(catalog.SparkMasterAliveWorkers, "3 1x9"),
			}},
			{Name: "the master is down (TargetDown's case): no series", At: 5 * minute, Series: []rules.Series{
				sparkMaster.Series(catalog.SparkMasterAliveWorkers, "1 1 _x8"),
			}},
		},
	}
	SparkApplicationWaiting = rules.Alert{
		Name: "SparkApplicationWaiting", When: signals.SparkApplicationWaiting, For: 5 * minute, Panel: dashboards.SparkApplicationsPanel,
		Summary:     "A Spark application waits for resources.",
		Description: "{{ $value }} applications registered with the Spark master have had no executor for 5 minutes.",
		Runbook: rules.Runbook{
			Meaning: "An application (the Spark Connect server's) registered with the master, but no worker started an executor for it: " +
				"no worker offers the cores and memory one executor asks for (spark.executor.memory, spark.executor.cores), or no worker is alive.",
			Impact: "Every query the application starts waits (the driver logs `Initial job has not accepted any resources`): the streaming job reads nothing and produces nothing.",
			Diagnosis: []string{
				"Compare the executor's demand in deploy/spark/spark-defaults.conf (spark.executor.memory, spark.executor.cores) with what each worker offers (the worker memory and cores panels; topology/).",
				"Check alive workers (SparkNoWorkerAlive, SparkWorkerLost) and free cores: another application may hold them all (spark.cores.max unset takes every core).",
				"The master's web UI (`/json/` on its UI port) lists the waiting application and the workers' free cores and memory.",
			},
			Mitigation: []string{
				"Lower the executor's demand to what a worker offers, or give the workers more (topology/), then restart the Spark Connect server.",
				"Stop the application that holds the cores, or cap it with spark.cores.max.",
			},
		},
		Tests: []rules.Test{
			{Name: "waits ten minutes", At: 10 * minute,
				Fires: []rules.Firing{{Value: 1}}, Series: []rules.Series{
					sparkMaster.Series(catalog.SparkMasterWaitingApps, "0 1x14"),
				}},
			{Name: "waits two minutes at start, then runs", At: 10 * minute, Series: []rules.Series{
				sparkMaster.Series(catalog.SparkMasterWaitingApps, "1 1 0x13"),
			}},
		},
	}
)

// SparkCluster: the standalone master and workers (a component of their own: a critical
// stream alert must not mute a lost worker, which may be its cause).
var SparkCluster = rules.Group{
	Name:      "spark-cluster",
	Component: "spark-cluster",
	Alerts:    []rules.Alert{SparkWorkerLost, SparkNoWorkerAlive, SparkApplicationWaiting},
}
