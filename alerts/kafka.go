//go:build legacy

package alerts

import (
	"github.com/finobs/finobs/dashboards"
	. "github.com/finobs/finobs/internal/catalog"
	. "github.com/finobs/finobs/internal/rules"
)

// KafkaCluster: the KRaft quorum and cluster-wide state, as the controllers see it.
var KafkaCluster = Group{
	Name:      "kafka-cluster",
	Component: "kafka",
	Recording: []Recording{
		{Record: "topic:kafka_server_messages_in:rate5m", Expr: q(`sum by (topic) (rate(%s{%s}[5m]))`, KafkaMessagesIn, brokerJobs)},
		{Record: "topic:kafka_server_bytes_in:rate5m", Expr: q(`sum by (topic) (rate(%s{%s}[5m]))`, KafkaBytesIn, brokerJobs)},
		{Record: "topic:kafka_server_bytes_out:rate5m", Expr: q(`sum by (topic) (rate(%s{%s}[5m]))`, KafkaBytesOut, brokerJobs)},
		{Record: "request:kafka_network_requests:rate5m", Expr: q(`sum by (request) (rate(%s{%s}[5m]))`, KafkaRequests, brokerJobs)},
		{Record: "cluster:kafka_server_under_replicated_partitions:sum", Expr: q(`sum(%s{%s})`, KafkaUnderReplicatedPartitions, brokerJobs)},
	},
	Alerts: []Alert{
		{
			Name: "KafkaNoActiveController", Panel: ShownOn(dashboards.KRaftQuorum, "Active controllers"), Severity: Critical, For: minute,
			Expr:        q(`sum(%s{%s}) < 1`, KafkaActiveControllerCount, controllerJobs),
			Summary:     "No KRaft controller is active.",
			Description: "{{ $value }} controllers report themselves active: the cluster cannot create topics, elect leaders or fence brokers.",
			Runbook: Runbook{
				Meaning:    "No voter of the KRaft quorum holds the leadership, so no metadata change can be committed.",
				Impact:     "Leader elections, topic changes and broker registration stop. Existing leaders keep serving, but any broker failure now leaves partitions offline.",
				Diagnosis:  []string{"Check `kafka_raft_current_leader` and `kafka_raft_current_epoch` on every voter: a rising epoch means repeated failed elections.", "Check that a majority of controllers is up (`up{job=~\"kafka-controller|kafka-combined\"}`).", "Read the controller logs for `Vote` and `BeginQuorumEpoch` errors."},
				Mitigation: []string{"Restart the controllers that are down until a majority runs.", "If voters cannot reach each other, fix the network or `controller.quorum.bootstrap.servers`."},
			},
			Tests: []Test{
				Fires("no voter is active", 5*minute, nil, 0,
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-1"`, "0x10"),
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-2"`, "0x10")),
				Quiet("one voter is active", 5*minute,
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-1"`, "1x10"),
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-2"`, "0x10")),
			},
		},
		{
			Name: "KafkaMultipleActiveControllers", Panel: ShownOn(dashboards.KRaftQuorum, "Active controllers"), Severity: Critical, For: minute,
			Expr:        q(`sum(%s{%s}) > 1`, KafkaActiveControllerCount, controllerJobs),
			Summary:     "More than one KRaft controller claims to be active.",
			Description: "{{ $value }} controllers report themselves active at once.",
			Runbook: Runbook{
				Meaning:    "Two voters believe they lead the quorum: a split brain, or a stale node that has not learned of the new epoch.",
				Impact:     "Brokers may follow different controllers; metadata changes can be rejected or applied late.",
				Diagnosis:  []string{"Compare `kafka_raft_current_epoch` across voters: the stale one has the lower epoch.", "Check network partitions between controllers."},
				Mitigation: []string{"Restart the controller with the lower epoch.", "Fix the network partition."},
			},
			Tests: []Test{
				Fires("two voters active", 5*minute, nil, 2,
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-1"`, "1x10"),
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-2"`, "1x10")),
				Quiet("one voter active", 5*minute,
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-1"`, "1x10"),
					in(KafkaActiveControllerCount, `job="kafka-controller",instance="kafka-controller-2"`, "0x10")),
			},
		},
		{
			Name: "KafkaControllerDown", Panel: ShownOn(dashboards.KafkaCluster, "Controllers up"), Severity: Critical, For: minute,
			Expr:        q(`%s{%s} == 0`, Up, controllerJobs),
			Summary:     "A KRaft controller is down.",
			Description: "Controller {{ $labels.instance }} cannot be scraped; the quorum has one voter fewer than the topology declares.",
			Runbook: Runbook{
				Meaning:    "Prometheus cannot reach the JMX exporter of a KRaft voter: the process is down or hung.",
				Impact:     "The quorum tolerates one lost voter of three; a second loss stops all metadata changes.",
				Diagnosis:  []string{"`make status` (local) or `docker compose ps` shows whether the process runs.", "Read its log for the exit cause (storage not formatted, cluster id mismatch, out of memory)."},
				Mitigation: []string{"Restart the controller. If its metadata log is corrupt, reformat its storage with the same cluster id and let it catch up."},
			},
			Tests: []Test{
				Fires("a controller stops", 5*minute, L("job", "kafka-controller", "instance", "kafka-controller-2"), 0,
					in(Up, `job="kafka-controller",instance="kafka-controller-1"`, "1x10"),
					in(Up, `job="kafka-controller",instance="kafka-controller-2"`, "1 1 0x8")),
				Quiet("all controllers up", 5*minute,
					in(Up, `job="kafka-controller",instance="kafka-controller-1"`, "1x10"),
					in(Up, `job="kafka-controller",instance="kafka-controller-2"`, "1x10")),
			},
		},
		{
			Name: "KafkaBrokerDown", Panel: ShownOn(dashboards.KafkaCluster, "Brokers up"), Severity: Critical, For: minute,
			Expr:        q(`%s{%s} == 0`, Up, brokerJobs),
			Summary:     "A Kafka broker is down.",
			Description: "Broker {{ $labels.instance }} cannot be scraped; the cluster has one broker fewer than the topology declares.",
			Runbook: Runbook{
				Meaning:    "Prometheus cannot reach the JMX exporter of a broker: the process is down or hung.",
				Impact:     "Partitions it led move to other replicas; partitions whose only in-sync replica it held go offline. Its under-replication alerts are inhibited while this fires.",
				Diagnosis:  []string{"Check the process and its log (`.stack/logs/` locally).", "Check disk space and the log directories (`KafkaOfflineLogDirectory`)."},
				Mitigation: []string{"Restart the broker; it rejoins the ISRs once it has caught up.", "Run a preferred leader election after it has caught up."},
			},
			Tests: []Test{
				Fires("a broker stops", 5*minute, L("job", "kafka-broker", "instance", "kafka-broker-3"), 0,
					in(Up, `job="kafka-broker",instance="kafka-broker-1"`, "1x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-3"`, "1 0x9")),
				Quiet("brokers up", 5*minute,
					in(Up, `job="kafka-broker",instance="kafka-broker-1"`, "1x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-3"`, "1x10")),
			},
		},
		{
			Name: "KafkaBrokersNotRegistered", Panel: ShownOn(dashboards.KRaftQuorum, "Fenced brokers"), Severity: Warning, For: 2 * minute,
			Expr:        q(`max(%s{%s}) < count(%s{%s})`, KafkaActiveBrokers, controllerJobs, Up, brokerJobs),
			Summary:     "Fewer brokers are registered with the controller than are deployed.",
			Description: "The controller sees {{ $value }} active brokers, fewer than the brokers Prometheus scrapes.",
			Runbook: Runbook{
				Meaning:    "A broker process runs but is fenced or not registered with the KRaft controller.",
				Impact:     "The fenced broker serves no partitions: capacity and redundancy are lower than planned.",
				Diagnosis:  []string{"Compare `kafka_controller_active_brokers` and `kafka_controller_fenced_brokers`.", "Read the broker log for heartbeat and registration errors; check `kafka_controller_timed_out_broker_heartbeats_total`."},
				Mitigation: []string{"Restart the fenced broker; check its connectivity to the controllers."},
			},
			Tests: []Test{
				Fires("one broker fenced", 5*minute, nil, 2,
					in(KafkaActiveBrokers, `job="kafka-controller",instance="kafka-controller-1"`, "2x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-1"`, "1x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-2"`, "1x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-3"`, "1x10")),
				Quiet("all registered", 5*minute,
					in(KafkaActiveBrokers, `job="kafka-controller",instance="kafka-controller-1"`, "3x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-1"`, "1x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-2"`, "1x10"),
					in(Up, `job="kafka-broker",instance="kafka-broker-3"`, "1x10")),
			},
		},
		{
			Name: "KafkaOfflinePartitions", Panel: ShownOn(dashboards.KafkaCluster, "Offline partitions"), Severity: Critical, For: minute,
			Expr:        q(`max(%s{%s}) > 0`, KafkaOfflinePartitions, controllerJobs),
			Summary:     "Partitions have no live leader.",
			Description: "{{ $value }} partitions are offline: producers and consumers of them are blocked.",
			Runbook: Runbook{
				Meaning:    "Every replica in the ISR of these partitions is unavailable, so no leader can be elected.",
				Impact:     "Writes to and reads from those partitions fail; the producer buffers and then errors.",
				Diagnosis:  []string{"`kafka-topics --describe --unavailable-partitions` lists them and their replicas.", "Check which brokers are down (`KafkaBrokerDown`) and their log directories."},
				Mitigation: []string{"Bring the replicas' brokers back.", "Only as a last resort, and accepting data loss, enable unclean leader election for the topic."},
			},
			Tests: []Test{
				Fires("partitions go offline", 5*minute, nil, 3,
					in(KafkaOfflinePartitions, `job="kafka-controller",instance="kafka-controller-1"`, "0 0 3x8"),
					in(KafkaOfflinePartitions, `job="kafka-controller",instance="kafka-controller-2"`, "0x10")),
				Quiet("all partitions led", 5*minute,
					in(KafkaOfflinePartitions, `job="kafka-controller",instance="kafka-controller-1"`, "0x10")),
			},
		},
		{
			Name: "KafkaUncleanLeaderElection", Panel: ShownOn(dashboards.KRaftQuorum, "Unclean leader elections"), Severity: Critical,
			Expr:        q(`sum(increase(%s{%s}[5m])) > 0`, KafkaUncleanLeaderElections, controllerJobs),
			Summary:     "A leader was elected from outside the ISR.",
			Description: "{{ $value | humanize }} unclean leader elections in the last 5 minutes: acknowledged records may be lost.",
			Runbook: Runbook{
				Meaning:    "A partition got a leader that was not in sync, because unclean.leader.election.enable is on and no in-sync replica was available.",
				Impact:     "Records acknowledged by the old leader but not replicated are gone; downstream totals may be short.",
				Diagnosis:  []string{"Find the partitions in the controller log (`Unclean leader election`).", "Check which topics have unclean.leader.election.enable=true."},
				Mitigation: []string{"Replay the affected time range from the source of truth.", "Turn unclean leader election off for financial topics."},
			},
			Tests: []Test{
				Fires("an unclean election", 5*minute, nil, 1,
					in(KafkaUncleanLeaderElections, `job="kafka-controller",instance="kafka-controller-1"`, "0 0 0 1x7")),
				Quiet("no unclean election", 5*minute,
					in(KafkaUncleanLeaderElections, `job="kafka-controller",instance="kafka-controller-1"`, "0x10")),
			},
		},
		{
			Name: "KafkaControllerQuorumDegraded", Panel: ShownOn(dashboards.KRaftQuorum, "Unknown voter connections"), Severity: Warning, For: 5 * minute,
			Expr:        q(`max by (instance) (%s{%s}) > 0`, KafkaRaftUnknownVoterConnections, controllerJobs),
			Summary:     "A KRaft voter cannot reach other voters.",
			Description: "{{ $labels.instance }} cannot reach {{ $value }} voters of the quorum.",
			Runbook: Runbook{
				Meaning:    "The controller has no connection to some voters of the metadata quorum.",
				Impact:     "One more lost voter may cost the quorum its majority.",
				Diagnosis:  []string{"Check which controllers are up and that controller.quorum.bootstrap.servers is right on every node."},
				Mitigation: []string{"Restart or reconnect the unreachable voters."},
			},
			Tests: []Test{
				Fires("a voter is unreachable", 10*minute, L("instance", "kafka-controller-1"), 1,
					in(KafkaRaftUnknownVoterConnections, `job="kafka-controller",instance="kafka-controller-1"`, "1x15")),
				Quiet("all voters reachable", 10*minute,
					in(KafkaRaftUnknownVoterConnections, `job="kafka-controller",instance="kafka-controller-1"`, "0x15")),
			},
		},
		{
			Name: "KafkaControllerMetadataErrors", Panel: ShownOn(dashboards.KRaftQuorum, "Metadata errors"), Severity: Critical,
			Expr:        q(`sum by (instance) (increase(%s{%s}[5m])) > 0`, KafkaControllerMetadataErrors, controllerJobs),
			Summary:     "A KRaft controller failed to load or apply metadata.",
			Description: "{{ $labels.instance }} met {{ $value | humanize }} metadata errors in the last 5 minutes.",
			Runbook: Runbook{
				Meaning:    "The controller hit an error while replaying or applying metadata records.",
				Impact:     "Its view of the cluster may be wrong; if it becomes leader it may make wrong decisions.",
				Diagnosis:  []string{"Search the controller log for `MetadataError` and the record offset it names."},
				Mitigation: []string{"Restart the controller; if the error repeats at the same offset, restore its metadata log from a healthy voter."},
			},
			Tests: []Test{
				Fires("errors appear", 5*minute, L("instance", "kafka-controller-1"), 1,
					in(KafkaControllerMetadataErrors, `job="kafka-controller",instance="kafka-controller-1"`, "0 0 0 1x7")),
				Quiet("no errors", 5*minute,
					in(KafkaControllerMetadataErrors, `job="kafka-controller",instance="kafka-controller-1"`, "2x10")),
			},
		},
		{
			Name: "KafkaBrokerMetadataErrors", Panel: ShownOn(dashboards.KRaftQuorum, "Metadata errors"), Severity: Critical,
			Expr: q(`sum by (instance) (increase(%s{%s}[5m])) + sum by (instance) (increase(%s{%s}[5m])) > 0`,
				KafkaBrokerMetadataLoadErrors, brokerJobs, KafkaBrokerMetadataApplyErrors, brokerJobs),
			Summary:     "A broker failed to load or apply KRaft metadata.",
			Description: "{{ $labels.instance }} met {{ $value | humanize }} metadata load or apply errors in the last 5 minutes.",
			Runbook: Runbook{
				Meaning:    "The broker could not apply a record of the metadata log.",
				Impact:     "The broker may serve partitions with stale leadership or configs.",
				Diagnosis:  []string{"Search the broker log for `metadata` errors and compare its `kafka_broker_metadata_last_applied_record_lag_seconds` with the others."},
				Mitigation: []string{"Restart the broker so it reloads the metadata snapshot."},
			},
			Tests: []Test{
				Fires("apply errors appear", 5*minute, L("instance", "kafka-broker-1"), 1,
					in(KafkaBrokerMetadataLoadErrors, `job="kafka-broker",instance="kafka-broker-1"`, "0x10"),
					in(KafkaBrokerMetadataApplyErrors, `job="kafka-broker",instance="kafka-broker-1"`, "0 0 0 1x7")),
				Quiet("no errors", 5*minute,
					in(KafkaBrokerMetadataLoadErrors, `job="kafka-broker",instance="kafka-broker-1"`, "0x10"),
					in(KafkaBrokerMetadataApplyErrors, `job="kafka-broker",instance="kafka-broker-1"`, "0x10")),
			},
		},
		{
			Name: "KafkaBrokerMetadataLagging", Panel: ShownOn(dashboards.KRaftQuorum, "Apply lag"), Severity: Warning, For: 5 * minute,
			Expr:        q(`max by (instance) (%s{%s}) > 60`, KafkaBrokerMetadataLag, brokerJobs),
			Summary:     "A broker has stopped applying KRaft metadata.",
			Description: "The last metadata record {{ $labels.instance }} applied is {{ $value | humanizeDuration }} old.",
			Runbook: Runbook{
				Meaning:    "The controller writes a metadata record at least every few hundred milliseconds; a broker whose last applied record is a minute old is not following the quorum.",
				Impact:     "Leadership and config changes do not reach this broker.",
				Diagnosis:  []string{"Check the broker's connection to the controllers and its log for fetch errors from the metadata quorum."},
				Mitigation: []string{"Restart the broker."},
			},
			Tests: []Test{
				Fires("lag of two minutes", 10*minute, L("instance", "kafka-broker-1"), 120,
					in(KafkaBrokerMetadataLag, `job="kafka-broker",instance="kafka-broker-1"`, "120x15")),
				Quiet("lag below a second", 10*minute,
					in(KafkaBrokerMetadataLag, `job="kafka-broker",instance="kafka-broker-1"`, "0.5x15")),
			},
		},
	},
}

// KafkaBroker: replication, request handling and JVM health of each broker.
var KafkaBroker = Group{
	Name:      "kafka-broker",
	Component: "kafka",
	Alerts: []Alert{
		{
			Name: "KafkaUnderReplicatedPartitions", Panel: ShownOn(dashboards.KafkaBroker, "Under-replicated"), Severity: Warning, For: 5 * minute,
			Expr:        q(`sum by (instance) (%s{%s}) > 0`, KafkaUnderReplicatedPartitions, brokerJobs),
			Summary:     "Partitions have fewer in-sync replicas than replicas.",
			Description: "{{ $labels.instance }} leads {{ $value }} under-replicated partitions.",
			Runbook: Runbook{
				Meaning:    "Followers of partitions led by this broker fell out of the ISR.",
				Impact:     "Redundancy is reduced: one more failure can make partitions offline or block acks=all writes.",
				Diagnosis:  []string{"Is a broker down (`KafkaBrokerDown`)? That alert inhibits this one.", "Check follower fetch latency (`kafka_network_request_total_time_p99_seconds{request=\"FetchFollower\"}`) and disk or network saturation of the followers."},
				Mitigation: []string{"Restore the lagging followers; reduce load or add brokers if followers cannot keep up."},
			},
			Tests: []Test{
				Fires("followers lag", 10*minute, L("instance", "kafka-broker-1"), 4,
					in(KafkaUnderReplicatedPartitions, `job="kafka-broker",instance="kafka-broker-1"`, "0 4x14")),
				Quiet("fully replicated", 10*minute,
					in(KafkaUnderReplicatedPartitions, `job="kafka-broker",instance="kafka-broker-1"`, "0x15")),
			},
		},
		{
			Name: "KafkaUnderMinISRPartitions", Panel: ShownOn(dashboards.KafkaBroker, "Under min ISR"), Severity: Critical, For: minute,
			Expr:        q(`sum by (instance) (%s{%s}) > 0`, KafkaUnderMinISRPartitions, brokerJobs),
			Summary:     "Partitions are below min.insync.replicas: acks=all writes fail.",
			Description: "{{ $labels.instance }} leads {{ $value }} partitions whose ISR is smaller than min.insync.replicas.",
			Runbook: Runbook{
				Meaning:    "Too few replicas are in sync to accept acks=all writes.",
				Impact:     "The producer gets NOT_ENOUGH_REPLICAS errors; transactions are not ingested.",
				Diagnosis:  []string{"Find the brokers missing from the ISR (`kafka-topics --describe --under-min-isr-partitions`)."},
				Mitigation: []string{"Bring the missing replicas back. Do not lower min.insync.replicas on financial topics."},
			},
			Tests: []Test{
				Fires("ISR below minimum", 5*minute, L("instance", "kafka-broker-2"), 6,
					in(KafkaUnderMinISRPartitions, `job="kafka-broker",instance="kafka-broker-2"`, "0 6x9")),
				Quiet("ISR at minimum", 5*minute,
					in(KafkaUnderMinISRPartitions, `job="kafka-broker",instance="kafka-broker-2"`, "0x10")),
			},
		},
		{
			Name: "KafkaOfflineLogDirectory", Panel: ShownOn(dashboards.KafkaBroker, "Offline log dirs"), Severity: Critical,
			Expr:        q(`max by (instance) (%s{%s}) > 0`, KafkaOfflineLogDirs, kafkaJobs),
			Summary:     "A Kafka log directory went offline.",
			Description: "{{ $labels.instance }} has {{ $value }} offline log directories; the replicas on them are offline.",
			Runbook: Runbook{
				Meaning:    "Kafka took a log directory offline after an I/O error.",
				Impact:     "Every replica in that directory is offline; partitions whose other replicas are also gone are unavailable.",
				Diagnosis:  []string{"Read the broker log for `IOException` and the directory it names; check the disk (dmesg, SMART, free space)."},
				Mitigation: []string{"Replace or repair the disk, then restart the broker; reassign partitions away if the disk is lost."},
			},
			Tests: []Test{
				Fires("a directory fails", 5*minute, L("instance", "kafka-broker-1"), 1,
					in(KafkaOfflineLogDirs, `job="kafka-broker",instance="kafka-broker-1"`, "0 0 1x8")),
				Quiet("all directories online", 5*minute,
					in(KafkaOfflineLogDirs, `job="kafka-broker",instance="kafka-broker-1"`, "0x10")),
			},
		},
		{
			Name: "KafkaISRChurn", Panel: ShownOn(dashboards.KafkaBroker, "ISR changes"), Severity: Warning,
			Expr: q(`sum by (instance) (increase(%s{%s}[15m])) > 5 and sum by (instance) (increase(%s{%s}[15m])) > 5`,
				KafkaISRShrinks, brokerJobs, KafkaISRExpands, brokerJobs),
			Summary:     "ISRs keep shrinking and expanding.",
			Description: "{{ $labels.instance }} saw {{ $value | humanize }} ISR shrinks in 15 minutes, with as many expands: followers flap in and out of sync.",
			Runbook: Runbook{
				Meaning:    "Followers repeatedly fall behind replica.lag.time.max.ms and catch up again.",
				Impact:     "Partitions alternate between fully and under-replicated; acks=all latency rises.",
				Diagnosis:  []string{"Check GC pauses (`KafkaGCPressure`), network processor idle and disk flush times of the followers."},
				Mitigation: []string{"Remove the source of pauses (heap size, GC, noisy neighbours); raise num.replica.fetchers if followers are starved."},
			},
			Tests: []Test{
				Fires("shrinks and expands every minute", 16*minute, L("instance", "kafka-broker-1"), 15,
					in(KafkaISRShrinks, `job="kafka-broker",instance="kafka-broker-1"`, "0+1x20"),
					in(KafkaISRExpands, `job="kafka-broker",instance="kafka-broker-1"`, "0+1x20")),
				Quiet("one shrink, one expand", 16*minute,
					in(KafkaISRShrinks, `job="kafka-broker",instance="kafka-broker-1"`, "0 1x20"),
					in(KafkaISRExpands, `job="kafka-broker",instance="kafka-broker-1"`, "0 0 1x19")),
			},
		},
		{
			Name: "KafkaRequestHandlerSaturated", Panel: ShownOn(dashboards.KafkaBroker, "Handler and network idle"), Severity: Warning, For: 10 * minute,
			Expr:        q(`avg by (instance) (%s{%s}) < 0.2`, KafkaRequestHandlerIdle, brokerJobs),
			Summary:     "Kafka request handler threads are nearly always busy.",
			Description: "Request handlers of {{ $labels.instance }} are idle only {{ $value | humanizePercentage }} of the time.",
			Runbook: Runbook{
				Meaning:    "The I/O threads that execute requests have little spare time.",
				Impact:     "Requests queue (`kafka_network_request_queue_size`); produce and fetch latency rise.",
				Diagnosis:  []string{"Check request rates by type and the produce p99; check disk latency (log flush time)."},
				Mitigation: []string{"Raise num.io.threads if CPU allows; spread partitions over more brokers; batch more on the producer (linger, batch size)."},
			},
			Tests: []Test{
				Fires("10% idle", 15*minute, L("instance", "kafka-broker-1"), 0.1,
					in(KafkaRequestHandlerIdle, `job="kafka-broker",instance="kafka-broker-1"`, "0.1x20")),
				Quiet("70% idle", 15*minute,
					in(KafkaRequestHandlerIdle, `job="kafka-broker",instance="kafka-broker-1"`, "0.7x20")),
			},
		},
		{
			Name: "KafkaNetworkProcessorSaturated", Panel: ShownOn(dashboards.KafkaBroker, "Handler and network idle"), Severity: Warning, For: 10 * minute,
			Expr:        q(`avg by (instance) (%s{%s}) < 0.3`, KafkaNetworkProcessorIdle, kafkaJobs),
			Summary:     "Kafka network threads are nearly always busy.",
			Description: "Network processors of {{ $labels.instance }} are idle only {{ $value | humanizePercentage }} of the time.",
			Runbook: Runbook{
				Meaning:    "The threads that read requests from and write responses to sockets have little spare time.",
				Impact:     "Clients see higher latency and time-outs.",
				Diagnosis:  []string{"Check connection counts and request rates; many small requests (no batching) are a common cause."},
				Mitigation: []string{"Raise num.network.threads; make clients batch (linger.ms, fetch.min.bytes)."},
			},
			Tests: []Test{
				Fires("20% idle", 15*minute, L("instance", "kafka-broker-1"), 0.2,
					in(KafkaNetworkProcessorIdle, `job="kafka-broker",instance="kafka-broker-1"`, "0.2x20")),
				Quiet("90% idle", 15*minute,
					in(KafkaNetworkProcessorIdle, `job="kafka-broker",instance="kafka-broker-1"`, "0.9x20")),
			},
		},
		{
			Name: "KafkaProduceLatencyHigh", Panel: ShownOn(dashboards.KafkaBroker, "p99 latency by type"), Severity: Warning, For: 10 * minute,
			Expr:        q(`max by (instance) (%s{%s,request="Produce"}) > 0.5`, KafkaRequestTimeP99, brokerJobs),
			Summary:     "Produce requests are slow.",
			Description: "The p99 produce request time on {{ $labels.instance }} is {{ $value | humanizeDuration }}.",
			Runbook: Runbook{
				Meaning:    "The broker takes more than 500 ms to serve one produce request in a hundred.",
				Impact:     "The producer's in-flight requests fill; its buffer grows and throughput drops.",
				Diagnosis:  []string{"acks=all waits for followers: check FetchFollower latency and ISR health.", "Check request handler idle, disk flush time and GC."},
				Mitigation: []string{"Fix the slow follower or disk; rebalance partition leadership."},
			},
			Tests: []Test{
				Fires("p99 of 800ms", 15*minute, L("instance", "kafka-broker-1"), 0.8,
					in(KafkaRequestTimeP99, `job="kafka-broker",instance="kafka-broker-1",request="Produce"`, "0.8x20"),
					in(KafkaRequestTimeP99, `job="kafka-broker",instance="kafka-broker-1",request="FetchConsumer"`, "0.5x20")),
				Quiet("p99 of 20ms; slow fetches do not count", 15*minute,
					in(KafkaRequestTimeP99, `job="kafka-broker",instance="kafka-broker-1",request="Produce"`, "0.02x20"),
					in(KafkaRequestTimeP99, `job="kafka-broker",instance="kafka-broker-1",request="FetchConsumer"`, "0.9x20")),
			},
		},
		{
			Name: "KafkaJVMHeapPressure", Panel: ShownOn(dashboards.KafkaBroker, "Heap"), Severity: Warning, For: 10 * minute,
			Expr: q(`max by (instance) (%s{%s,area="heap"} / %s{%s,area="heap"}) > 0.9`,
				JVMMemoryUsed, kafkaJobs, JVMMemoryMax, kafkaJobs),
			Summary:     "A Kafka JVM is short of heap.",
			Description: "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its maximum heap.",
			Runbook: Runbook{
				Meaning:    "Heap use stays above 90% of -Xmx after garbage collections.",
				Impact:     "Long GC pauses, ISR shrinks, and eventually OutOfMemoryError.",
				Diagnosis:  []string{"Check GC time (`KafkaGCPressure`) and partition count per broker; take a heap histogram (`jcmd <pid> GC.class_histogram`)."},
				Mitigation: []string{"Raise the heap (Kafka needs little: page cache does the work), or reduce partitions per broker."},
			},
			Tests: []Test{
				Fires("heap at 95%", 15*minute, L("instance", "kafka-broker-1"), 0.95,
					in(JVMMemoryUsed, `job="kafka-broker",instance="kafka-broker-1",area="heap"`, "950x20"),
					in(JVMMemoryMax, `job="kafka-broker",instance="kafka-broker-1",area="heap"`, "1000x20")),
				Quiet("heap at 50%", 15*minute,
					in(JVMMemoryUsed, `job="kafka-broker",instance="kafka-broker-1",area="heap"`, "500x20"),
					in(JVMMemoryMax, `job="kafka-broker",instance="kafka-broker-1",area="heap"`, "1000x20")),
			},
		},
		{
			Name: "KafkaGCPressure", Panel: ShownOn(dashboards.KafkaBroker, "GC time"), Severity: Warning, For: 10 * minute,
			Expr:        q(`sum by (instance) (rate(%s_sum{%s}[5m])) > 0.2`, JVMGCCollection, kafkaJobs),
			Summary:     "A Kafka JVM spends much of its time collecting garbage.",
			Description: "{{ $labels.instance }} spends {{ $value | humanizePercentage }} of its time in GC.",
			Runbook: Runbook{
				Meaning:    "More than a fifth of wall-clock time goes to garbage collection.",
				Impact:     "Request latency rises; long pauses expire sessions and shrink ISRs.",
				Diagnosis:  []string{"Check heap use (`KafkaJVMHeapPressure`) and which collector runs (`gc` label)."},
				Mitigation: []string{"Raise the heap or reduce the load per broker."},
			},
			Tests: []Test{
				Fires("half the time in GC", 15*minute, L("instance", "kafka-broker-1"), 0.5,
					inSeries(JVMGCCollection, "_sum", `job="kafka-broker",instance="kafka-broker-1",gc="G1 Young Generation"`, "0+30x20")),
				Quiet("1% in GC", 15*minute,
					inSeries(JVMGCCollection, "_sum", `job="kafka-broker",instance="kafka-broker-1",gc="G1 Young Generation"`, "0+0.6x20")),
			},
		},
	},
}

// hostFS keeps pseudo and container filesystems out of the disk alerts.
const hostFS = `fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|proc|sysfs"`

// KafkaHost: the disks Kafka's logs live on.
var KafkaHost = Group{
	Name:      "kafka-host",
	Component: "kafka",
	Alerts: []Alert{
		{
			Name: "KafkaDiskFillingUp", Panel: ShownOn(dashboards.KafkaCluster, "Disk used"), Severity: Warning, For: 30 * minute,
			Expr: q(`predict_linear(%s{%s}[6h], 24 * 3600) < 0 and %s{%s} / %s{%s} < 0.4`,
				NodeFilesystemAvail, hostFS, NodeFilesystemAvail, hostFS, NodeFilesystemSize, hostFS),
			Summary:     "A disk holding Kafka logs will be full within a day.",
			Description: "{{ $labels.mountpoint }} on {{ $labels.instance }} is predicted to run out of space within 24 hours at the rate of the last 6 hours.",
			Runbook: Runbook{
				Meaning:    "Free space is below 40% and falling fast enough to reach zero within a day.",
				Impact:     "A full disk takes the log directory offline and its replicas with it.",
				Diagnosis:  []string{"Check `kafka_log_size_bytes` by topic: which topic grows? Check retention.ms / retention.bytes of that topic."},
				Mitigation: []string{"Lower retention on the growing topic, add disk, or move partitions to other brokers."},
			},
			Tests: []Test{
				Fires("free space falls 1 MiB a minute from 350 MiB", 60*minute, L("instance", "node-exporter", "job", "node-exporter", "mountpoint", "/data", "fstype", "ext4", "device", "/dev/vdb"), 0,
					in(NodeFilesystemAvail, `job="node-exporter",instance="node-exporter",mountpoint="/data",fstype="ext4",device="/dev/vdb"`, "350-1x80"),
					in(NodeFilesystemSize, `job="node-exporter",instance="node-exporter",mountpoint="/data",fstype="ext4",device="/dev/vdb"`, "1000x80")),
				Quiet("free space steady", 60*minute,
					in(NodeFilesystemAvail, `job="node-exporter",instance="node-exporter",mountpoint="/data",fstype="ext4",device="/dev/vdb"`, "350x80"),
					in(NodeFilesystemSize, `job="node-exporter",instance="node-exporter",mountpoint="/data",fstype="ext4",device="/dev/vdb"`, "1000x80")),
			},
		},
		{
			Name: "KafkaDiskAlmostFull", Panel: ShownOn(dashboards.KafkaCluster, "Disk used"), Severity: Critical, For: 5 * minute,
			Expr:        q(`%s{%s} / %s{%s} < 0.1`, NodeFilesystemAvail, hostFS, NodeFilesystemSize, hostFS),
			Summary:     "A disk holding Kafka logs is almost full.",
			Description: "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} space left.",
			Runbook: Runbook{
				Meaning:    "Less than 10% of the filesystem is free.",
				Impact:     "Kafka stops the log directory when the disk fills; partitions go offline.",
				Diagnosis:  []string{"Find the largest topics with `kafka_log_size_bytes`; check for stuck log cleanup."},
				Mitigation: []string{"Free space now: lower retention of the largest topic, delete stale topics, add disk."},
			},
			Tests: []Test{
				Fires("5% free", 10*minute, L("instance", "node-exporter", "job", "node-exporter", "mountpoint", "/", "fstype", "ext4", "device", "/dev/vda"), 0.05,
					in(NodeFilesystemAvail, `job="node-exporter",instance="node-exporter",mountpoint="/",fstype="ext4",device="/dev/vda"`, "50x15"),
					in(NodeFilesystemSize, `job="node-exporter",instance="node-exporter",mountpoint="/",fstype="ext4",device="/dev/vda"`, "1000x15")),
				Quiet("a full tmpfs does not count", 10*minute,
					in(NodeFilesystemAvail, `job="node-exporter",instance="node-exporter",mountpoint="/run",fstype="tmpfs",device="tmpfs"`, "0x15"),
					in(NodeFilesystemSize, `job="node-exporter",instance="node-exporter",mountpoint="/run",fstype="tmpfs",device="tmpfs"`, "1000x15")),
			},
		},
	},
}
