// Package signals declares the signals of finobs, one file per component: each is a named
// expression over catalog metrics with its unit, its grouping and its levels. Alerts in
// package alerts fire on these levels and the dashboards show these signals, so a
// threshold is written once and an alert cannot disagree with the panel it links to.
package signals

import (
	"time"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// The window rate-like functions of a signal take in rules, unless the signal or a level
// says otherwise; panels use $__rate_interval.
const window = promql.Window

const minute = time.Minute

// Job scopes of Kafka selectors: a combined KRaft node is both a broker and a controller.
var (
	brokerJobs     = promql.Jobs(stack.BrokerRoles...)
	controllerJobs = promql.Jobs(stack.ControllerRoles...)
	kafkaJobs      = promql.Jobs(stack.KafkaRoles...)
)

// scraped is a process's own scrape, 1 when Prometheus' last scrape of it succeeded and 0
// when it failed: the one signal of a process that is down, its others vanish with it.
func scraped(name, what string, jobs promql.Matcher) *signal.Signal {
	return &signal.Signal{
		Name:        name,
		Description: "1 when Prometheus' last scrape of " + what + " succeeded, 0 when it failed.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Select(catalog.Up, jobs),
	}
}
