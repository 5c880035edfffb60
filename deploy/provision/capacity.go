package provision

import (
	"fmt"

	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/internal/sizing"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
	"github.com/finobs/finobs/topology"
)

// sized declares the topics of st with the retention and segment sizes of scenario's
// capacity plan, where the plan sizes a topic; the others keep topics.DefaultStorage. The
// plan decides, not a number typed twice: `go run ./cmd/gen capacity -scenario NAME` shows
// where each figure comes from.
func sized(st stack.Stack, scenario sizing.Scenario) []topics.Topic {
	plan, err := sizing.Make(scenario)
	if err != nil {
		// The scenarios are declarations, planned by the generate tests and `go run ./cmd/gen`.
		panic(fmt.Sprintf("provision: capacity scenario %s: %v", scenario.Name, err))
	}
	storage := topics.DefaultStorage()
	for name, s := range storage {
		retention, bytes, segment, err := sizing.TopicRetention(plan, name)
		if err != nil {
			continue // a topic the plan does not size
		}
		s.RetentionTime, s.RetentionBytes, s.SegmentBytes = retention, bytes, segment
		storage[name] = s
	}
	ts, err := topics.Declare(st.Brokers(), storage)
	if err != nil {
		panic(fmt.Sprintf("provision: topics of %s: %v", st.Name, err))
	}
	return ts
}

// scenarioOf is the capacity scenario a stack is sized for.
func scenarioOf(st stack.Stack) sizing.Scenario {
	if st.Name == topology.Compose().Name {
		return capacity.Deployed
	}
	return capacity.Local
}

// TopicsFor is every topic of st as the provisioner declares it: sized by the stack's
// capacity scenario.
func TopicsFor(st stack.Stack) []topics.Topic { return sized(st, scenarioOf(st)) }
