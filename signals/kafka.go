package signals

import (
	"strconv"
	"time"

	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
)

// The KRaft controller quorum and the cluster-wide state the controllers see.
var (
	ActiveControllers = &signal.Signal{
		Name:        "active controllers",
		Description: "Voters acting as active controller: exactly 1 is healthy, 0 means no quorum leader, 2 a split brain.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Sum(promql.Select(catalog.KafkaActiveControllerCount, controllerJobs), promql.Grouped),
	}
	NoActiveController        = ActiveControllers.Below(signal.Critical, 1)
	MultipleActiveControllers = ActiveControllers.Above(signal.Critical, 1)

	ControllerUp   = scraped("controller up", "a KRaft voter (dedicated or combined)", controllerJobs)
	ControllerDown = ControllerUp.EqualTo(signal.Critical, 0)

	BrokerUp   = scraped("broker up", "a broker (dedicated or combined)", brokerJobs)
	BrokerDown = BrokerUp.EqualTo(signal.Critical, 0)

	// BrokersScraped is how many brokers Prometheus is told to scrape (the topology), up or
	// not: what the controller should see registered.
	BrokersScraped = &signal.Signal{
		Name:        "brokers scraped",
		Description: "Brokers (dedicated or combined) Prometheus scrapes, as the topology declares them.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Count(promql.Select(catalog.Up, brokerJobs), promql.Grouped),
	}
	ActiveBrokers = &signal.Signal{
		Name:        "active brokers",
		Description: "Brokers registered and unfenced, as the active controller sees them.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.KafkaActiveBrokers, controllerJobs), promql.Grouped),
	}
	BrokersNotRegistered = ActiveBrokers.BelowSignal(signal.Warning, 1, BrokersScraped)

	OfflinePartitions = &signal.Signal{
		Name:        "offline partitions",
		Description: "Partitions without a leader, seen by the active controller.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.KafkaOfflinePartitions, controllerJobs), promql.Grouped),
	}
	PartitionsOffline = OfflinePartitions.Above(signal.Critical, 0)

	UncleanLeaderElections = &signal.Signal{
		Name:        "unclean leader elections",
		Description: "Leaders elected from outside the ISR over the window: acknowledged records may be lost.",
		Unit:        signal.Count, Resolution: 0.001,
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.KafkaUncleanLeaderElections, controllerJobs), window), promql.Grouped),
	}
	UncleanLeaderElection = UncleanLeaderElections.Above(signal.Critical, 0)

	UnknownVoterConnections = &signal.Signal{
		Name:        "unknown voter connections",
		Description: "Voters of the quorum each controller cannot reach.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Max(promql.Select(catalog.KafkaRaftUnknownVoterConnections, controllerJobs), promql.Grouped),
	}
	QuorumDegraded = UnknownVoterConnections.Above(signal.Warning, 0)

	ControllerMetadataErrors = &signal.Signal{
		Name:        "controller metadata errors",
		Description: "Errors a controller met loading or applying metadata records over the window.",
		Unit:        signal.Count, Resolution: 0.001,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.KafkaControllerMetadataErrors, controllerJobs), window), promql.Grouped),
	}
	ControllerMetadataFailing = ControllerMetadataErrors.Above(signal.Critical, 0)

	BrokerMetadataErrors = &signal.Signal{
		Name:        "broker metadata errors",
		Description: "Errors a broker met loading or applying KRaft metadata over the window, both kinds added.",
		Unit:        signal.Count, Resolution: 0.001,
		By: []string{"instance"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.KafkaBrokerMetadataLoadErrors, brokerJobs), window), promql.Grouped).Add(
			promql.Sum(promql.Increase(promql.Select(catalog.KafkaBrokerMetadataApplyErrors, brokerJobs), window), promql.Grouped)),
	}
	BrokerMetadataFailing = BrokerMetadataErrors.Above(signal.Critical, 0)

	BrokerMetadataLag = &signal.Signal{
		Name:        "broker metadata lag",
		Description: "Age of the last metadata record each broker applied: how stale its view of the cluster is.",
		Unit:        signal.Seconds,
		By:          []string{"instance"},
		Expr:        promql.Max(promql.Select(catalog.KafkaBrokerMetadataLag, brokerJobs), promql.Grouped),
	}
	BrokerMetadataLagging = BrokerMetadataLag.Above(signal.Warning, 60)
)

