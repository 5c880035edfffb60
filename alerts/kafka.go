package alerts

import (
	"fmt"
	"math"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Scrape targets of the Kafka tests: dedicated controllers and brokers, and the host's
// node_exporter with its filesystems.
var (
	controller1 = rules.Target(stack.KafkaController, "kafka-controller-1")
	controller2 = rules.Target(stack.KafkaController, "kafka-controller-2")
	broker1     = rules.Target(stack.KafkaBroker, "kafka-broker-1")
	broker2     = rules.Target(stack.KafkaBroker, "kafka-broker-2")
	broker3     = rules.Target(stack.KafkaBroker, "kafka-broker-3")

	nodeExporter = rules.Target(stack.NodeExporter, "node-exporter")
	dataDisk     = nodeExporter.With("mountpoint", "/data").With("fstype", "ext4").With("device", "/dev/vdb")
	rootDisk     = nodeExporter.With("mountpoint", "/").With("fstype", "ext4").With("device", "/dev/vda")
	runTmpfs     = nodeExporter.With("mountpoint", "/run").With("fstype", "tmpfs").With("device", "tmpfs")
)

// Alerts of the KRaft quorum and of the cluster-wide state the controllers see.
var (
	KafkaNoActiveController = rules.Alert{
		Name: "KafkaNoActiveController", When: signals.NoActiveController, For: minute, Panel: dashboards.ActiveControllersPanel,
		Summary:     "No KRaft controller is active.",
		Description: "{{ $value }} controllers report themselves active: the cluster cannot create topics, elect leaders or fence brokers.",
		Runbook: rules.Runbook{
			Meaning:    "No voter of the KRaft quorum holds the leadership, so no metadata change can be committed.",
			Impact:     "Leader elections, topic changes and broker registration stop. Existing leaders keep serving, but any broker failure now leaves partitions offline.",
			Diagnosis:  []string{"Check `kafka_raft_current_leader` and `kafka_raft_current_epoch` on every voter: a rising epoch means repeated failed elections.", "Check that a majority of controllers is up (`up{job=~\"kafka-controller|kafka-combined\"}`).", "Read the controller logs for `Vote` and `BeginQuorumEpoch` errors."},
			Mitigation: []string{"Restart the controllers that are down until a majority runs.", "If voters cannot reach each other, fix the network or `controller.quorum.bootstrap.servers`."},
		},
		Tests: []rules.Test{
			{Name: "no voter is active", At: 5 * minute,
				Fires: []rules.Firing{{Value: 0}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaActiveControllerCount, "0x10"),
					controller2.Series(catalog.KafkaActiveControllerCount, "0x10"),
				}},
			{Name: "one voter is active", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaActiveControllerCount, "1x10"),
				controller2.Series(catalog.KafkaActiveControllerCount, "0x10"),
			}},
		},
	}
	KafkaMultipleActiveControllers = rules.Alert{
		Name: "KafkaMultipleActiveControllers", When: signals.MultipleActiveControllers, For: minute, Panel: dashboards.ActiveControllersPanel,
		Summary:     "More than one KRaft controller claims to be active.",
		Description: "{{ $value }} controllers report themselves active at once.",
		Runbook: rules.Runbook{
			Meaning:    "Two voters believe they lead the quorum: a split brain, or a stale node that has not learned of the new epoch.",
			Impact:     "Brokers may follow different controllers; metadata changes can be rejected or applied late.",
			Diagnosis:  []string{"Compare `kafka_raft_current_epoch` across voters: the stale one has the lower epoch.", "Check network partitions between controllers."},
			Mitigation: []string{"Restart the controller with the lower epoch.", "Fix the network partition."},
		},
		Tests: []rules.Test{
			{Name: "two voters active", At: 5 * minute,
				Fires: []rules.Firing{{Value: 2}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaActiveControllerCount, "1x10"),
					controller2.Series(catalog.KafkaActiveControllerCount, "1x10"),
				}},
			{Name: "one voter active", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaActiveControllerCount, "1x10"),
				controller2.Series(catalog.KafkaActiveControllerCount, "0x10"),
			}},
		},
	}
	KafkaControllerDown = rules.Alert{
		Name: "KafkaControllerDown", When: signals.ControllerDown, For: minute, Panel: dashboards.ControllersUpPanel,
		Summary:     "A KRaft controller is down.",
		Description: "Controller {{ $labels.instance }} cannot be scraped; the quorum has one voter fewer than the topology declares.",
		Runbook: rules.Runbook{
			Meaning:    "Prometheus cannot reach the JMX exporter of a KRaft voter: the process is down or hung.",
			Impact:     "The quorum tolerates one lost voter of three; a second loss stops all metadata changes.",
			Diagnosis:  []string{"`make status` (local) or `docker compose ps` shows whether the process runs.", "Read its log for the exit cause (storage not formatted, cluster id mismatch, out of memory)."},
			Mitigation: []string{"Restart the controller. If its metadata log is corrupt, reformat its storage with the same cluster id and let it catch up."},
		},
		Tests: []rules.Test{
			{Name: "a controller stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: controller2.Expect(), Value: 0}}, Series: []rules.Series{
					controller1.Series(catalog.Up, "1x10"),
					controller2.Series(catalog.Up, "1 1 0x8"),
				}},
			{Name: "all controllers up", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.Up, "1x10"),
				controller2.Series(catalog.Up, "1x10"),
			}},
		},
	}
	KafkaBrokerDown = rules.Alert{
		Name: "KafkaBrokerDown", When: signals.BrokerDown, For: minute, Panel: dashboards.BrokersUpPanel,
		Summary:     "A Kafka broker is down.",
		Description: "Broker {{ $labels.instance }} cannot be scraped; the cluster has one broker fewer than the topology declares.",
		Runbook: rules.Runbook{
			Meaning:    "Prometheus cannot reach the JMX exporter of a broker: the process is down or hung.",
			Impact:     "Partitions it led move to other replicas; partitions whose only in-sync replica it held go offline. Its under-replication alerts are inhibited while this fires.",
			Diagnosis:  []string{"Check the process and its log (`.stack/logs/` locally).", "Check disk space and the log directories (`KafkaOfflineLogDirectory`)."},
			Mitigation: []string{"Restart the broker; it rejoins the ISRs once it has caught up.", "Run a preferred leader election after it has caught up."},
		},
		Tests: []rules.Test{
			{Name: "a broker stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: broker3.Expect(), Value: 0}}, Series: []rules.Series{
					broker1.Series(catalog.Up, "1x10"),
					broker3.Series(catalog.Up, "1 0x9"),
				}},
			{Name: "brokers up", At: 5 * minute, Series: []rules.Series{
				broker1.Series(catalog.Up, "1x10"),
				broker3.Series(catalog.Up, "1x10"),
			}},
		},
	}
	KafkaBrokersNotRegistered = rules.Alert{
		Name: "KafkaBrokersNotRegistered", When: signals.BrokersNotRegistered, For: 2 * minute, Panel: dashboards.RegisteredBrokersPanel,
		Summary:     "Fewer brokers are registered with the controller than are deployed.",
		Description: "The controller sees {{ $value }} active brokers, fewer than the brokers Prometheus scrapes.",
		Runbook: rules.Runbook{
			Meaning:    "A broker process runs but is fenced or not registered with the KRaft controller.",
			Impact:     "The fenced broker serves no partitions: capacity and redundancy are lower than planned.",
			Diagnosis:  []string{"Compare `kafka_controller_active_brokers` and `kafka_controller_fenced_brokers`.", "Read the broker log for heartbeat and registration errors; check `kafka_controller_timed_out_broker_heartbeats_total`."},
			Mitigation: []string{"Restart the fenced broker; check its connectivity to the controllers."},
		},
		Tests: []rules.Test{
			{Name: "one broker fenced", At: 5 * minute,
				Fires: []rules.Firing{{Value: 2}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaActiveBrokers, "2x10"),
					broker1.Series(catalog.Up, "1x10"),
					broker2.Series(catalog.Up, "1x10"),
					broker3.Series(catalog.Up, "1x10"),
				}},
			{Name: "all registered", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaActiveBrokers, "3x10"),
				broker1.Series(catalog.Up, "1x10"),
				broker2.Series(catalog.Up, "1x10"),
				broker3.Series(catalog.Up, "1x10"),
			}},
		},
	}
	KafkaOfflinePartitions = rules.Alert{
		Name: "KafkaOfflinePartitions", When: signals.PartitionsOffline, For: minute, Panel: dashboards.OfflinePartitionsPanel,
		Summary:     "Partitions have no live leader.",
		Description: "{{ $value }} partitions are offline: producers and consumers of them are blocked.",
		Runbook: rules.Runbook{
			Meaning:    "Every replica in the ISR of these partitions is unavailable, so no leader can be elected.",
			Impact:     "Writes to and reads from those partitions fail; the producer buffers and then errors.",
			Diagnosis:  []string{"`kafka-topics --describe --unavailable-partitions` lists them and their replicas.", "Check which brokers are down (`KafkaBrokerDown`) and their log directories."},
			Mitigation: []string{"Bring the replicas' brokers back.", "Only as a last resort, and accepting data loss, enable unclean leader election for the topic."},
		},
		Tests: []rules.Test{
			{Name: "partitions go offline", At: 5 * minute,
				Fires: []rules.Firing{{Value: 3}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaOfflinePartitions, "0 0 3x8"),
					controller2.Series(catalog.KafkaOfflinePartitions, "0x10"),
				}},
			{Name: "all partitions led", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaOfflinePartitions, "0x10"),
			}},
		},
	}
	KafkaUncleanLeaderElection = rules.Alert{
		Name: "KafkaUncleanLeaderElection", When: signals.UncleanLeaderElection, Panel: dashboards.UncleanElectionsPanel,
		Summary:     "A leader was elected from outside the ISR.",
		Description: "{{ $value | humanize }} unclean leader elections in the last 5 minutes: acknowledged records may be lost.",
		Runbook: rules.Runbook{
			Meaning:    "A partition got a leader that was not in sync, because unclean.leader.election.enable is on and no in-sync replica was available.",
			Impact:     "Records acknowledged by the old leader but not replicated are gone; downstream totals may be short.",
			Diagnosis:  []string{"Find the partitions in the controller log (`Unclean leader election`).", "Check which topics have unclean.leader.election.enable=true."},
			Mitigation: []string{"Replay the affected time range from the source of truth.", "Turn unclean leader election off for financial topics."},
		},
		Tests: []rules.Test{
			{Name: "an unclean election", At: 5 * minute,
				Fires: []rules.Firing{{Value: 1}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaUncleanLeaderElections, "0 0 0 1x7"),
				}},
			{Name: "no unclean election", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaUncleanLeaderElections, "0x10"),
			}},
		},
	}
	KafkaControllerQuorumDegraded = rules.Alert{
		Name: "KafkaControllerQuorumDegraded", When: signals.QuorumDegraded, For: 5 * minute, Panel: dashboards.UnknownVotersPanel,
		Summary:     "A KRaft voter cannot reach other voters.",
		Description: "{{ $labels.instance }} cannot reach {{ $value }} voters of the quorum.",
		Runbook: rules.Runbook{
			Meaning:    "The controller has no connection to some voters of the metadata quorum.",
			Impact:     "One more lost voter may cost the quorum its majority.",
			Diagnosis:  []string{"Check which controllers are up and that controller.quorum.bootstrap.servers is right on every node."},
			Mitigation: []string{"Restart or reconnect the unreachable voters."},
		},
		Tests: []rules.Test{
			{Name: "a voter is unreachable", At: 10 * minute,
				Fires: []rules.Firing{{Labels: controller1.Keep("instance"), Value: 1}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaRaftUnknownVoterConnections, "1x15"),
				}},
			{Name: "all voters reachable", At: 10 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaRaftUnknownVoterConnections, "0x15"),
			}},
		},
	}
	KafkaControllerMetadataErrors = rules.Alert{
		Name: "KafkaControllerMetadataErrors", When: signals.ControllerMetadataFailing, Panel: dashboards.ControllerMetadataErrorsPanel,
		Summary:     "A KRaft controller failed to load or apply metadata.",
		Description: "{{ $labels.instance }} met {{ $value | humanize }} metadata errors in the last 5 minutes.",
		Runbook: rules.Runbook{
			Meaning:    "The controller hit an error while replaying or applying metadata records.",
			Impact:     "Its view of the cluster may be wrong; if it becomes leader it may make wrong decisions.",
			Diagnosis:  []string{"Search the controller log for `MetadataError` and the record offset it names."},
			Mitigation: []string{"Restart the controller; if the error repeats at the same offset, restore its metadata log from a healthy voter."},
		},
		Tests: []rules.Test{
			{Name: "errors appear", At: 5 * minute,
				Fires: []rules.Firing{{Labels: controller1.Keep("instance"), Value: 1}}, Series: []rules.Series{
					controller1.Series(catalog.KafkaControllerMetadataErrors, "0 0 0 1x7"),
				}},
			{Name: "no errors", At: 5 * minute, Series: []rules.Series{
				controller1.Series(catalog.KafkaControllerMetadataErrors, "2x10"),
			}},
		},
	}
	KafkaBrokerMetadataErrors = rules.Alert{
		Name: "KafkaBrokerMetadataErrors", When: signals.BrokerMetadataFailing, Panel: dashboards.BrokerMetadataErrorsPanel,
		Summary:     "A broker failed to load or apply KRaft metadata.",
		Description: "{{ $labels.instance }} met {{ $value | humanize }} metadata load or apply errors in the last 5 minutes.",
		Runbook: rules.Runbook{
			Meaning:    "The broker could not apply a record of the metadata log.",
			Impact:     "The broker may serve partitions with stale leadership or configs.",
			Diagnosis:  []string{"Search the broker log for `metadata` errors and compare its `kafka_broker_metadata_last_applied_record_lag_seconds` with the others."},
			Mitigation: []string{"Restart the broker so it reloads the metadata snapshot."},
		},
		Tests: []rules.Test{
			{Name: "apply errors appear", At: 5 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 1}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaBrokerMetadataLoadErrors, "0x10"),
					broker1.Series(catalog.KafkaBrokerMetadataApplyErrors, "0 0 0 1x7"),
				}},
			{Name: "no errors", At: 5 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaBrokerMetadataLoadErrors, "0x10"),
				broker1.Series(catalog.KafkaBrokerMetadataApplyErrors, "0x10"),
			}},
		},
	}
	KafkaBrokerMetadataLagging = rules.Alert{
		Name: "KafkaBrokerMetadataLagging", When: signals.BrokerMetadataLagging, For: 5 * minute, Panel: dashboards.MetadataApplyLagPanel,
		Summary:     "A broker has stopped applying KRaft metadata.",
		Description: "The last metadata record {{ $labels.instance }} applied is {{ $value | humanizeDuration }} old.",
		Runbook: rules.Runbook{
			Meaning:    "The controller writes a metadata record at least every few hundred milliseconds; a broker whose last applied record is a minute old is not following the quorum.",
			Impact:     "Leadership and config changes do not reach this broker.",
			Diagnosis:  []string{"Check the broker's connection to the controllers and its log for fetch errors from the metadata quorum."},
			Mitigation: []string{"Restart the broker."},
		},
		Tests: []rules.Test{
			{Name: "lag of two minutes", At: 10 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 120}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaBrokerMetadataLag, "120x15"),
				}},
			{Name: "lag below a second", At: 10 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaBrokerMetadataLag, "0.5x15"),
			}},
		},
	}
)

