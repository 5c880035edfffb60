// Package alerts declares every recording rule, alert (with its runbook and promtool tests)
// and the Alertmanager routing tree of finobs: one file per component group, read like a
// monitoring mixin. An alert fires on a level of a signal (package signals) and links to
// the panel (package dashboards) that shows that signal and level. cmd/gen renders them
// under deploy/.
package alerts

import (
	"time"

	"github.com/finobs/finobs/internal/rules"
)

// RunbookBase is where the generated runbook pages (deploy/runbooks) are served from.
const RunbookBase = "https://github.com/finobs/finobs/blob/main/deploy/runbooks/"

// GrafanaURL is where users reach Grafana; dashboard_url annotations start with it.
const GrafanaURL = "http://localhost:3000"

// RunbookURL is the runbook_url of an alert.
func RunbookURL(alert string) string { return RunbookBase + alert + ".md" }

// Groups lists every rule group, in file order.
func Groups() []rules.Group {
	return []rules.Group{KafkaCluster, KafkaBroker, KafkaHost,
		Streaming, SparkCluster, Producer, Monitoring, Elasticsearch, Registry}
}

const minute = time.Minute