// The cluster metadata and the quorum as the Kafka boards show them; no alert fires on these.
var (
	ClusterTopics = &signal.Signal{
		Name:        "topics",
		Description: "Topics in the cluster metadata, internal ones included.",
		Unit:        signal.Count,
		Expr:        promql.Max(promql.Select(catalog.KafkaGlobalTopics), promql.Grouped),
	}
	ClusterPartitions = &signal.Signal{
		Name:        "partitions",
		Description: "Partitions in the cluster metadata, all topics.",
		Unit:        signal.Count,
		Expr:        promql.Max(promql.Select(catalog.KafkaGlobalPartitions), promql.Grouped),
	}

	QuorumLeader = &signal.Signal{
		Name:        "leader",
		Description: "node.id of the quorum leader as each voter sees it (-1: no leader known).",
		Unit:        kraftNumber,
		Expr:        promql.Max(promql.Select(catalog.KafkaRaftCurrentLeader, controllerJobs), promql.Grouped),
	}
	QuorumEpoch = &signal.Signal{
		Name:        "epoch",
		Description: "Leader epoch each voter is in; each increase is an election.",
		Unit:        kraftNumber,
		Expr:        promql.Max(promql.Select(catalog.KafkaRaftCurrentEpoch, controllerJobs), promql.Grouped),
	}
	FencedBrokers = &signal.Signal{
		Name:        "fenced brokers",
		Description: "Brokers the controller fenced (missed heartbeats or shutting down).",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.KafkaFencedBrokers), promql.Grouped),
	}
	_ = FencedBrokers.Above(signal.Critical, 0) // colours the panel only: a fenced broker serves nothing

	ControllerElections = &signal.Signal{
		Name:        "elections",
		Description: "New active controllers per second: the controller role moving between voters.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaNewActiveControllers), window), promql.Grouped),
	}

	UncommittedMetadataRecords = &signal.Signal{
		Name:        "uncommitted records",
		Description: "Records in each node's metadata log past the high watermark (log end offset - high watermark).",
		Unit:        signal.Count,
		Expr:        promql.Max(promql.Select(catalog.KafkaRaftLogEndOffset).Sub(promql.Select(catalog.KafkaRaftHighWatermark)), promql.Grouped),
	}
	UnappliedMetadataRecords = &signal.Signal{
		Name:        "committed, not applied",
		Description: "Metadata records the active controller committed but has not applied yet.",
		Unit:        signal.Count,
		Expr:        promql.Max(promql.Select(catalog.KafkaControllerLastCommittedOffset).Sub(promql.Select(catalog.KafkaControllerLastAppliedOffset)), promql.Grouped),
	}
	ControllerMetadataLag = &signal.Signal{
		Name:        "controller apply lag",
		Description: "Age of the last metadata record each controller applied.",
		Unit:        signal.Seconds,
		Expr:        promql.Max(promql.Select(catalog.KafkaControllerAppliedLag), promql.Grouped),
	}
	QuorumCommitLatency = &signal.Signal{
		Name:        "commit latency",
		Description: "Average time to commit a metadata record on the quorum.",
		Unit:        signal.Seconds,
		Expr:        promql.Max(promql.Select(catalog.KafkaRaftCommitLatency), promql.Grouped),
	}
	BrokerHeartbeatTimeouts = &signal.Signal{
		Name:        "timed-out heartbeats",
		Description: "Broker heartbeats per second the controller gave up on; a broker whose heartbeats time out is fenced.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaTimedOutHeartbeats), window), promql.Grouped),
	}
)

// kraftNumber is the unit of node ids and epochs: plain numbers, no SI prefix.
const kraftNumber signal.Unit = "none"

// Throughput by broker and topic, as per-series rates: the KafkaCluster group records
// them by topic and the boards sum them by topic or by broker.
var (
	MessagesIn = &signal.Signal{
		Name:        "messages in",
		Description: "Records appended per second to the partitions each broker leads.",
		Unit:        signal.PerSecond,
		Expr:        promql.Rate(promql.Select(catalog.KafkaMessagesIn, brokerJobs), window),
	}
	BytesIn = &signal.Signal{
		Name:        "bytes in",
		Description: "Bytes produced per second to the partitions each broker leads.",
		Unit:        signal.BytesPerSec,
		Expr:        promql.Rate(promql.Select(catalog.KafkaBytesIn, brokerJobs), window),
	}
	BytesOut = &signal.Signal{
		Name:        "bytes out",
		Description: "Bytes fetched per second by consumers from each broker; replication traffic excluded.",
		Unit:        signal.BytesPerSec,
		Expr:        promql.Rate(promql.Select(catalog.KafkaBytesOut, brokerJobs), window),
	}
)