// KafkaCluster: the KRaft quorum and cluster-wide state, as the controllers see it; it
// records throughput by topic and request type, and under-replication cluster-wide.
var KafkaCluster = rules.Group{
	Name:      "kafka-cluster",
	Component: "kafka",
	Recording: []rules.Recording{
		{Record: "topic:kafka_server_messages_in:rate5m", Expr: promql.Sum(signals.MessagesIn.Expr, "topic")},
		{Record: "topic:kafka_server_bytes_in:rate5m", Expr: promql.Sum(signals.BytesIn.Expr, "topic")},
		{Record: "topic:kafka_server_bytes_out:rate5m", Expr: promql.Sum(signals.BytesOut.Expr, "topic")},
		// Brokers only: the request-rate panels count the controllers' requests too.
		{Record: "request:kafka_network_requests:rate5m",
			Expr: promql.Sum(promql.Rate(promql.Select(catalog.KafkaRequests, promql.Jobs(stack.BrokerRoles...)), promql.Window), "request")},
		// The signal in total: its grouping by instance renders as none here.
		{Record: "cluster:kafka_server_under_replicated_partitions:sum", Expr: signals.UnderReplicatedPartitions.Expr},
	},
	Alerts: []rules.Alert{
		KafkaNoActiveController, KafkaMultipleActiveControllers, KafkaControllerDown, KafkaBrokerDown,
		KafkaBrokersNotRegistered, KafkaOfflinePartitions, KafkaUncleanLeaderElection,
		KafkaControllerQuorumDegraded, KafkaControllerMetadataErrors, KafkaBrokerMetadataErrors,
		KafkaBrokerMetadataLagging,
	},
}

