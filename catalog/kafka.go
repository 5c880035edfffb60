package catalog

// Kafka metrics, read from MBeans by the JMX exporter java agent 1.0.1. Each declaration
// carries its JMX rule: the exporter config is rendered from these, so a metric is named
// once. Bean property order (type, name, then the rest) is what Kafka 4.x registers.

// KRaft controller quorum (kafka.controller:type=KafkaController and raft-metrics).
var (
	KafkaActiveControllerCount = declare(&Metric{
		Name: "kafka_controller_active_controller_count", Type: Gauge, Exporter: controllerRoles,
		Help: "1 on the active KRaft controller, 0 on the other voters.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=ActiveControllerCount><>Value`},
	})
	KafkaOfflinePartitions = declare(&Metric{
		Name: "kafka_controller_offline_partitions", Type: Gauge, Exporter: controllerRoles,
		Help: "Partitions without a live leader, as the active controller sees them.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=OfflinePartitionsCount><>Value`},
	})
	KafkaActiveBrokers = declare(&Metric{
		Name: "kafka_controller_active_brokers", Type: Gauge, Exporter: controllerRoles,
		Help: "Brokers registered and unfenced, as the active controller sees them.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=ActiveBrokerCount><>Value`},
	})
	KafkaFencedBrokers = declare(&Metric{
		Name: "kafka_controller_fenced_brokers", Type: Gauge, Exporter: controllerRoles,
		Help: "Brokers registered but fenced (missed heartbeats or shutting down).",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=FencedBrokerCount><>Value`},
	})
	KafkaGlobalPartitions = declare(&Metric{
		Name: "kafka_controller_global_partitions", Type: Gauge, Exporter: controllerRoles,
		Help: "Partitions in the cluster metadata.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=GlobalPartitionCount><>Value`},
	})
	KafkaGlobalTopics = declare(&Metric{
		Name: "kafka_controller_global_topics", Type: Gauge, Exporter: controllerRoles,
		Help: "Topics in the cluster metadata.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=GlobalTopicCount><>Value`},
	})
	KafkaControllerMetadataErrors = declare(&Metric{
		Name: "kafka_controller_metadata_errors_total", Type: Counter, Exporter: controllerRoles,
		Help: "Errors the controller met while loading or applying metadata records.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=MetadataErrorCount><>Value`},
	})
	KafkaControllerLastAppliedOffset = declare(&Metric{
		Name: "kafka_controller_last_applied_record_offset", Type: Gauge, Exporter: controllerRoles,
		Help: "Offset of the last metadata record the controller applied.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=LastAppliedRecordOffset><>Value`},
	})
	KafkaControllerLastCommittedOffset = declare(&Metric{
		Name: "kafka_controller_last_committed_record_offset", Type: Gauge, Exporter: controllerRoles,
		Help: "Offset of the last metadata record committed by the quorum.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=LastCommittedRecordOffset><>Value`},
	})
	KafkaControllerAppliedLag = declare(&Metric{
		Name: "kafka_controller_last_applied_record_lag_seconds", Type: Gauge, Exporter: controllerRoles,
		Help: "Age of the last metadata record the controller applied.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=LastAppliedRecordLagMs><>Value`, ValueFactor: 0.001},
	})
	KafkaNewActiveControllers = declare(&Metric{
		Name: "kafka_controller_new_active_controllers_total", Type: Counter, Exporter: controllerRoles,
		Help: "Times this node saw a new active controller elected.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=NewActiveControllersCount><>Value`},
	})
	KafkaTimedOutHeartbeats = declare(&Metric{
		Name: "kafka_controller_timed_out_broker_heartbeats_total", Type: Counter, Exporter: controllerRoles,
		Help: "Broker heartbeats the controller dropped because they timed out.",
		JMX:  &JMX{Pattern: `kafka.controller<type=KafkaController, name=TimedOutBrokerHeartbeatCount><>Value`},
	})
	KafkaUncleanLeaderElections = declare(&Metric{
		Name: "kafka_controller_unclean_leader_elections_total", Type: Counter, Exporter: controllerRoles,
		Help: "Leaders elected from outside the ISR: acknowledged writes may be lost.",
		JMX:  &JMX{Pattern: `kafka.controller<type=ControllerStats, name=UncleanLeaderElectionsPerSec><>Count`},
	})
	KafkaRaftCurrentLeader = declare(&Metric{
		Name: "kafka_raft_current_leader", Type: Gauge, Exporter: kafkaRoles,
		Help: "Node id of the quorum leader this node knows, -1 when it knows none.",
		JMX:  &JMX{Pattern: `kafka.server<type=raft-metrics><>current-leader`},
	})
	KafkaRaftCurrentEpoch = declare(&Metric{
		Name: "kafka_raft_current_epoch", Type: Gauge, Exporter: kafkaRoles,
		Help: "Current leader epoch of the KRaft quorum; it rises with every election.",
		JMX:  &JMX{Pattern: `kafka.server<type=raft-metrics><>current-epoch`},
	})
	KafkaRaftHighWatermark = declare(&Metric{
		Name: "kafka_raft_high_watermark", Type: Gauge, Exporter: kafkaRoles,
		Help: "Offset of the metadata log up to which the quorum has committed.",
		JMX:  &JMX{Pattern: `kafka.server<type=raft-metrics><>high-watermark`},
	})
	KafkaRaftLogEndOffset = declare(&Metric{
		Name: "kafka_raft_log_end_offset", Type: Gauge, Exporter: kafkaRoles,
		Help: "End offset of this node's copy of the metadata log.",
		JMX:  &JMX{Pattern: `kafka.server<type=raft-metrics><>log-end-offset`},
	})
	KafkaRaftCommitLatency = declare(&Metric{
		Name: "kafka_raft_commit_latency_avg_seconds", Type: Gauge, Exporter: kafkaRoles,
		Help: "Average time from appending a metadata record to committing it.",
		JMX:  &JMX{Pattern: `kafka.server<type=raft-metrics><>commit-latency-avg`, ValueFactor: 0.001},
	})
	KafkaRaftUnknownVoterConnections = declare(&Metric{
		Name: "kafka_raft_unknown_voter_connections", Type: Gauge, Exporter: kafkaRoles,
		Help: "Voters this node cannot reach.",
		JMX:  &JMX{Pattern: `kafka.server<type=raft-metrics><>number-unknown-voter-connections`},
	})
)

