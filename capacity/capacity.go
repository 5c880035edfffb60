// Package capacity declares the sizing scenarios of the pipeline: the load each topic and
// log pipeline takes, how long it is kept, and the cluster that keeps it, every number with
// its source. internal/sizing plans them; `go run ./cmd/gen capacity` prints a plan and
// `go run ./cmd/gen` renders all of them to deploy/capacity.md.
//
// The plan of Deployed feeds the configs: the Kafka disk alert's predict_linear window and
// horizon (signals/), the log indices' lifecycle delete ages (pipelines/), and, through
// TopicRetention, the topics' retention and segment settings.
package capacity

import (
	"fmt"
	"time"

	"github.com/finobs/finobs/internal/sizing"
)

// Scenarios is every scenario, in the order deploy/capacity.md shows them.
func Scenarios() []sizing.Scenario { return []sizing.Scenario{Original, Local} }

// Deployed is the scenario the generated configs are sized for: the load of the system
// finobs replaces, on the Compose cluster.
var Deployed = Original

// Find returns the scenario named name.
func Find(name string) (sizing.Scenario, error) {
	var names []string
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, nil
		}
		names = append(names, s.Name)
	}
	return sizing.Scenario{}, fmt.Errorf("capacity: no scenario %q (have %v)", name, names)
}

// DeployedPlan is the plan of Deployed. It is made once; a Deployed that does not plan
// leaves a zero plan here and `go run ./cmd/gen` stops on the planner's error before it
// renders anything.
func DeployedPlan() sizing.Plan { return deployed }

// DeployedError is why Deployed does not plan, or nil.
func DeployedError() error { return deployedErr }

var deployed, deployedErr = sizing.Make(Deployed)

// DiskAlert is the disk fill prediction's window and horizon from Deployed's plan. Before
// a plan exists (a bad Deployed) it is the 6h/24h of the hand-written alert, so the rest of
// the declarations still load and the planner's error is the one reported.
func DiskAlert() (window, horizon time.Duration) {
	if deployedErr != nil {
		return 6 * time.Hour, 24 * time.Hour
	}
	return deployed.DiskAlert.Window, deployed.DiskAlert.Horizon
}

// LogRetention is how long an index group keeps its documents in Deployed, and the delete
// age of its lifecycle (the retention plus the day a daily index spans). An index Deployed
// does not plan is a programming error caught by the generate tests: 0, 0.
func LogRetention(index string) (retention, deleteAge time.Duration) {
	for _, ix := range Deployed.Logs {
		if ix.Index == index {
			return ix.Retention.V, ix.Retention.V + sizing.Day
		}
	}
	return 0, 0
}
