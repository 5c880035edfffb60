//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

// kafkaBroker is the cluster dashboard per node: pick brokers with the instance variable,
// every graph has one line per chosen node.
func kafkaBroker() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(KafkaBroker), "Kafka broker detail",
		"One Kafka broker (or several, side by side), chosen with the instance variable.",
		[]topology.Component{topology.KafkaBroker, topology.KafkaCombined}).
		WithRow(g.Row("Partitions")).
		WithPanel(g.Stat("Partitions", "short",
			"Partition replicas hosted by the chosen brokers.",
			g.Prom(g.Sum("", g.S(catalog.KafkaPartitions)), "replicas"))).
		WithPanel(g.Stat("Leaders", "short",
			"Partitions the chosen brokers lead.",
			g.Prom(g.Sum("", g.S(catalog.KafkaLeaderPartitions)), "leaders"))).
		WithPanel(g.Stat("Under-replicated", "short",
			"Partitions led by the chosen brokers whose ISR is short of replicas.",
			g.Prom(g.Sum("", g.S(catalog.KafkaUnderReplicatedPartitions)), "under-replicated"), g.BadAbove(1)...)).
		WithPanel(g.Stat("Under min ISR", "short",
			"Partitions led by the chosen brokers with fewer in-sync replicas than min.insync.replicas.",
			g.Prom(g.Sum("", g.S(catalog.KafkaUnderMinISRPartitions)), "under min ISR"), g.BadAbove(1)...)).
		WithPanel(g.Stat("Offline replicas", "short",
			"Replicas the chosen brokers cannot serve (failed log directory).",
			g.Prom(g.Sum("", g.S(catalog.KafkaOfflineReplicas)), "offline"), g.BadAbove(1)...)).
		WithPanel(g.Stat("Offline log dirs", "short",
			"Log directories that failed and were taken offline.",
			g.Prom(g.Sum("", g.S(catalog.KafkaOfflineLogDirs)), "offline dirs"), g.BadAbove(1)...)).
		WithRow(g.Row("Throughput")).
		WithPanel(g.TimeSeries("Messages in", "cps",
			"Records appended per second to partitions each broker leads.",
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaMessagesIn)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Bytes in", "Bps",
			"Bytes produced per second to partitions each broker leads.",
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaBytesIn)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Bytes out", "Bps",
			"Bytes fetched per second by consumers from each broker.",
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaBytesOut)), "{{instance}}"))).
		WithRow(g.Row("Requests")).
		WithPanel(g.TimeSeries("Requests by type", "reqps",
			"Requests per second each broker receives, by request type.",
			g.Prom(g.Sum("instance, request", g.Rate(catalog.KafkaRequests)), "{{instance}} {{request}}"))).
		WithPanel(g.TimeSeries("p99 latency by type", "s",
			"99th percentile of the total time to serve a request, by broker and request type; fetches include the long-poll wait (fetch.max.wait.ms).",
			g.Prom(g.Max("instance, request", g.S(catalog.KafkaRequestTimeP99)), "{{instance}} {{request}}"))).
		WithPanel(g.TimeSeries("Handler and network idle", "percentunit",
			"Idle share of the request handler and network threads; below 30% means saturation. A combined KRaft node's handler ratio can read above 100% (broker and controller pools report into one meter).",
			g.Prom(g.Min("instance", g.S(catalog.KafkaRequestHandlerIdle)), "{{instance}} handlers"),
			g.Prom(g.Min("instance", g.S(catalog.KafkaNetworkProcessorIdle)), "{{instance}} network")).Min(0).Max(1)).
		WithRow(g.Row("Replication and log")).
		WithPanel(g.TimeSeries("ISR changes", "cps",
			"ISR shrinks and expands per second on each broker.",
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaISRShrinks)), "{{instance}} shrinks"),
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaISRExpands)), "{{instance}} expands"))).
		WithPanel(g.TimeSeries("Log flush p99", "s",
			"99th percentile of the log flush time on each broker.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaLogFlushTimeP99)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Log size by topic", "bytes",
			"Bytes on disk of the replicas each broker holds, by topic.",
			g.Prom(g.Sum("instance, topic", g.S(catalog.KafkaLogSize)), "{{instance}} {{topic}}"))).
		WithRow(g.Row("JVM and process")).
		WithPanel(g.TimeSeries("Heap", "bytes",
			"JVM heap in use and its limit.",
			g.Prom(g.Sum("instance", g.S(catalog.JVMMemoryUsed, brokerJobs, `area="heap"`)), "{{instance}} used"),
			g.Prom(g.Sum("instance", g.S(catalog.JVMMemoryMax, brokerJobs, `area="heap"`)), "{{instance}} max"))).
		WithPanel(g.TimeSeries("GC time", "percentunit",
			"Share of wall time in garbage collection, by collector.",
			g.Prom(g.Sum("instance, gc", g.RateOf(catalog.JVMGCCollection, "_sum", brokerJobs)), "{{instance}} {{gc}}"))).
		WithPanel(g.TimeSeries("CPU", "percentunit",
			"CPU time used by the broker JVM, in cores.",
			g.Prom(g.Sum("instance", g.Rate(catalog.ProcessCPU, brokerJobs)), "{{instance}}")))
}
