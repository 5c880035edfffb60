package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Panels of the cluster board that alerts link to.
var (
	BrokersUpPanel = grafana.Stat("Brokers up",
		"Every broker (dedicated or combined) Prometheus is told to scrape (the topology), one tile each: a broker whose metrics endpoint stops answering turns the colour of KafkaBrokerDown.",
		signals.BrokerUp.Show().Legend("{{instance}}")).Span(3)
	ControllersUpPanel = grafana.Stat("Controllers up",
		"Every KRaft voter (dedicated or combined) the topology declares, one tile each: a voter that stops answering turns the colour of KafkaControllerDown.",
		signals.ControllerUp.Show().Legend("{{instance}}")).Span(3)
	OfflinePartitionsPanel = grafana.Stat("Offline partitions",
		"Partitions without a leader, seen by the active controller: producers and consumers of them are stuck.",
		signals.OfflinePartitions.Show().Legend("offline")).Span(3)

	KafkaHeapPanel = grafana.TimeSeries("Heap used share per node",
		"JVM heap in use as a share of each node's limit (-Xmx); above the dashed line, KafkaJVMHeapPressure's level, the node is short of heap.",
		signals.HeapUsedRatio.Show().Legend("{{instance}}")).Min(0).Max(1).Span(6)
	KafkaGCTimePanel = grafana.TimeSeries("GC time per node",
		"Share of wall time spent in garbage collection, by node (all collectors, against KafkaGCPressure's level, dashed) and by node and collector.",
		signals.GCTimeRatio.Show().Legend("{{instance}}"),
		signals.GCTimeRatio.GroupBy("instance", "gc").Legend("{{instance}} {{gc}}")).Span(6)

	KafkaDiskFreePanel = grafana.TimeSeries("Disk free",
		"Share of each host filesystem still free; Kafka stops a log directory that fills up. Below the first dashed line a disk that is filling up warns (KafkaDiskFillingUp), below the second KafkaDiskAlmostFull pages.",
		signals.DiskFree.Show().Legend("{{instance}} {{mountpoint}}")).Min(0).Max(1).Span(6)
	KafkaDiskFreeIn24hPanel = grafana.TimeSeries("Disk free in "+signals.Hours(signals.DiskFillHorizon),
		"Free space each host filesystem will have in "+signals.Hours(signals.DiskFillHorizon)+" at the rate of the last "+signals.Hours(signals.DiskFillWindow)+
			" (both from the capacity plan); below zero (dashed) the disk fills up within that horizon.",
		signals.DiskFreeIn24h.Show().Legend("{{instance}} {{mountpoint}}")).Span(6)
)

