package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/signals"
)

// Panels of the standalone Spark cluster (master and workers) that the Spark alerts link to.
var (
	SparkWorkersPanel = grafana.TimeSeries("Alive workers",
		"Workers alive at the master against the workers Prometheus scrapes, the topology's count (the alert threshold line): below it a worker was lost (SparkWorkerLost), at zero no executor can run and the streaming job stops (SparkNoWorkerAlive).",
		signals.SparkWorkersAlive.Show().Legend("alive"),
		signals.SparkWorkersDeployed.Show().Legend("deployed")).Span(8).Min(0)
	SparkApplicationsPanel = grafana.TimeSeries("Applications",
		"Applications waiting for an executor, and all applications at the master (the Spark Connect server's): one waiting for minutes gets no resources, and every query it starts waits with it (SparkApplicationWaiting).",
		signals.SparkWaitingApplications.Show().Legend("waiting"),
		signals.SparkApplications.Show().Legend("applications")).Span(8).Min(0)
)

var sparkClusterRow = grafana.Row{Title: "Spark cluster", Panels: []*grafana.Panel{
	SparkWorkersPanel, SparkApplicationsPanel,
	grafana.TimeSeries("Executors", "Executors the workers run: one per worker for the Spark Connect server's application.",
		signals.SparkWorkerExecutors.GroupBy("instance").Legend("{{instance}}")).Span(8).Min(0),
	grafana.TimeSeries("Worker cores", "Cores the workers gave to executors and cores they still offer, by worker.",
		signals.SparkCoresUsed.GroupBy("instance").Legend("{{instance}} used"),
		signals.SparkCoresFree.GroupBy("instance").Legend("{{instance}} free")).Span(12).Min(0),
	grafana.TimeSeries("Worker memory", "Memory the workers gave to executors (their heaps) and memory they still offer, by worker.",
		signals.SparkMemoryUsed.GroupBy("instance").Legend("{{instance}} used"),
		signals.SparkMemoryFree.GroupBy("instance").Legend("{{instance}} free")).Span(12).Min(0),
}}