// Replication and request handling of each broker.
var (
	UnderReplicatedPartitions = &signal.Signal{
		Name:        "under-replicated partitions",
		Description: "Partitions led by each broker whose ISR is smaller than their replica set.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Select(catalog.KafkaUnderReplicatedPartitions, brokerJobs), promql.Grouped),
	}
	PartitionsUnderReplicated = UnderReplicatedPartitions.Above(signal.Warning, 0)

	UnderMinISRPartitions = &signal.Signal{
		Name:        "under-min-ISR partitions",
		Description: "Partitions led by each broker whose ISR fell below min.insync.replicas: acks=all produce to them fails.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Select(catalog.KafkaUnderMinISRPartitions, brokerJobs), promql.Grouped),
	}
	PartitionsUnderMinISR = UnderMinISRPartitions.Above(signal.Critical, 0)

	OfflineLogDirs = &signal.Signal{
		Name:        "offline log directories",
		Description: "Log directories each Kafka node took offline after an I/O error.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Max(promql.Select(catalog.KafkaOfflineLogDirs, kafkaJobs), promql.Grouped),
	}
	LogDirectoryOffline = OfflineLogDirs.Above(signal.Critical, 0)

	// ISR shrinks and expands are counted over 15 minutes: followers flapping in and out
	// of sync shrink and expand many times in that window.
	ISRShrinks = &signal.Signal{
		Name:        "ISR shrinks",
		Description: "Times a replica fell out of an ISR each broker leads, over the window.",
		Unit:        signal.Count, Resolution: 0.001, Window: 15 * time.Minute, FixedWindow: true,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.KafkaISRShrinks, brokerJobs), window), promql.Grouped),
	}
	ISRShrinking = ISRShrinks.Above(signal.Warning, 5)

	ISRExpands = &signal.Signal{
		Name:        "ISR expands",
		Description: "Times a replica rejoined an ISR each broker leads, over the window.",
		Unit:        signal.Count, Resolution: 0.001, Window: 15 * time.Minute, FixedWindow: true,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.KafkaISRExpands, brokerJobs), window), promql.Grouped),
	}
	ISRExpanding = ISRExpands.Above(signal.Warning, 5)

	// A combined KRaft node's handler ratio can read above 1: its broker and controller
	// pools report into one meter.
	RequestHandlerIdle = &signal.Signal{
		Name:        "request handler idle",
		Description: "Share of time each broker's request handler (I/O) threads are idle.",
		Unit:        signal.Ratio,
		By:          []string{"instance"},
		Expr:        promql.Avg(promql.Select(catalog.KafkaRequestHandlerIdle, brokerJobs), promql.Grouped),
	}
	RequestHandlersSaturated = RequestHandlerIdle.Below(signal.Warning, 0.2)

	NetworkProcessorIdle = &signal.Signal{
		Name:        "network processor idle",
		Description: "Share of time each Kafka node's network threads are idle.",
		Unit:        signal.Ratio,
		By:          []string{"instance"},
		Expr:        promql.Avg(promql.Select(catalog.KafkaNetworkProcessorIdle, kafkaJobs), promql.Grouped),
	}
	NetworkProcessorsSaturated = NetworkProcessorIdle.Below(signal.Warning, 0.3)

	ProduceLatencyP99 = &signal.Signal{
		Name:        "produce p99",
		Description: "99th percentile of the time each broker takes to serve a produce request (queue, local, remote, send).",
		Unit:        signal.Seconds,
		By:          []string{"instance"},
		Expr:        promql.Max(promql.Select(catalog.KafkaRequestTimeP99, brokerJobs, promql.Eq("request", "Produce")), promql.Grouped),
	}
	ProduceSlow = ProduceLatencyP99.Above(signal.Warning, 0.5)
)