// Broker: replication, partitions, requests, topics, logs.
var (
	KafkaBrokerMetadataLoadErrors = declare(&Metric{
		Name: "kafka_broker_metadata_load_errors_total", Type: Counter, Exporter: brokerRoles,
		Help: "Errors the broker met while loading metadata from the quorum.",
		JMX:  &JMX{Pattern: `kafka.server<type=broker-metadata-metrics><>metadata-load-error-count`},
	})
	KafkaBrokerMetadataApplyErrors = declare(&Metric{
		Name: "kafka_broker_metadata_apply_errors_total", Type: Counter, Exporter: brokerRoles,
		Help: "Errors the broker met while applying metadata records.",
		JMX:  &JMX{Pattern: `kafka.server<type=broker-metadata-metrics><>metadata-apply-error-count`},
	})
	KafkaBrokerMetadataLag = declare(&Metric{
		Name: "kafka_broker_metadata_last_applied_record_lag_seconds", Type: Gauge, Exporter: brokerRoles,
		Help: "Age of the last metadata record the broker applied.",
		JMX:  &JMX{Pattern: `kafka.server<type=broker-metadata-metrics><>last-applied-record-lag-ms`, ValueFactor: 0.001},
	})
	KafkaUnderReplicatedPartitions = declare(&Metric{
		Name: "kafka_server_under_replicated_partitions", Type: Gauge, Exporter: brokerRoles,
		Help: "Partitions led here whose ISR is smaller than the replica set.",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=UnderReplicatedPartitions><>Value`},
	})
	KafkaUnderMinISRPartitions = declare(&Metric{
		Name: "kafka_server_under_min_isr_partitions", Type: Gauge, Exporter: brokerRoles,
		Help: "Partitions led here whose ISR is below min.insync.replicas: acks=all produce fails.",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=UnderMinIsrPartitionCount><>Value`},
	})
	KafkaOfflineReplicas = declare(&Metric{
		Name: "kafka_server_offline_replicas", Type: Gauge, Exporter: brokerRoles,
		Help: "Replicas on this broker that are offline (their log directory failed).",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=OfflineReplicaCount><>Value`},
	})
	KafkaPartitions = declare(&Metric{
		Name: "kafka_server_partitions", Type: Gauge, Exporter: brokerRoles,
		Help: "Partition replicas hosted on this broker.",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=PartitionCount><>Value`},
	})
	KafkaLeaderPartitions = declare(&Metric{
		Name: "kafka_server_leader_partitions", Type: Gauge, Exporter: brokerRoles,
		Help: "Partitions this broker leads.",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=LeaderCount><>Value`},
	})
	KafkaISRShrinks = declare(&Metric{
		Name: "kafka_server_isr_shrinks_total", Type: Counter, Exporter: brokerRoles,
		Help: "Times a replica fell out of an ISR led here.",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=IsrShrinksPerSec><>Count`},
	})
	KafkaISRExpands = declare(&Metric{
		Name: "kafka_server_isr_expands_total", Type: Counter, Exporter: brokerRoles,
		Help: "Times a replica rejoined an ISR led here.",
		JMX:  &JMX{Pattern: `kafka.server<type=ReplicaManager, name=IsrExpandsPerSec><>Count`},
	})
	KafkaRequestHandlerIdle = declare(&Metric{
		Name: "kafka_server_request_handler_idle_ratio", Type: Gauge, Exporter: brokerRoles,
		Help: "Share of time the request handler threads were idle (one-minute rate of the meter).",
		JMX:  &JMX{Pattern: `kafka.server<type=KafkaRequestHandlerPool, name=RequestHandlerAvgIdlePercent><>OneMinuteRate`},
	})
	KafkaNetworkProcessorIdle = declare(&Metric{
		Name: "kafka_network_processor_idle_ratio", Type: Gauge, Exporter: kafkaRoles,
		Help: "Share of time the network processor threads were idle.",
		JMX:  &JMX{Pattern: `kafka.network<type=SocketServer, name=NetworkProcessorAvgIdlePercent><>Value`},
	})
	KafkaRequestQueueSize = declare(&Metric{
		Name: "kafka_network_request_queue_size", Type: Gauge, Exporter: kafkaRoles,
		Help: "Requests waiting for a handler thread.",
		JMX:  &JMX{Pattern: `kafka.network<type=RequestChannel, name=RequestQueueSize><>Value`},
	})
	KafkaRequestTimeP99 = declare(&Metric{
		Name: "kafka_network_request_total_time_p99_seconds", Type: Gauge, Exporter: kafkaRoles,
		Labels: []string{"request"},
		Help:   "99th percentile of the total time to serve a request, by request type (broker-side histogram).",
		JMX: &JMX{Pattern: `kafka.network<type=RequestMetrics, name=TotalTimeMs, request=(Produce|FetchConsumer|FetchFollower|Metadata|Vote|Fetch)><>99thPercentile`,
			Labels: map[string]string{"request": "$1"}, ValueFactor: 0.001},
	})
	KafkaRequests = declare(&Metric{
		Name: "kafka_network_requests_total", Type: Counter, Exporter: kafkaRoles,
		Labels: []string{"request", "version"},
		Help:   "Requests received, by request type and API version.",
		JMX: &JMX{Pattern: `kafka.network<type=RequestMetrics, name=RequestsPerSec, request=(.+), version=(.+)><>Count`,
			Labels: map[string]string{"request": "$1", "version": "$2"}},
	})
	KafkaMessagesIn = declare(&Metric{
		Name: "kafka_server_messages_in_total", Type: Counter, Exporter: brokerRoles, Labels: []string{"topic"},
		Help: "Records appended to partitions led here, by topic.",
		JMX: &JMX{Pattern: `kafka.server<type=BrokerTopicMetrics, name=MessagesInPerSec, topic=(.+)><>Count`,
			Labels: map[string]string{"topic": "$1"}},
	})
	KafkaBytesIn = declare(&Metric{
		Name: "kafka_server_bytes_in_total", Type: Counter, Exporter: brokerRoles, Labels: []string{"topic"},
		Help: "Bytes produced to partitions led here, by topic.",
		JMX: &JMX{Pattern: `kafka.server<type=BrokerTopicMetrics, name=BytesInPerSec, topic=(.+)><>Count`,
			Labels: map[string]string{"topic": "$1"}},
	})
	KafkaBytesOut = declare(&Metric{
		Name: "kafka_server_bytes_out_total", Type: Counter, Exporter: brokerRoles, Labels: []string{"topic"},
		Help: "Bytes fetched by consumers from partitions led here, by topic.",
		JMX: &JMX{Pattern: `kafka.server<type=BrokerTopicMetrics, name=BytesOutPerSec, topic=(.+)><>Count`,
			Labels: map[string]string{"topic": "$1"}},
	})
	KafkaLogFlushes = declare(&Metric{
		Name: "kafka_log_flushes_total", Type: Counter, Exporter: brokerRoles,
		Help: "Log flushes to disk.",
		JMX:  &JMX{Pattern: `kafka.log<type=LogFlushStats, name=LogFlushRateAndTimeMs><>Count`},
	})
	KafkaLogFlushTimeP99 = declare(&Metric{
		Name: "kafka_log_flush_time_p99_seconds", Type: Gauge, Exporter: brokerRoles,
		Help: "99th percentile of the time a log flush took.",
		JMX:  &JMX{Pattern: `kafka.log<type=LogFlushStats, name=LogFlushRateAndTimeMs><>99thPercentile`, ValueFactor: 0.001},
	})
	KafkaOfflineLogDirs = declare(&Metric{
		Name: "kafka_log_offline_log_directories", Type: Gauge, Exporter: kafkaRoles,
		Help: "Log directories that failed and were taken offline.",
		JMX:  &JMX{Pattern: `kafka.log<type=LogManager, name=OfflineLogDirectoryCount><>Value`},
	})
	KafkaLogSize = declare(&Metric{
		Name: "kafka_log_size_bytes", Type: Gauge, Exporter: brokerRoles, Labels: []string{"topic", "partition"},
		Help: "Size on disk of each partition replica's log.",
		JMX: &JMX{Pattern: `kafka.log<type=Log, name=Size, topic=(.+), partition=(.+)><>Value`,
			Labels: map[string]string{"topic": "$1", "partition": "$2"}},
	})
)

// JVM metrics of every Kafka process, from the agent's built-in collectors.
var (
	JVMMemoryUsed = declare(&Metric{
		Name: "jvm_memory_used_bytes", Type: Gauge, Exporter: kafkaRoles, Labels: []string{"area"},
		Help: "JVM memory in use, by area (heap, nonheap).",
	})
	JVMMemoryMax = declare(&Metric{
		Name: "jvm_memory_max_bytes", Type: Gauge, Exporter: kafkaRoles, Labels: []string{"area"},
		Help: "JVM memory limit, by area (-1 when unbounded).",
	})
	JVMGCCollection = declare(&Metric{
		Name: "jvm_gc_collection_seconds", Type: Summary, Exporter: kafkaRoles, Labels: []string{"gc"},
		Help: "Time spent in garbage collection, by collector.",
	})
	ProcessCPU = declare(&Metric{
		Name: "process_cpu_seconds_total", Type: Counter, Exporter: kafkaRoles,
		Help: "CPU time the process used.",
	})
)
