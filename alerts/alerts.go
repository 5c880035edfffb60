// Package alerts declares every recording rule, alert (with its runbook and promtool tests)
// and the Alertmanager routing tree of finobs: one file per component group, read like a
// monitoring mixin. An alert fires on a level of a signal (package signals) and links to
// the panel (package dashboards) that shows that signal and level. cmd/gen renders them
// under deploy/.
package alerts

import (
	"time"

	"github.com/finobs/finobs/pkg/rules"
)

// Groups lists every rule group, in file order.
func Groups() []rules.Group {
	return []rules.Group{KafkaCluster, KafkaBroker, KafkaHost,
		Streaming, StreamLag, SparkCluster, Producer, Monitoring, Elasticsearch, Registry,
		FreshnessSLO, CompletenessSLO}
}

const minute = time.Minute
