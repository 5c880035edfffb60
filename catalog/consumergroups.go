package catalog

import (
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

// lagExporter reads every consumer group's offsets from Kafka (cmd/kafka-lag-exporter).
var lagExporter = []stack.Component{stack.KafkaLagExporter}

// Consumer groups, as the lag exporter reads them at each scrape: kafka_exporter's names
// where it has one, so that dashboards built on kafka_exporter keep working; finobs_ where
// it has none. A group's series exist while Kafka keeps its committed offsets.
var (
	ConsumerGroupLag = declare(&metric.Metric{
		Name: "kafka_consumergroup_lag", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"consumergroup", "topic", "partition"},
		Help: "Records between the group's committed offset and the partition's end offset.",
	})
	ConsumerGroupLagSum = declare(&metric.Metric{
		Name: "kafka_consumergroup_lag_sum", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"consumergroup", "topic"},
		Help: "Records between the group's committed offsets and the end offsets, summed over the topic's partitions.",
	})
	ConsumerGroupCommittedOffset = declare(&metric.Metric{
		Name: "kafka_consumergroup_current_offset", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"consumergroup", "topic", "partition"},
		Help: "The group's committed offset.",
	})
	// ConsumerGroupMembers is 0 for a group that only commits (the stream job's: its driver
	// commits what the query processed, no consumer joins it).
	ConsumerGroupMembers = declare(&metric.Metric{
		Name: "kafka_consumergroup_members", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"consumergroup"},
		Help: "Members of the group.",
	})
	// PartitionEndOffset is exported only for the partitions some group commits to.
	PartitionEndOffset = declare(&metric.Metric{
		Name: "kafka_topic_partition_current_offset", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"topic", "partition"},
		Help: "The partition's end offset (high watermark), for partitions a group commits to.",
	})
	// ConsumerGroupLagSeconds is now minus the Kafka timestamp of the record at the committed
	// offset, the largest over the group's partitions: how long the oldest record waits.
	ConsumerGroupLagSeconds = declare(&metric.Metric{
		Name: "finobs_consumergroup_lag_seconds", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"consumergroup"},
		Help: "Age of the oldest record the group has not consumed (now minus its Kafka timestamp), over its partitions; 0 without lag.",
	})
	// ConsumerGroupState is one-hot, as kube-state-metrics writes states: only the current
	// state's series (Stable, PreparingRebalance, CompletingRebalance, Empty, Dead), at 1.
	ConsumerGroupState = declare(&metric.Metric{
		Name: "finobs_consumergroup_state", Type: metric.Gauge, Exporter: lagExporter, Labels: []string{"consumergroup", "state"},
		Help: "1 for the group's state.",
	})
	// LagExporterUp is 0 while the exporter cannot read Kafka: it then exports no group's
	// series, and every alert on them is blind.
	LagExporterUp = declare(&metric.Metric{
		Name: "finobs_lag_exporter_up", Type: metric.Gauge, Exporter: lagExporter,
		Help: "1 when the last collection reached Kafka, else 0.",
	})
	LagExporterCollectDuration = declare(&metric.Metric{
		Name: "finobs_lag_exporter_collect_duration_seconds", Type: metric.Gauge, Exporter: lagExporter,
		Help: "How long the last collection took.",
	})
)
