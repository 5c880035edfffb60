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
	return []rules.Group{KafkaCluster, KafkaBroker, KafkaHost, ConsumerGroups(),
		Streaming, StreamLag, SparkCluster, Producer, Monitoring, Elasticsearch, Registry,
		FreshnessSLO, CompletenessSLO}
}

const minute = time.Minute

// resumes is what a restart of the stream job promises, exactly: the runbooks that restart it
// say it (pipeline/stream's TestJobCorrectness checks it across restarts and a broker outage).
const resumes = "it resumes from its checkpoint and loses nothing it read. A batch replayed after the restart writes the same window totals again " +
	"(keep the latest per merchant and window: no total goes down), and its anomalies and dead letters again under the same keys " +
	"(transaction id; input topic/partition/offset) in compacted topics: count the latest per key, and compaction drops the copies."
