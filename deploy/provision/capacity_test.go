package provision

import (
	"testing"

	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/internal/sizing"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
	"github.com/finobs/finobs/topology"
)

// The provisioner applies what the capacity plan sizes: the transactions topic's retention
// and segments come from the scenario's plan, for the native stack and for Compose.
func TestTopicsSizedByThePlan(t *testing.T) {
	local, err := topology.Local(3)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		st       stack.Stack
		scenario sizing.Scenario
	}{{local, capacity.Local}, {topology.Compose(), capacity.Deployed}} {
		plan, err := sizing.Make(tc.scenario)
		if err != nil {
			t.Fatal(err)
		}
		retention, bytes, segment, err := sizing.TopicRetention(plan, topics.Transactions)
		if err != nil {
			t.Fatal(err)
		}
		for _, tp := range sized(tc.st, scenarioOf(tc.st)) {
			if tp.Name != topics.Transactions {
				continue
			}
			if tp.RetentionTime != retention || tp.RetentionBytes != bytes || tp.SegmentBytes != segment {
				t.Errorf("%s: %s declared with retention %s, %d bytes, segments %d; plan %s says %s, %d, %d",
					tc.st.Name, tp.Name, tp.RetentionTime, tp.RetentionBytes, tp.SegmentBytes, tc.scenario.Name, retention, bytes, segment)
			}
			if tp.ReplicationFactor != 3 {
				t.Errorf("%s: replication factor %d on 3 brokers", tc.st.Name, tp.ReplicationFactor)
			}
			t.Logf("%s: %s retention %s, retention.bytes %d, segment.bytes %d (plan %s)", tc.st.Name, tp.Name, tp.RetentionTime, tp.RetentionBytes, tp.SegmentBytes, tc.scenario.Name)
		}
	}
}