// Requests, replicas and the log of each Kafka node as the boards show them; no alert fires
// on these.
var (
	RequestRate = &signal.Signal{
		Name:        "requests",
		Description: "Requests per second each Kafka node receives, by request type.",
		Unit:        signal.ReqsPerSec,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaRequests), window), promql.Grouped),
	}
	RequestLatencyP99 = &signal.Signal{
		Name:        "p99 request time",
		Description: "99th percentile of the total time each Kafka node takes to serve a request (queue, local, remote, send), by request type; fetches include the long-poll wait (fetch.max.wait.ms).",
		Unit:        signal.Seconds,
		Expr:        promql.Max(promql.Select(catalog.KafkaRequestTimeP99), promql.Grouped),
	}
	RequestQueueSize = &signal.Signal{
		Name:        "request queue",
		Description: "Requests waiting for a handler thread: a growing queue means the handlers cannot keep up.",
		Unit:        signal.Count,
		Expr:        promql.Max(promql.Select(catalog.KafkaRequestQueueSize), promql.Grouped),
	}

	// ISRShrinkRate and ISRExpandRate are per-second rates over the panel's interval; the
	// alert counts shrinks and expands over 15 minutes (ISRShrinks, ISRExpands).
	ISRShrinkRate = &signal.Signal{
		Name:        "ISR shrinks",
		Description: "Replicas leaving an in-sync replica set per second.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaISRShrinks), window), promql.Grouped),
	}
	ISRExpandRate = &signal.Signal{
		Name:        "ISR expands",
		Description: "Replicas rejoining an in-sync replica set per second.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaISRExpands), window), promql.Grouped),
	}
	LogFlushTimeP99 = &signal.Signal{
		Name:        "log flush p99",
		Description: "99th percentile of the time a log flush to disk took.",
		Unit:        signal.Seconds,
		Expr:        promql.Max(promql.Select(catalog.KafkaLogFlushTimeP99), promql.Grouped),
	}
	LogFlushRate = &signal.Signal{
		Name:        "log flushes",
		Description: "Log flushes to disk per second.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.KafkaLogFlushes), window), promql.Grouped),
	}

	BrokerReplicas = &signal.Signal{
		Name:        "replicas",
		Description: "Partition replicas the brokers host.",
		Unit:        signal.Count,
		Expr:        promql.Sum(promql.Select(catalog.KafkaPartitions), promql.Grouped),
	}
	BrokerLeaders = &signal.Signal{
		Name:        "leaders",
		Description: "Partitions the brokers lead.",
		Unit:        signal.Count,
		Expr:        promql.Sum(promql.Select(catalog.KafkaLeaderPartitions), promql.Grouped),
	}
	OfflineReplicas = &signal.Signal{
		Name:        "offline replicas",
		Description: "Replicas the brokers cannot serve (a failed log directory).",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Sum(promql.Select(catalog.KafkaOfflineReplicas), promql.Grouped),
	}
	_ = OfflineReplicas.Above(signal.Critical, 0) // colours the panel only

	LogSize = &signal.Signal{
		Name:        "log size",
		Description: "Bytes on disk of the replicas the brokers hold.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.KafkaLogSize), promql.Grouped),
	}
)

// The JVM of every Kafka node.
var (
	heapArea = promql.Eq("area", "heap")

	HeapUsedRatio = &signal.Signal{
		Name:        "heap used",
		Description: "Heap in use as a share of its limit (-Xmx), by Kafka node.",
		Unit:        signal.Ratio,
		By:          []string{"instance"},
		Expr: promql.Max(promql.Select(catalog.JVMMemoryUsed, kafkaJobs, heapArea).Div(
			promql.Select(catalog.JVMMemoryMax, kafkaJobs, heapArea)), promql.Grouped),
	}
	HeapPressure = HeapUsedRatio.Above(signal.Warning, 0.9)

	GCTimeRatio = &signal.Signal{
		Name:        "GC time",
		Description: "Share of wall time each Kafka node spends in garbage collection, all collectors.",
		Unit:        signal.Ratio,
		By:          []string{"instance"},
		Expr:        promql.Sum(promql.Rate(promql.SumSeries(catalog.JVMGCCollection, kafkaJobs), window), promql.Grouped),
	}
	GCPressure = GCTimeRatio.Above(signal.Warning, 0.2)
)