// Alerts of replication, request handling and the JVM of each Kafka node.
var (
	KafkaUnderReplicatedPartitions = rules.Alert{
		Name: "KafkaUnderReplicatedPartitions", When: signals.PartitionsUnderReplicated, For: 5 * minute, Panel: dashboards.UnderReplicatedPanel,
		Summary:     "Partitions have fewer in-sync replicas than replicas.",
		Description: "{{ $labels.instance }} leads {{ $value }} under-replicated partitions.",
		Runbook: rules.Runbook{
			Meaning:    "Followers of partitions led by this broker fell out of the ISR.",
			Impact:     "Redundancy is reduced: one more failure can make partitions offline or block acks=all writes.",
			Diagnosis:  []string{"Is a broker down (`KafkaBrokerDown`) or a log directory offline (`KafkaOfflineLogDirectory`)? Those alerts inhibit this one.", "Check follower fetch latency (`kafka_network_request_total_time_p99_seconds{request=\"FetchFollower\"}`) and disk or network saturation of the followers."},
			Mitigation: []string{"Restore the lagging followers; reduce load or add brokers if followers cannot keep up."},
		},
		Tests: []rules.Test{
			{Name: "followers lag", At: 10 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 4}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaUnderReplicatedPartitions, "0 4x14"),
				}},
			{Name: "fully replicated", At: 10 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaUnderReplicatedPartitions, "0x15"),
			}},
		},
	}
	KafkaUnderMinISRPartitions = rules.Alert{
		Name: "KafkaUnderMinISRPartitions", When: signals.PartitionsUnderMinISR, For: minute, Panel: dashboards.UnderMinISRPanel,
		Summary:     "Partitions are below min.insync.replicas: acks=all writes fail.",
		Description: "{{ $labels.instance }} leads {{ $value }} partitions whose ISR is smaller than min.insync.replicas.",
		Runbook: rules.Runbook{
			Meaning:    "Too few replicas are in sync to accept acks=all writes.",
			Impact:     "The producer gets NOT_ENOUGH_REPLICAS errors; transactions are not ingested.",
			Diagnosis:  []string{"Find the brokers missing from the ISR (`kafka-topics --describe --under-min-isr-partitions`)."},
			Mitigation: []string{"Bring the missing replicas back. Do not lower min.insync.replicas on financial topics."},
		},
		Tests: []rules.Test{
			{Name: "ISR below minimum", At: 5 * minute,
				Fires: []rules.Firing{{Labels: broker2.Keep("instance"), Value: 6}}, Series: []rules.Series{
					broker2.Series(catalog.KafkaUnderMinISRPartitions, "0 6x9"),
				}},
			{Name: "ISR at minimum", At: 5 * minute, Series: []rules.Series{
				broker2.Series(catalog.KafkaUnderMinISRPartitions, "0x10"),
			}},
		},
	}
	KafkaOfflineLogDirectory = rules.Alert{
		Name: "KafkaOfflineLogDirectory", When: signals.LogDirectoryOffline, Panel: dashboards.OfflineLogDirsPanel,
		Summary:     "A Kafka log directory went offline.",
		Description: "{{ $labels.instance }} has {{ $value }} offline log directories; the replicas on them are offline.",
		Runbook: rules.Runbook{
			Meaning:    "Kafka took a log directory offline after an I/O error.",
			Impact:     "Every replica in that directory is offline; partitions whose other replicas are also gone are unavailable. The broker lives and serves its other directories; the under-replication its lost replicas cause is inhibited while this fires.",
			Diagnosis:  []string{"Read the broker log for `IOException` and the directory it names; check the disk (dmesg, SMART, free space: `KafkaDiskAlmostFull`)."},
			Mitigation: []string{"Replace or repair the disk, then restart the broker; reassign partitions away if the disk is lost."},
		},
		Tests: []rules.Test{
			{Name: "a directory fails", At: 5 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 1}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaOfflineLogDirs, "0 0 1x8"),
				}},
			{Name: "all directories online", At: 5 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaOfflineLogDirs, "0x10"),
			}},
		},
	}
	KafkaISRChurn = rules.Alert{
		Name: "KafkaISRChurn", When: signals.ISRShrinking.And(signals.ISRExpanding), Panel: dashboards.ISRChangesPanel,
		Summary:     "ISRs keep shrinking and expanding.",
		Description: "{{ $labels.instance }} saw {{ $value | humanize }} ISR shrinks in 15 minutes, with as many expands: followers flap in and out of sync.",
		Runbook: rules.Runbook{
			Meaning:    "Followers repeatedly fall behind replica.lag.time.max.ms and catch up again.",
			Impact:     "Partitions alternate between fully and under-replicated; acks=all latency rises.",
			Diagnosis:  []string{"Check GC pauses (`KafkaGCPressure`), network processor idle and disk flush times of the followers."},
			Mitigation: []string{"Remove the source of pauses (heap size, GC, noisy neighbours); raise num.replica.fetchers if followers are starved."},
		},
		Tests: []rules.Test{
			{Name: "shrinks and expands every minute", At: 16 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 15}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaISRShrinks, "0+1x20"),
					broker1.Series(catalog.KafkaISRExpands, "0+1x20"),
				}},
			{Name: "one shrink, one expand", At: 16 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaISRShrinks, "0 1x20"),
				broker1.Series(catalog.KafkaISRExpands, "0 0 1x19"),
			}},
		},
	}
	KafkaRequestHandlerSaturated = rules.Alert{
		Name: "KafkaRequestHandlerSaturated", When: signals.RequestHandlersSaturated, For: 10 * minute, Panel: dashboards.RequestHandlerIdlePanel,
		Summary:     "Kafka request handler threads are nearly always busy.",
		Description: "Request handlers of {{ $labels.instance }} are idle only {{ $value | humanizePercentage }} of the time.",
		Runbook: rules.Runbook{
			Meaning:    "The I/O threads that execute requests have little spare time.",
			Impact:     "Requests queue (`kafka_network_request_queue_size`); produce and fetch latency rise.",
			Diagnosis:  []string{"Check request rates by type and the produce p99; check disk latency (log flush time)."},
			Mitigation: []string{"Raise num.io.threads if CPU allows; spread partitions over more brokers; batch more on the producer (linger, batch size)."},
		},
		Tests: []rules.Test{
			{Name: "10% idle", At: 15 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 0.1}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaRequestHandlerIdle, "0.1x20"),
				}},
			{Name: "70% idle", At: 15 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaRequestHandlerIdle, "0.7x20"),
			}},
		},
	}
	KafkaNetworkProcessorSaturated = rules.Alert{
		Name: "KafkaNetworkProcessorSaturated", When: signals.NetworkProcessorsSaturated, For: 10 * minute, Panel: dashboards.NetworkProcessorIdlePanel,
		Summary:     "Kafka network threads are nearly always busy.",
		Description: "Network processors of {{ $labels.instance }} are idle only {{ $value | humanizePercentage }} of the time.",
		Runbook: rules.Runbook{
			Meaning:    "The threads that read requests from and write responses to sockets have little spare time.",
			Impact:     "Clients see higher latency and time-outs.",
			Diagnosis:  []string{"Check connection counts and request rates; many small requests (no batching) are a common cause."},
			Mitigation: []string{"Raise num.network.threads; make clients batch (linger.ms, fetch.min.bytes)."},
		},
		Tests: []rules.Test{
			{Name: "20% idle", At: 15 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 0.2}}, Series: []rules.Series{
					broker1.Series(catalog.KafkaNetworkProcessorIdle, "0.2x20"),
				}},
			{Name: "90% idle", At: 15 * minute, Series: []rules.Series{
				broker1.Series(catalog.KafkaNetworkProcessorIdle, "0.9x20"),
			}},
		},
	}
	KafkaProduceLatencyHigh = rules.Alert{
		Name: "KafkaProduceLatencyHigh", When: signals.ProduceSlow, For: 10 * minute, Panel: dashboards.KafkaProduceLatencyPanel,
		Summary:     "Produce requests are slow.",
		Description: "The p99 produce request time on {{ $labels.instance }} is {{ $value | humanizeDuration }}.",
		Runbook: rules.Runbook{
			Meaning:    "The broker takes more than 500 ms to serve one produce request in a hundred.",
			Impact:     "The producer's in-flight requests fill; its buffer grows and throughput drops.",
			Diagnosis:  []string{"acks=all waits for followers: check FetchFollower latency and ISR health.", "Check request handler idle, disk flush time and GC."},
			Mitigation: []string{"Fix the slow follower or disk; rebalance partition leadership."},
		},
		Tests: []rules.Test{
			{Name: "p99 of 800ms", At: 15 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 0.8}}, Series: []rules.Series{
					broker1.With("request", "Produce").Series(catalog.KafkaRequestTimeP99, "0.8x20"),
					broker1.With("request", "FetchConsumer").Series(catalog.KafkaRequestTimeP99, "0.5x20"),
				}},
			{Name: "p99 of 20ms; slow fetches do not count", At: 15 * minute, Series: []rules.Series{
				broker1.With("request", "Produce").Series(catalog.KafkaRequestTimeP99, "0.02x20"),
				broker1.With("request", "FetchConsumer").Series(catalog.KafkaRequestTimeP99, "0.9x20"),
			}},
		},
	}
	KafkaJVMHeapPressure = rules.Alert{
		Name: "KafkaJVMHeapPressure", When: signals.HeapPressure, For: 10 * minute, Panel: dashboards.KafkaHeapPanel,
		Summary:     "A Kafka JVM is short of heap.",
		Description: "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of its maximum heap.",
		Runbook: rules.Runbook{
			Meaning:    "Heap use stays above 90% of -Xmx after garbage collections.",
			Impact:     "Long GC pauses, ISR shrinks, and eventually OutOfMemoryError.",
			Diagnosis:  []string{"Check GC time (`KafkaGCPressure`) and partition count per broker; take a heap histogram (`jcmd <pid> GC.class_histogram`)."},
			Mitigation: []string{"Raise the heap (Kafka needs little: page cache does the work), or reduce partitions per broker."},
		},
		Tests: []rules.Test{
			{Name: "heap at 95%", At: 15 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 0.95}}, Series: []rules.Series{
					broker1.With("area", "heap").Series(catalog.JVMMemoryUsed, "950x20"),
					broker1.With("area", "heap").Series(catalog.JVMMemoryMax, "1000x20"),
				}},
			{Name: "heap at 50%", At: 15 * minute, Series: []rules.Series{
				broker1.With("area", "heap").Series(catalog.JVMMemoryUsed, "500x20"),
				broker1.With("area", "heap").Series(catalog.JVMMemoryMax, "1000x20"),
			}},
		},
	}
	KafkaGCPressure = rules.Alert{
		Name: "KafkaGCPressure", When: signals.GCPressure, For: 10 * minute, Panel: dashboards.KafkaGCTimePanel,
		Summary:     "A Kafka JVM spends much of its time collecting garbage.",
		Description: "{{ $labels.instance }} spends {{ $value | humanizePercentage }} of its time in GC.",
		Runbook: rules.Runbook{
			Meaning:    "More than a fifth of wall-clock time goes to garbage collection.",
			Impact:     "Request latency rises; long pauses expire sessions and shrink ISRs.",
			Diagnosis:  []string{"Check heap use (`KafkaJVMHeapPressure`) and which collector runs (`gc` label)."},
			Mitigation: []string{"Raise the heap or reduce the load per broker."},
		},
		Tests: []rules.Test{
			{Name: "half the time in GC", At: 15 * minute,
				Fires: []rules.Firing{{Labels: broker1.Keep("instance"), Value: 0.5}}, Series: []rules.Series{
					broker1.With("gc", "G1 Young Generation").Sums(catalog.JVMGCCollection, "0+30x20"),
				}},
			{Name: "1% in GC", At: 15 * minute, Series: []rules.Series{
				broker1.With("gc", "G1 Young Generation").Sums(catalog.JVMGCCollection, "0+0.6x20"),
			}},
		},
	}
)

