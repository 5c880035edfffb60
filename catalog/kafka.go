package catalog

import "github.com/finobs/finobs/pkg/metric"

// Kafka metrics, read from MBeans by the JMX exporter java agent 1.0.1. Each declaration
// carries its JMX rule: the exporter config is rendered from these, so a metric is named
// once. Bean property order (type, name, then the rest) is what Kafka 4.x registers.

// KRaft controller quorum (kafka.controller:type=KafkaController and raft-metrics).
var (
	KafkaActiveControllerCount = declare(&metric.Metric{
		Name: "kafka_controller_active_controller_count", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "1 on the active KRaft controller, 0 on the other voters.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value`},
	})
	KafkaOfflinePartitions = declare(&metric.Metric{
		Name: "kafka_controller_offline_partitions", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Partitions without a live leader, as the active controller sees them.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value`},
	})
	KafkaActiveBrokers = declare(&metric.Metric{
		Name: "kafka_controller_active_brokers", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Brokers registered and unfenced, as the active controller sees them.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=ActiveBrokerCount><>Value`},
	})
	KafkaFencedBrokers = declare(&metric.Metric{
		Name: "kafka_controller_fenced_brokers", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Brokers registered but fenced (missed heartbeats or shutting down).",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=FencedBrokerCount><>Value`},
	})
	KafkaGlobalPartitions = declare(&metric.Metric{
		Name: "kafka_controller_global_partitions", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Partitions in the cluster metadata.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=GlobalPartitionCount><>Value`},
	})
	KafkaGlobalTopics = declare(&metric.Metric{
		Name: "kafka_controller_global_topics", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Topics in the cluster metadata.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=GlobalTopicCount><>Value`},
	})
	KafkaControllerMetadataErrors = declare(&metric.Metric{
		Name: "kafka_controller_metadata_errors_total", Type: metric.Counter, Exporter: controllerRoles,
		Help: "Errors the controller met while loading or applying metadata records.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=MetadataErrorCount><>Value`},
	})
	KafkaControllerLastAppliedOffset = declare(&metric.Metric{
		Name: "kafka_controller_last_applied_record_offset", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Offset of the last metadata record the controller applied.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=LastAppliedRecordOffset><>Value`},
	})
	KafkaControllerLastCommittedOffset = declare(&metric.Metric{
		Name: "kafka_controller_last_committed_record_offset", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Offset of the last metadata record committed by the quorum.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=LastCommittedRecordOffset><>Value`},
	})
	KafkaControllerAppliedLag = declare(&metric.Metric{
		Name: "kafka_controller_last_applied_record_lag_seconds", Type: metric.Gauge, Exporter: controllerRoles,
		Help: "Age of the last metadata record the controller applied.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=LastAppliedRecordLagMs><>Value`, ValueFactor: 0.001},
	})
	KafkaNewActiveControllers = declare(&metric.Metric{
		Name: "kafka_controller_new_active_controllers_total", Type: metric.Counter, Exporter: controllerRoles,
		Help: "Times this node saw a new active controller elected.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=NewActiveControllersCount><>Value`},
	})
	KafkaTimedOutHeartbeats = declare(&metric.Metric{
		Name: "kafka_controller_timed_out_broker_heartbeats_total", Type: metric.Counter, Exporter: controllerRoles,
		Help: "Broker heartbeats the controller dropped because they timed out.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=KafkaController, name=TimedOutBrokerHeartbeatCount><>Value`},
	})
	KafkaUncleanLeaderElections = declare(&metric.Metric{
		Name: "kafka_controller_unclean_leader_elections_total", Type: metric.Counter, Exporter: controllerRoles,
		Help: "Leaders elected from outside the ISR: acknowledged writes may be lost.",
		JMX:  &metric.JMX{Pattern: `kafka.controller<type=ControllerStats, name=UncleanLeaderElectionsPerSec><>Count`},
	})
	KafkaRaftCurrentLeader = declare(&metric.Metric{
		Name: "kafka_raft_current_leader", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Node id of the quorum leader this node knows, -1 when it knows none.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=raft-metrics><>current-leader`},
	})
	KafkaRaftCurrentEpoch = declare(&metric.Metric{
		Name: "kafka_raft_current_epoch", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Current leader epoch of the KRaft quorum; it rises with every election.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=raft-metrics><>current-epoch`},
	})
	KafkaRaftHighWatermark = declare(&metric.Metric{
		Name: "kafka_raft_high_watermark", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Offset of the metadata log up to which the quorum has committed.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=raft-metrics><>high-watermark`},
	})
	KafkaRaftLogEndOffset = declare(&metric.Metric{
		Name: "kafka_raft_log_end_offset", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "End offset of this node's copy of the metadata log.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=raft-metrics><>log-end-offset`},
	})
	KafkaRaftCommitLatency = declare(&metric.Metric{
		Name: "kafka_raft_commit_latency_avg_seconds", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Average time from appending a metadata record to committing it.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=raft-metrics><>commit-latency-avg`, ValueFactor: 0.001},
	})
	KafkaRaftUnknownVoterConnections = declare(&metric.Metric{
		Name: "kafka_raft_unknown_voter_connections", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Voters this node cannot reach.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=raft-metrics><>number-unknown-voter-connections`},
	})
)