// The JVMs of the Kafka nodes as the boards show them, every node on the cluster board and
// the brokers on the broker board; the alerts read the shares above.
var (
	NodeHeapUsed = jvmHeap(catalog.JVMMemoryUsed, kafkaJobs, "heap used", "JVM heap in use on the Kafka nodes.")
	NodeHeapMax  = jvmHeap(catalog.JVMMemoryMax, kafkaJobs, "heap max", "JVM heap limit (-Xmx) of the Kafka nodes.")
	NodeCPU      = processCPU(kafkaJobs, "the Kafka nodes")

	BrokerHeapUsed = jvmHeap(catalog.JVMMemoryUsed, brokerJobs, "heap used", "JVM heap in use on the brokers.")
	BrokerHeapMax  = jvmHeap(catalog.JVMMemoryMax, brokerJobs, "heap max", "JVM heap limit (-Xmx) of the brokers.")
	BrokerGCTime   = &signal.Signal{
		Name:        "GC time",
		Description: "Share of wall time the brokers spend in garbage collection.",
		Unit:        signal.Ratio,
		Expr:        promql.Sum(promql.Rate(promql.SumSeries(catalog.JVMGCCollection, brokerJobs), window), promql.Grouped),
	}
	BrokerCPU = processCPU(brokerJobs, "the brokers")
)

// jvmHeap is the JVM heap metric m (used or max) of the jobs in scope.
func jvmHeap(m *metric.Metric, jobs promql.Matcher, name, description string) *signal.Signal {
	return &signal.Signal{
		Name:        name,
		Description: description,
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(m, jobs, heapArea), promql.Grouped),
	}
}

// processCPU is the CPU time, in cores, the processes of the jobs in scope use.
func processCPU(jobs promql.Matcher, what string) *signal.Signal {
	return &signal.Signal{
		Name:        "CPU",
		Description: "CPU time, in cores, the JVMs of " + what + " use.",
		Unit:        signal.Ratio,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.ProcessCPU, jobs), window), promql.Grouped),
	}
}

// The disks of the Kafka hosts.
var (
	// hostFilesystems keeps pseudo and container filesystems out of every disk signal.
	hostFilesystems = promql.NotRe("fstype", "tmpfs|ramfs|squashfs|overlay|nsfs|proc|sysfs")

	DiskFree = &signal.Signal{
		Name:        "disk free",
		Description: "Share of each host filesystem still free for unprivileged users; Kafka stops a log directory that fills up.",
		Unit:        signal.Ratio,
		Expr: promql.Select(catalog.NodeFilesystemAvail, hostFilesystems).Div(
			promql.Select(catalog.NodeFilesystemSize, hostFilesystems)),
	}
	DiskAlmostFull = DiskFree.Below(signal.Critical, 0.1)
	// DiskFreeLow is where a disk that is filling up starts to matter (KafkaDiskFillingUp).
	DiskFreeLow = DiskFree.Below(signal.Warning, 0.4)

	// DiskFillWindow and DiskFillHorizon come from the capacity plan of the deployed scenario
	// (capacity/): the horizon is the time to react, never past the shortest topic retention
	// (after it, deletion balances writes and a linear fill stops), the window a quarter of it.
	DiskFillWindow, DiskFillHorizon = capacity.DiskAlert()

	DiskFreeIn24h = &signal.Signal{
		Name: "disk free in " + Hours(DiskFillHorizon),
		Description: "Free bytes each host filesystem will have in " + Hours(DiskFillHorizon) + ", by linear regression over the last " + Hours(DiskFillWindow) +
			" (window and horizon from the capacity plan).",
		Unit: signal.Bytes,
		Expr: promql.PredictLinear(promql.Select(catalog.NodeFilesystemAvail, hostFilesystems), DiskFillWindow, DiskFillHorizon),
	}
	DiskRunningOut = DiskFreeIn24h.Below(signal.Warning, 0)
)

// The CPU and memory of the Kafka hosts; no alert fires on these.
var (
	HostCPUBusy = &signal.Signal{
		Name:        "CPU busy",
		Description: "Share of CPU time not idle, all cores.",
		Unit:        signal.Ratio,
		Expr: promql.Num(1).Sub(
			promql.Sum(promql.Rate(promql.Select(catalog.NodeCPU, promql.Eq("mode", "idle")), window), promql.Grouped).Div(
				promql.Sum(promql.Rate(promql.Select(catalog.NodeCPU), window), promql.Grouped))),
	}
	HostMemoryAvailable = &signal.Signal{
		Name:        "memory available",
		Description: "Memory available to new processes without swapping.",
		Unit:        signal.Bytes,
		Expr:        promql.Sum(promql.Select(catalog.NodeMemAvailable), promql.Grouped),
	}
)

// Hours prints a duration of whole hours as "24h", else Go's form.
func Hours(d time.Duration) string {
	if d%time.Hour == 0 {
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return d.String()
}
