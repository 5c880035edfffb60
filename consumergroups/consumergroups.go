// Package consumergroups declares the Kafka consumer groups finobs knows, once: who owns
// each, how far behind it may fall and whether consumers should be in it, and the levels of
// every group nobody declares. The consumer-group signals, alerts and dashboard read these;
// a deployment's finobs.yaml (consumerGroups:) declares its own beside them.
package consumergroups

import (
	"github.com/finobs/finobs/pipeline/stream"
	"github.com/finobs/finobs/pkg/consumergroup"
)

// Stream is the stream job's group. Structured Streaming keeps its offsets in its checkpoint;
// the driver commits them to this group after each batch, so that Kafka tools see the job's
// lag. No consumer ever joins it.
var Stream = consumergroup.Group{
	Name: stream.Group(stream.Defaults().Query),
	Lag: consumergroup.Levels{
		// Ten times the freshness objective (signals.FreshnessObjective, 30 s), past
		// StreamLagging's two minutes: the query's own alert warns first; this one pages when
		// it does not catch up, and still sees the lag when the driver's metrics are gone.
		Seconds: 300,
		// A minute of the deployed scenario's input (capacity: 1.2 billion records an hour).
		Records: 20e6,
	},
	Members: false,
}

// Default is the levels of a group nobody declares: a quarter of an hour behind, or a
// million records.
var Default = consumergroup.Levels{Seconds: 900, Records: 1e6}

// Declared is what the rules and dashboards render: finobs's groups and the default. gen
// -config renders a deployment's set (these, with its finobs.yaml's groups) in its place.
var Declared = consumergroup.Set{Groups: []consumergroup.Group{Stream}, Default: Default}