// Broker: replication, partitions, requests, topics, logs.
var (
	KafkaBrokerMetadataLoadErrors = declare(&metric.Metric{
		Name: "kafka_broker_metadata_load_errors_total", Type: metric.Counter, Exporter: brokerRoles,
		Help: "Errors the broker met while loading metadata from the quorum.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=broker-metadata-metrics><>metadata-load-error-count`},
	})
	KafkaBrokerMetadataApplyErrors = declare(&metric.Metric{
		Name: "kafka_broker_metadata_apply_errors_total", Type: metric.Counter, Exporter: brokerRoles,
		Help: "Errors the broker met while applying metadata records.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=broker-metadata-metrics><>metadata-apply-error-count`},
	})
	KafkaBrokerMetadataLag = declare(&metric.Metric{
		Name: "kafka_broker_metadata_last_applied_record_lag_seconds", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Age of the last metadata record the broker applied.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=broker-metadata-metrics><>last-applied-record-lag-ms`, ValueFactor: 0.001},
	})
	KafkaUnderReplicatedPartitions = declare(&metric.Metric{
		Name: "kafka_server_under_replicated_partitions", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Partitions led here whose ISR is smaller than the replica set.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value`},
	})
	KafkaUnderMinISRPartitions = declare(&metric.Metric{
		Name: "kafka_server_under_min_isr_partitions", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Partitions led here whose ISR is below min.insync.replicas: acks=all produce fails.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value`},
	})
	KafkaOfflineReplicas = declare(&metric.Metric{
		Name: "kafka_server_offline_replicas", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Replicas on this broker that are offline (their log directory failed).",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=OfflineReplicaCount><>Value`},
	})
	KafkaPartitions = declare(&metric.Metric{
		Name: "kafka_server_partitions", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Partition replicas hosted on this broker.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=PartitionCount><>Value`},
	})
	KafkaLeaderPartitions = declare(&metric.Metric{
		Name: "kafka_server_leader_partitions", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Partitions this broker leads.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=LeaderCount><>Value`},
	})
	KafkaISRShrinks = declare(&metric.Metric{
		Name: "kafka_server_isr_shrinks_total", Type: metric.Counter, Exporter: brokerRoles,
		Help: "Times a replica fell out of an ISR led here.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=IsrShrinksPerSec><>Count`},
	})
	KafkaISRExpands = declare(&metric.Metric{
		Name: "kafka_server_isr_expands_total", Type: metric.Counter, Exporter: brokerRoles,
		Help: "Times a replica rejoined an ISR led here.",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=ReplicaManager, name=IsrExpandsPerSec><>Count`},
	})
	KafkaRequestHandlerIdle = declare(&metric.Metric{
		Name: "kafka_server_request_handler_idle_ratio", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "Share of time the request handler threads were idle (one-minute rate of the meter).",
		JMX:  &metric.JMX{Pattern: `kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>OneMinuteRate`},
	})
	KafkaNetworkProcessorIdle = declare(&metric.Metric{
		Name: "kafka_network_processor_idle_ratio", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Share of time the network processor threads were idle.",
		JMX:  &metric.JMX{Pattern: `kafka.network<type=SocketServer, name=NetworkProcessorAvgIdlePercent><>Value`},
	})
	KafkaRequestQueueSize = declare(&metric.Metric{
		Name: "kafka_network_request_queue_size", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Requests waiting for a handler thread.",
		JMX:  &metric.JMX{Pattern: `kafka.network<type=RequestChannel, name=RequestQueueSize><>Value`},
	})
	KafkaRequestTimeP99 = declare(&metric.Metric{
		Name: "kafka_network_request_total_time_p99_seconds", Type: metric.Gauge, Exporter: kafkaRoles,
		Labels: []string{"request"},
		Help:   "99th percentile of the total time to serve a request, by request type (broker-side histogram).",
		JMX: &metric.JMX{Pattern: `kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(Produce|FetchConsumer|FetchFollower|Metadata|Vote|Fetch)><>99thPercentile`,
			Labels: map[string]string{"request": "$1"}, ValueFactor: 0.001},
	})
	KafkaRequests = declare(&metric.Metric{
		Name: "kafka_network_requests_total", Type: metric.Counter, Exporter: kafkaRoles,
		Labels: []string{"request", "version"},
		Help:   "Requests received, by request type and API version.",
		JMX: &metric.JMX{Pattern: `kafka.network<type=RequestMetrics, name=RequestsPerSec, request=(.+), version=(.+)><>Count`,
			Labels: map[string]string{"request": "$1", "version": "$2"}},
	})
	KafkaMessagesIn = declare(&metric.Metric{
		Name: "kafka_server_messages_in_total", Type: metric.Counter, Exporter: brokerRoles, Labels: []string{"topic"},
		Help: "Records appended to partitions led here, by topic.",
		JMX: &metric.JMX{Pattern: `kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec, topic=(.+)><>Count`,
			Labels: map[string]string{"topic": "$1"}},
	})
	KafkaBytesIn = declare(&metric.Metric{
		Name: "kafka_server_bytes_in_total", Type: metric.Counter, Exporter: brokerRoles, Labels: []string{"topic"},
		Help: "Bytes produced to partitions led here, by topic.",
		JMX: &metric.JMX{Pattern: `kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec, topic=(.+)><>Count`,
			Labels: map[string]string{"topic": "$1"}},
	})
	KafkaBytesOut = declare(&metric.Metric{
		Name: "kafka_server_bytes_out_total", Type: metric.Counter, Exporter: brokerRoles, Labels: []string{"topic"},
		Help: "Bytes fetched by consumers from partitions led here, by topic.",
		JMX: &metric.JMX{Pattern: `kafka.server<type=BrokerTopicMetrics, name=BytesOutPerSec, topic=(.+)><>Count`,
			Labels: map[string]string{"topic": "$1"}},
	})
	KafkaLogFlushes = declare(&metric.Metric{
		Name: "kafka_log_flushes_total", Type: metric.Counter, Exporter: brokerRoles,
		Help: "Log flushes to disk.",
		JMX:  &metric.JMX{Pattern: `kafka.log<type=LogFlushStats, name=LogFlushRateAndTimeMs><>Count`},
	})
	KafkaLogFlushTimeP99 = declare(&metric.Metric{
		Name: "kafka_log_flush_time_p99_seconds", Type: metric.Gauge, Exporter: brokerRoles,
		Help: "99th percentile of the time a log flush took.",
		JMX:  &metric.JMX{Pattern: `kafka.log<type=LogFlushStats, name=LogFlushRateAndTimeMs><>99thPercentile`, ValueFactor: 0.001},
	})
	KafkaOfflineLogDirs = declare(&metric.Metric{
		Name: "kafka_log_offline_log_directories", Type: metric.Gauge, Exporter: kafkaRoles,
		Help: "Log directories that failed and were taken offline.",
		JMX:  &metric.JMX{Pattern: `kafka.log<type=LogManager, name=OfflineLogDirectoryCount><>Value`},
	})
	KafkaLogSize = declare(&metric.Metric{
		Name: "kafka_log_size_bytes", Type: metric.Gauge, Exporter: brokerRoles, Labels: []string{"topic", "partition"},
		Help: "Size on disk of each partition replica's log.",
		JMX: &metric.JMX{Pattern: `kafka.log<type=Log, name=Size, topic=(.+), partition=(.+)><>Value`,
			Labels: map[string]string{"topic": "$1", "partition": "$2"}},
	})
)

// JVM metrics of every Kafka process, from the agent's built-in collectors.
var (
	JVMMemoryUsed = declare(&metric.Metric{
		Name: "jvm_memory_used_bytes", Type: metric.Gauge, Exporter: kafkaRoles, Labels: []string{"area"},
		Help: "JVM memory in use, by area (heap, nonheap).",
	})
	JVMMemoryMax = declare(&metric.Metric{
		Name: "jvm_memory_max_bytes", Type: metric.Gauge, Exporter: kafkaRoles, Labels: []string{"area"},
		Help: "JVM memory limit, by area (-1 when unbounded).",
	})
	JVMGCCollection = declare(&metric.Metric{
		Name: "jvm_gc_collection_seconds", Type: metric.Summary, Exporter: kafkaRoles, Labels: []string{"gc"},
		Help: "Time spent in garbage collection, by collector.",
	})
	ProcessCPU = declare(&metric.Metric{
		Name: "process_cpu_seconds_total", Type: metric.Counter, Exporter: kafkaRoles,
		Help: "CPU time the process used.",
	})
)
