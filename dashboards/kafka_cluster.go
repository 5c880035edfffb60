//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

var kafkaJobs = topology.KafkaRoles

// Matchers narrowing a Kafka query to one role, on top of the job variable.
var (
	brokerJobs     = topology.JobMatcher(topology.BrokerRoles...)
	controllerJobs = topology.JobMatcher(topology.ControllerRoles...)
	anyKafkaJob    = topology.JobMatcher(topology.KafkaRoles...)
)

func kafkaCluster() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(KafkaCluster), "Kafka cluster",
		"Health, throughput, requests, JVMs and hosts of the whole KRaft cluster.",
		[]topology.Component{topology.KafkaBroker, topology.KafkaController, topology.KafkaCombined, topology.NodeExporter}).
		WithRow(g.Row("Cluster health")).
		WithPanel(g.Stat("Brokers up", "short",
			"Brokers (dedicated or combined) whose metrics endpoint answers, against how many Prometheus is told to scrape (the topology).",
			g.Prom(g.Sum("", g.S(catalog.Up, brokerJobs)), "up"), g.BadBelow(1)...).
			WithTarget(g.Prom("count("+g.S(catalog.Up, brokerJobs)+")", "expected")).Span(3)).
		WithPanel(g.Stat("Controllers up", "short",
			"KRaft voters (dedicated or combined) that are up, against how many the topology declares.",
			g.Prom(g.Sum("", g.S(catalog.Up, controllerJobs)), "up"), g.BadBelow(1)...).
			WithTarget(g.Prom("count("+g.S(catalog.Up, controllerJobs)+")", "expected")).Span(3)).
		WithPanel(g.Stat("Active controller", "short",
			"Controllers that believe they are the active one: exactly 1 is healthy, 0 means no quorum leader, 2 a split brain.",
			g.Prom(g.Sum("", g.S(catalog.KafkaActiveControllerCount)), "active"),
			g.Step{Color: "red"}, g.Step{Value: 1, Color: "green"}, g.Step{Value: 2, Color: "red"}).Span(3)).
		WithPanel(g.Stat("Offline partitions", "short",
			"Partitions without a leader, seen by the active controller: producers and consumers of them are stuck.",
			g.Prom(g.Max("", g.S(catalog.KafkaOfflinePartitions)), "offline"), g.BadAbove(1)...).Span(3)).
		WithPanel(g.Stat("Under-replicated partitions", "short",
			"Partitions led here whose ISR is smaller than their replica set, summed over brokers.",
			g.Prom(g.Sum("", g.S(catalog.KafkaUnderReplicatedPartitions)), "under-replicated"), g.BadAbove(1)...).Span(3)).
		WithPanel(g.Stat("Under-min-ISR partitions", "short",
			"Partitions whose ISR fell below min.insync.replicas: acks=all producers to them fail.",
			g.Prom(g.Sum("", g.S(catalog.KafkaUnderMinISRPartitions)), "under min ISR"), g.BadAbove(1)...).Span(3)).
		WithPanel(g.Stat("Topics", "short",
			"Topics in the cluster metadata, internal ones included.",
			g.Prom(g.Max("", g.S(catalog.KafkaGlobalTopics)), "topics")).Span(3)).
		WithPanel(g.Stat("Partitions", "short",
			"Partitions in the cluster metadata, all topics.",
			g.Prom(g.Max("", g.S(catalog.KafkaGlobalPartitions)), "partitions")).Span(3)).
		WithRow(g.Row("Throughput")).
		WithPanel(g.TimeSeries("Messages in per topic", "cps",
			"Records appended per second, by topic, summed over the brokers leading its partitions.",
			g.Prom(g.Sum("topic", g.Rate(catalog.KafkaMessagesIn)), "{{topic}}"))).
		WithPanel(g.TimeSeries("Bytes in per topic", "Bps",
			"Bytes produced per second, by topic.",
			g.Prom(g.Sum("topic", g.Rate(catalog.KafkaBytesIn)), "{{topic}}"))).
		WithPanel(g.TimeSeries("Bytes out per topic", "Bps",
			"Bytes fetched per second by consumers (Spark), by topic; replication traffic excluded.",
			g.Prom(g.Sum("topic", g.Rate(catalog.KafkaBytesOut)), "{{topic}}"))).
		WithRow(g.Row("Requests")).
		WithPanel(g.TimeSeries("Request rate by type", "reqps",
			"Requests received per second, by request type, over all nodes.",
			g.Prom(g.Sum("request", g.Rate(catalog.KafkaRequests)), "{{request}}"))).
		WithPanel(g.TimeSeries("p99 request latency by type", "s",
			"Worst node's 99th percentile of the total time to serve a request (queue, local, remote, send), by request type. Fetch requests include the long-poll wait (fetch.max.wait.ms), so seconds there are normal when topics are idle.",
			g.Prom(g.Max("request", g.S(catalog.KafkaRequestTimeP99)), "{{request}}"))).
		WithPanel(g.TimeSeries("Request queue size", "short",
			"Requests waiting for a handler thread, by node: a growing queue means the handlers cannot keep up.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaRequestQueueSize)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Request handler idle", "percentunit",
			"Share of time the request handler threads are idle, by broker; below 30% the broker is saturated. A combined KRaft node can read above 100% (its broker and controller pools report into one meter).",
			g.Prom(g.Min("instance", g.S(catalog.KafkaRequestHandlerIdle)), "{{instance}}")).Min(0).Max(1).Span(12)).
		WithPanel(g.TimeSeries("Network processor idle", "percentunit",
			"Share of time the network threads are idle, by node; below 30% the node is saturated.",
			g.Prom(g.Min("instance", g.S(catalog.KafkaNetworkProcessorIdle)), "{{instance}}")).Min(0).Max(1).Span(12)).
		WithRow(g.Row("Replication and log")).
		WithPanel(g.TimeSeries("ISR shrinks and expands", "cps",
			"Replicas leaving (shrink) and rejoining (expand) in-sync replica sets per second; flapping means slow followers.",
			g.Prom(g.Sum("", g.Rate(catalog.KafkaISRShrinks)), "shrinks"),
			g.Prom(g.Sum("", g.Rate(catalog.KafkaISRExpands)), "expands"))).
		WithPanel(g.TimeSeries("Log flush time p99", "s",
			"99th percentile of the time a log flush to disk took, by broker.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaLogFlushTimeP99)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Log flushes", "cps",
			"Log flushes to disk per second, by broker.",
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaLogFlushes)), "{{instance}}"))).
		WithRow(g.Row("JVM")).
		WithPanel(g.TimeSeries("Heap used per node", "bytes",
			"JVM heap in use, by node, and each node's limit (-Xmx).",
			g.Prom(g.Sum("instance", g.S(catalog.JVMMemoryUsed, anyKafkaJob, `area="heap"`)), "{{instance}} used"),
			g.Prom(g.Sum("instance", g.S(catalog.JVMMemoryMax, anyKafkaJob, `area="heap"`)), "{{instance}} max"))).
		WithPanel(g.TimeSeries("GC time per node", "percentunit",
			"Share of wall time spent in garbage collection, by node and collector.",
			g.Prom(g.Sum("instance, gc", g.RateOf(catalog.JVMGCCollection, "_sum", anyKafkaJob)), "{{instance}} {{gc}}"))).
		WithPanel(g.TimeSeries("CPU per node", "percentunit",
			"CPU time used by each Kafka JVM, in cores.",
			g.Prom(g.Sum("instance", g.Rate(catalog.ProcessCPU, anyKafkaJob)), "{{instance}}"))).
		WithRow(g.Row("Hosts")).
		WithPanel(g.TimeSeries("Host CPU busy", "percentunit",
			"Share of CPU time not idle, by host, all cores.",
			g.Prom("1 - "+g.Sum("instance", g.Rate(catalog.NodeCPU, `mode="idle"`))+" / "+g.Sum("instance", g.Rate(catalog.NodeCPU)), "{{instance}}")).Min(0).Max(1)).
		WithPanel(g.TimeSeries("Host memory available", "bytes",
			"Memory available to new processes without swapping, by host.",
			g.Prom(g.Sum("instance", g.S(catalog.NodeMemAvailable)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Disk used", "percentunit",
			"Share of each filesystem in use; Kafka stops a log directory that fills up.",
			g.Prom("1 - "+g.Sum("instance, mountpoint", g.S(catalog.NodeFilesystemAvail, `fstype!~"tmpfs|overlay"`))+" / "+g.Sum("instance, mountpoint", g.S(catalog.NodeFilesystemSize, `fstype!~"tmpfs|overlay"`)), "{{instance}} {{mountpoint}}")).Min(0).Max(1))
}
