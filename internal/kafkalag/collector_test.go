package kafkalag

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type emitted Snapshot

func (s emitted) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(s, ch) }
func (s emitted) Collect(ch chan<- prometheus.Metric) { testDescs.Emit(Snapshot(s), ch) }

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(name, help, labels, nil)
}

var testDescs = Descs{
	Lag:        desc("kafka_consumergroup_lag", "Records between the group's committed offset and the partition's end offset.", "consumergroup", "topic", "partition"),
	LagSum:     desc("kafka_consumergroup_lag_sum", "Records between the group's committed offsets and the end offsets, summed over the topic's partitions.", "consumergroup", "topic"),
	Committed:  desc("kafka_consumergroup_current_offset", "The group's committed offset.", "consumergroup", "topic", "partition"),
	Members:    desc("kafka_consumergroup_members", "Members of the group.", "consumergroup"),
	End:        desc("kafka_topic_partition_current_offset", "The partition's end offset (high watermark), for partitions a group commits to.", "topic", "partition"),
	LagSeconds: desc("finobs_consumergroup_lag_seconds", "Age of the oldest record the group has not consumed (now minus its Kafka timestamp), over its partitions; 0 without lag.", "consumergroup"),
	State:      desc("finobs_consumergroup_state", "1 for the group's state.", "consumergroup", "state"),
}

// TestEmit: kafka_exporter's names and labels, sums per topic, one state series.
func TestEmit(t *testing.T) {
	snap := Snapshot{
		Groups: []Group{{Name: "g", State: "Stable", Members: 2, LagSeconds: 12.5, Partitions: []Partition{
			{Topic: "a", Partition: 0, Committed: 10, End: 15, Lag: 5},
			{Topic: "a", Partition: 1, Committed: 20, End: 20, Lag: 0},
			{Topic: "b", Partition: 0, Committed: 1, End: 4, Lag: 3},
		}}},
		Ends: map[string]map[int32]int64{"a": {0: 15, 1: 20}, "b": {0: 4}},
	}
	want := `
# HELP kafka_consumergroup_current_offset The group's committed offset.
# TYPE kafka_consumergroup_current_offset gauge
kafka_consumergroup_current_offset{consumergroup="g",partition="0",topic="a"} 10
kafka_consumergroup_current_offset{consumergroup="g",partition="1",topic="a"} 20
kafka_consumergroup_current_offset{consumergroup="g",partition="0",topic="b"} 1
# HELP kafka_consumergroup_lag Records between the group's committed offset and the partition's end offset.
# TYPE kafka_consumergroup_lag gauge
kafka_consumergroup_lag{consumergroup="g",partition="0",topic="a"} 5
kafka_consumergroup_lag{consumergroup="g",partition="1",topic="a"} 0
kafka_consumergroup_lag{consumergroup="g",partition="0",topic="b"} 3
# HELP kafka_consumergroup_lag_sum Records between the group's committed offsets and the end offsets, summed over the topic's partitions.
# TYPE kafka_consumergroup_lag_sum gauge
kafka_consumergroup_lag_sum{consumergroup="g",topic="a"} 5
kafka_consumergroup_lag_sum{consumergroup="g",topic="b"} 3
# HELP kafka_consumergroup_members Members of the group.
# TYPE kafka_consumergroup_members gauge
kafka_consumergroup_members{consumergroup="g"} 2
# HELP finobs_consumergroup_state 1 for the group's state.
# TYPE finobs_consumergroup_state gauge
finobs_consumergroup_state{consumergroup="g",state="Stable"} 1
# HELP finobs_consumergroup_lag_seconds Age of the oldest record the group has not consumed (now minus its Kafka timestamp), over its partitions; 0 without lag.
# TYPE finobs_consumergroup_lag_seconds gauge
finobs_consumergroup_lag_seconds{consumergroup="g"} 12.5
# HELP kafka_topic_partition_current_offset The partition's end offset (high watermark), for partitions a group commits to.
# TYPE kafka_topic_partition_current_offset gauge
kafka_topic_partition_current_offset{partition="0",topic="a"} 15
kafka_topic_partition_current_offset{partition="1",topic="a"} 20
kafka_topic_partition_current_offset{partition="0",topic="b"} 4
`
	if err := testutil.CollectAndCompare(emitted(snap), strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
