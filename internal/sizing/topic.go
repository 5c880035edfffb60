package sizing

import (
	"fmt"
	"time"
)

// TopicRetention is what a topic declaration should set from a plan: retention.ms
// (retention), retention.bytes (retentionBytes, per partition: the partition's share of
// the usable disk, so only a load above the plan ever hits it, and before the disk is full)
// and segment.bytes (segmentBytes: a twentieth of what a partition keeps, so deleting whole
// segments keeps at most 5% past the retention, between 1 MiB and the scenario's largest
// segment). A topic the plan does not know is an error naming it.
func TopicRetention(p Plan, topic string) (retention time.Duration, retentionBytes, segmentBytes int64, err error) {
	for _, t := range p.Topics {
		if t.Topic.Name == topic {
			return t.Topic.Retention.V, int64(t.RetentionBytes), int64(t.SegmentBytes), nil
		}
	}
	return 0, 0, 0, fmt.Errorf("capacity: scenario %q plans no topic %q", p.Scenario.Name, topic)
}

// Partitions is how many partitions a topic needs for its throughput today and at the
// fifth year's growth.
func Partitions(p Plan, topic string) (now, in5y int, err error) {
	for _, t := range p.Topics {
		if t.Topic.Name == topic {
			return t.Partitions, t.PartitionsIn5y, nil
		}
	}
	return 0, 0, fmt.Errorf("capacity: scenario %q plans no topic %q", p.Scenario.Name, topic)
}

// LogDeleteAge is the delete phase's min_age of an index group's lifecycle: its retention
// plus one day, because a daily index is created with its first document and its last one
// comes a day later; deleting it at the retention would drop that day's last documents a
// day early.
func LogDeleteAge(p Plan, index string) (time.Duration, error) {
	for _, ix := range p.Logs {
		if ix.Index.Index == index {
			return ix.DeleteAge, nil
		}
	}
	return 0, fmt.Errorf("capacity: scenario %q plans no log index %q", p.Scenario.Name, index)
}
