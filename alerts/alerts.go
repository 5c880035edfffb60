// Package alerts declares every recording rule, alert (with its runbook and promtool tests)
// and the Alertmanager routing tree of finobs: one file per component group, read like a
// monitoring mixin. cmd/gen renders them under deploy/.
package alerts

import (
	"fmt"
	"strings"
	"time"

	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/rules"
	"github.com/finobs/finobs/internal/topology"
)

// RunbookBase is where the generated runbook pages (deploy/runbooks) are served from.
const RunbookBase = "https://github.com/finobs/finobs/blob/main/deploy/runbooks/"

// GrafanaURL is where users reach Grafana; dashboard_url annotations start with it.
const GrafanaURL = "http://localhost:3000"

// RunbookURL is the runbook_url of an alert.
func RunbookURL(alert string) string { return RunbookBase + alert + ".md" }

// Groups lists every rule group, in file order.
func Groups() []rules.Group {
	return []rules.Group{KafkaCluster, KafkaBroker, KafkaHost, Streaming, Producer, Monitoring}
}

// Prometheus job selectors: a combined KRaft node is both a broker and a controller.
var (
	brokerJobs     = topology.JobMatcher(topology.BrokerRoles...)
	controllerJobs = topology.JobMatcher(topology.ControllerRoles...)
	kafkaJobs      = topology.JobMatcher(topology.KafkaRoles...)
)

// TransactionsTopic is the topic the producer writes and the streaming job reads.
const TransactionsTopic = "financial_transactions"

// q formats a PromQL expression; metrics go in through %s as catalog identifiers.
func q(format string, args ...any) string { return strings.TrimSpace(fmt.Sprintf(format, args...)) }

// in builds a promtool input series of a catalog metric.
func in(m *catalog.Metric, labels, values string) rules.Series {
	return rules.S(m.Name+"{"+labels+"}", values)
}

// inSeries builds an input series of one of a histogram's or summary's series.
func inSeries(m *catalog.Metric, suffix, labels, values string) rules.Series {
	return rules.S(m.Name+suffix+"{"+labels+"}", values)
}

const minute = time.Minute