// KafkaBroker: replication, request handling and JVM health of each broker.
var KafkaBroker = rules.Group{
	Name:      "kafka-broker",
	Component: "kafka",
	Alerts: []rules.Alert{
		KafkaUnderReplicatedPartitions, KafkaUnderMinISRPartitions, KafkaOfflineLogDirectory, KafkaISRChurn,
		KafkaRequestHandlerSaturated, KafkaNetworkProcessorSaturated, KafkaProduceLatencyHigh,
		KafkaJVMHeapPressure, KafkaGCPressure,
	},
}

// Alerts of the disks Kafka's logs live on.
var (
	KafkaDiskFillingUp = rules.Alert{
		Name: "KafkaDiskFillingUp", When: signals.DiskRunningOut.And(signals.DiskFreeLow), For: 30 * minute, Panel: dashboards.KafkaDiskFreeIn24hPanel,
		Summary: "A disk holding Kafka logs will be full within " + signals.Hours(signals.DiskFillHorizon) + ".",
		Description: "{{ $labels.mountpoint }} on {{ $labels.instance }} is predicted to run out of space within " + signals.Hours(signals.DiskFillHorizon) +
			" at the rate of the last " + signals.Hours(signals.DiskFillWindow) + ".",
		Runbook: rules.Runbook{
			Meaning: "Free space is below 40% and falling fast enough to reach zero within " + signals.Hours(signals.DiskFillHorizon) +
				" (the horizon and the regression window come from the capacity plan, deploy/capacity.md: the time to react, never past the shortest topic retention).",
			Impact:     "A full disk takes the log directory offline and its replicas with it.",
			Diagnosis:  []string{"Check `kafka_log_size_bytes` by topic: which topic grows? Check retention.ms / retention.bytes of that topic."},
			Mitigation: []string{"Lower retention on the growing topic, add disk, or move partitions to other brokers."},
		},
		Tests: []rules.Test{
			// Falling fast enough to empty twice over within the plan's horizon, whatever it is.
			{Name: fmt.Sprintf("free space falls %d MiB a minute from 350 MiB", diskFall), At: 60 * minute,
				Fires: []rules.Firing{{Labels: dataDisk.Expect(), Value: 0}}, Series: []rules.Series{
					dataDisk.Series(catalog.NodeFilesystemAvail, fmt.Sprintf("350-%dx80", diskFall)),
					dataDisk.Series(catalog.NodeFilesystemSize, "1000x80"),
				}},
			{Name: "free space steady", At: 60 * minute, Series: []rules.Series{
				dataDisk.Series(catalog.NodeFilesystemAvail, "350x80"),
				dataDisk.Series(catalog.NodeFilesystemSize, "1000x80"),
			}},
		},
	}
	// Two minutes, not five: with a tenth left a disk Kafka writes to fills in minutes, and
	// Kafka takes a full log directory offline at once; the trend (above) warns earlier.
	KafkaDiskAlmostFull = rules.Alert{
		Name: "KafkaDiskAlmostFull", When: signals.DiskAlmostFull, For: 2 * minute, Panel: dashboards.KafkaDiskFreePanel,
		Summary:     "A disk holding Kafka logs is almost full.",
		Description: "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} space left.",
		Runbook: rules.Runbook{
			Meaning:    "Less than 10% of the filesystem is free.",
			Impact:     "Kafka stops the log directory when the disk fills; partitions go offline.",
			Diagnosis:  []string{"Find the largest topics with `kafka_log_size_bytes`; check for stuck log cleanup."},
			Mitigation: []string{"Free space now: lower retention of the largest topic, delete stale topics, add disk."},
		},
		Tests: []rules.Test{
			{Name: "5% free", At: 10 * minute,
				Fires: []rules.Firing{{Labels: rootDisk.Expect(), Value: 0.05}}, Series: []rules.Series{
					rootDisk.Series(catalog.NodeFilesystemAvail, "50x15"),
					rootDisk.Series(catalog.NodeFilesystemSize, "1000x15"),
				}},
			{Name: "a full tmpfs does not count", At: 10 * minute, Series: []rules.Series{
				runTmpfs.Series(catalog.NodeFilesystemAvail, "0x15"),
				runTmpfs.Series(catalog.NodeFilesystemSize, "1000x15"),
			}},
		},
	}
)

// KafkaHost: the disks Kafka's logs live on.
var KafkaHost = rules.Group{
	Name:      "kafka-host",
	Component: "kafka",
	Alerts:    []rules.Alert{KafkaDiskFillingUp, KafkaDiskAlmostFull},
}

// diskFall is a fall a minute that empties 350 twice within the disk alert's horizon.
var diskFall = int(math.Ceil(700 / signals.DiskFillHorizon.Minutes()))
