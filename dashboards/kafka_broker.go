package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Panels of the broker board that alerts link to.
var (
	UnderReplicatedPanel = grafana.Stat("Under-replicated",
		"Partitions led by the chosen brokers whose ISR is short of replicas.",
		signals.UnderReplicatedPartitions.Total().Legend("under-replicated"))
	UnderMinISRPanel = grafana.Stat("Under min ISR",
		"Partitions led by the chosen brokers with fewer in-sync replicas than min.insync.replicas.",
		signals.UnderMinISRPartitions.Total().Legend("under min ISR"))
	OfflineLogDirsPanel = grafana.Stat("Offline log dirs",
		"Log directories that failed and were taken offline.",
		signals.OfflineLogDirs.Sum().Legend("offline dirs"))

	KafkaProduceLatencyPanel = grafana.TimeSeries("Produce p99 latency",
		"99th percentile of the total time each broker takes to serve a produce request; above the dashed line, KafkaProduceLatencyHigh's level, the producer's in-flight requests fill up.",
		signals.ProduceLatencyP99.Show().Legend("{{instance}}"))
	RequestHandlerIdlePanel = grafana.TimeSeries("Request handler idle",
		"Idle share of each broker's request handler threads; below the dashed line, KafkaRequestHandlerSaturated's level, the broker is saturated. A combined KRaft node's ratio can read above 100% (broker and controller pools report into one meter).",
		signals.RequestHandlerIdle.Show().Legend("{{instance}}")).Min(0).Max(1).Span(12)
	NetworkProcessorIdlePanel = grafana.TimeSeries("Network processor idle",
		"Idle share of each node's network threads; below the dashed line, KafkaNetworkProcessorSaturated's level, the node is saturated.",
		signals.NetworkProcessorIdle.Show().Legend("{{instance}}")).Min(0).Max(1).Span(12)

	ISRChangesPanel = grafana.TimeSeries("ISR changes",
		"ISR shrinks and expands on each broker in the last 15 minutes, the window KafkaISRChurn counts them over; above the dashed line on both, followers flap in and out of sync.",
		signals.ISRShrinks.Show().Legend("{{instance}} shrinks"),
		signals.ISRExpands.Show().Legend("{{instance}} expands"))
)

// kafkaBroker is the cluster dashboard per node: pick brokers with the instance variable,
// every graph has one line per chosen node.
var kafkaBroker = grafana.Board{
	Name: KafkaBroker, Folder: folderKafka, Title: "Kafka broker detail",
	Description: "One Kafka broker (or several, side by side), chosen with the instance variable.",
	Jobs:        []stack.Component{stack.KafkaBroker, stack.KafkaCombined},
	Rows: []grafana.Row{
		{Title: "Partitions", Panels: []*grafana.Panel{
			grafana.Stat("Partitions", "Partition replicas hosted by the chosen brokers.",
				signals.BrokerReplicas.Show().Legend("replicas")),
			grafana.Stat("Leaders", "Partitions the chosen brokers lead.",
				signals.BrokerLeaders.Show().Legend("leaders")),
			UnderReplicatedPanel,
			UnderMinISRPanel,
			grafana.Stat("Offline replicas", "Replicas the chosen brokers cannot serve (failed log directory).",
				signals.OfflineReplicas.Show().Legend("offline")),
			OfflineLogDirsPanel,
		}},
		{Title: "Throughput", Panels: []*grafana.Panel{
			grafana.TimeSeries("Messages in", "Records appended per second to partitions each broker leads.",
				signals.MessagesIn.Sum("instance").Legend("{{instance}}")),
			grafana.TimeSeries("Bytes in", "Bytes produced per second to partitions each broker leads.",
				signals.BytesIn.Sum("instance").Legend("{{instance}}")),
			grafana.TimeSeries("Bytes out", "Bytes fetched per second by consumers from each broker.",
				signals.BytesOut.Sum("instance").Legend("{{instance}}")),
		}},
		{Title: "Requests", Panels: []*grafana.Panel{
			grafana.TimeSeries("Requests by type", "Requests per second each broker receives, by request type.",
				signals.RequestRate.GroupBy("instance", "request").Legend("{{instance}} {{request}}")),
			grafana.TimeSeries("p99 latency by type",
				"99th percentile of the total time to serve a request, by broker and request type; fetches include the long-poll wait (fetch.max.wait.ms).",
				signals.RequestLatencyP99.GroupBy("instance", "request").Legend("{{instance}} {{request}}")),
			KafkaProduceLatencyPanel,
			RequestHandlerIdlePanel,
			NetworkProcessorIdlePanel,
		}},
		{Title: "Replication and log", Panels: []*grafana.Panel{
			ISRChangesPanel,
			grafana.TimeSeries("Log flush p99", "99th percentile of the log flush time on each broker.",
				signals.LogFlushTimeP99.GroupBy("instance").Legend("{{instance}}")),
			grafana.TimeSeries("Log size by topic", "Bytes on disk of the replicas each broker holds, by topic.",
				signals.LogSize.GroupBy("instance", "topic").Legend("{{instance}} {{topic}}")),
		}},
		{Title: "JVM and process", Panels: []*grafana.Panel{
			grafana.TimeSeries("Heap", "JVM heap in use and its limit.",
				signals.BrokerHeapUsed.GroupBy("instance").Legend("{{instance}} used"),
				signals.BrokerHeapMax.GroupBy("instance").Legend("{{instance}} max")),
			grafana.TimeSeries("GC time", "Share of wall time in garbage collection, by collector.",
				signals.BrokerGCTime.GroupBy("instance", "gc").Legend("{{instance}} {{gc}}")),
			grafana.TimeSeries("CPU", "CPU time used by the broker JVM, in cores.",
				signals.BrokerCPU.GroupBy("instance").Legend("{{instance}}")),
		}},
	},
}