var kafkaCluster = grafana.Board{
	Name: KafkaCluster, Folder: folderKafka, Title: "Kafka cluster",
	Description: "Health, throughput, requests, JVMs and hosts of the whole KRaft cluster.",
	Jobs:        []stack.Component{stack.KafkaBroker, stack.KafkaController, stack.KafkaCombined, stack.NodeExporter},
	Rows: []grafana.Row{
		{Title: "Cluster health", Panels: []*grafana.Panel{
			BrokersUpPanel, ControllersUpPanel,
			grafana.Stat("Active controller",
				"Controllers that believe they are the active one: exactly 1 is healthy, 0 means no quorum leader, 2 a split brain.",
				signals.ActiveControllers.Show().Legend("active")).Span(3),
			OfflinePartitionsPanel,
			grafana.Stat("Under-replicated partitions",
				"Partitions led here whose ISR is smaller than their replica set, summed over brokers.",
				signals.UnderReplicatedPartitions.Total().Legend("under-replicated")).Span(3),
			grafana.Stat("Under-min-ISR partitions",
				"Partitions whose ISR fell below min.insync.replicas: acks=all producers to them fail.",
				signals.UnderMinISRPartitions.Total().Legend("under min ISR")).Span(3),
			grafana.Stat("Topics", "Topics in the cluster metadata, internal ones included.",
				signals.ClusterTopics.Show().Legend("topics")).Span(3),
			grafana.Stat("Partitions", "Partitions in the cluster metadata, all topics.",
				signals.ClusterPartitions.Show().Legend("partitions")).Span(3),
		}},
		{Title: "Throughput", Panels: []*grafana.Panel{
			grafana.TimeSeries("Messages in per topic", "Records appended per second, by topic, summed over the brokers leading its partitions.",
				signals.MessagesIn.Sum("topic").Legend("{{topic}}")),
			grafana.TimeSeries("Bytes in per topic", "Bytes produced per second, by topic.",
				signals.BytesIn.Sum("topic").Legend("{{topic}}")),
			grafana.TimeSeries("Bytes out per topic", "Bytes fetched per second by consumers (Spark), by topic; replication traffic excluded.",
				signals.BytesOut.Sum("topic").Legend("{{topic}}")),
		}},
		{Title: "Requests", Panels: []*grafana.Panel{
			grafana.TimeSeries("Request rate by type", "Requests received per second, by request type, over all nodes.",
				signals.RequestRate.GroupBy("request").Legend("{{request}}")),
			grafana.TimeSeries("p99 request latency by type",
				"Worst node's 99th percentile of the total time to serve a request (queue, local, remote, send), by request type. Fetch requests include the long-poll wait (fetch.max.wait.ms), so seconds there are normal when topics are idle.",
				signals.RequestLatencyP99.GroupBy("request").Legend("{{request}}")),
			grafana.TimeSeries("Request queue size", "Requests waiting for a handler thread, by node: a growing queue means the handlers cannot keep up.",
				signals.RequestQueueSize.GroupBy("instance").Legend("{{instance}}")),
			grafana.TimeSeries("Request handler idle",
				"Share of time the request handler threads are idle, by broker; below the dashed line, KafkaRequestHandlerSaturated's level, the broker is saturated. A combined KRaft node can read above 100% (its broker and controller pools report into one meter).",
				signals.RequestHandlerIdle.Show().Legend("{{instance}}")).Min(0).Max(1).Span(12),
			grafana.TimeSeries("Network processor idle",
				"Share of time the network threads are idle, by node; below the dashed line, KafkaNetworkProcessorSaturated's level, the node is saturated.",
				signals.NetworkProcessorIdle.Show().Legend("{{instance}}")).Min(0).Max(1).Span(12),
		}},
		{Title: "Replication and log", Panels: []*grafana.Panel{
			grafana.TimeSeries("ISR shrinks and expands", "Replicas leaving (shrink) and rejoining (expand) in-sync replica sets per second; flapping means slow followers.",
				signals.ISRShrinkRate.Total().Legend("shrinks"),
				signals.ISRExpandRate.Total().Legend("expands")),
			grafana.TimeSeries("Log flush time p99", "99th percentile of the time a log flush to disk took, by broker.",
				signals.LogFlushTimeP99.GroupBy("instance").Legend("{{instance}}")),
			grafana.TimeSeries("Log flushes", "Log flushes to disk per second, by broker.",
				signals.LogFlushRate.GroupBy("instance").Legend("{{instance}}")),
		}},
		{Title: "JVM", Panels: []*grafana.Panel{
			grafana.TimeSeries("Heap used per node", "JVM heap in use, by node, and each node's limit (-Xmx).",
				signals.NodeHeapUsed.GroupBy("instance").Legend("{{instance}} used"),
				signals.NodeHeapMax.GroupBy("instance").Legend("{{instance}} max")).Span(6),
			KafkaHeapPanel,
			KafkaGCTimePanel,
			grafana.TimeSeries("CPU per node", "CPU time used by each Kafka JVM, in cores.",
				signals.NodeCPU.GroupBy("instance").Legend("{{instance}}")).Span(6),
		}},
		{Title: "Hosts", Panels: []*grafana.Panel{
			grafana.TimeSeries("Host CPU busy", "Share of CPU time not idle, by host, all cores.",
				signals.HostCPUBusy.GroupBy("instance").Legend("{{instance}}")).Min(0).Max(1).Span(6),
			grafana.TimeSeries("Host memory available", "Memory available to new processes without swapping, by host.",
				signals.HostMemoryAvailable.GroupBy("instance").Legend("{{instance}}")).Span(6),
			KafkaDiskFreePanel,
			KafkaDiskFreeIn24hPanel,
		}},
	},
}
