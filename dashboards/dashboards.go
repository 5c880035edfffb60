// Package dashboards declares the Grafana dashboards of finobs, one file each, and renders
// them with their provisioning files under deploy/grafana/.
//
// Panels are values: boards list them and alerts point to them. A panel shows signals of
// package signals, those no alert fires on too, whose expressions name metrics through
// catalog identifiers, so a dashboard that shows a metric nobody declares does not compile;
// Lint enforces the rest of the conventions.
package dashboards

import (
	"fmt"

	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/internal/promconfig"
	"github.com/finobs/finobs/pipelines"
	"github.com/finobs/finobs/pkg/grafana"
)

// Dashboard names; the uid is "finobs-" + name (grafana.UIDPrefix).
const (
	KafkaCluster   = "kafka-cluster"
	KafkaBroker    = "kafka-broker"
	KRaftQuorum    = "kraft-quorum"
	ConsumerGroups = "consumer-groups"
	SparkStream    = "spark-streaming"
	Producer       = "producer"
	Pipeline       = "pipeline"
	AlertsOverview = "alerts-overview"
	LogsOverview   = "logs-overview"
	LogsPipeline   = "logs-pipeline"
)

// Grafana folders.
const (
	folderKafka    = "Kafka"
	folderPipeline = "Pipeline"
	folderOps      = "Operations"
)

// boards is every dashboard, in the order they are listed and previewed.
var boards = []grafana.Board{
	kafkaCluster, kafkaBroker, kraftQuorum, consumerGroups,
	sparkStreaming, producer, pipeline,
	alertsOverview, slosBoard,
	logsOverview, logsPipeline,
}

// exclusions waive lint rules where a query cannot follow them, each with its reason.
var exclusions = append(alertPanelExclusions(), sloExclusions()...)

// ALERTS carries the labels of each alert's expression, which often keep no job or
// instance: filtering on them would hide exactly the cluster-wide alerts.
func alertPanelExclusions() []grafana.Exclusion {
	out := []grafana.Exclusion{
		{Dashboard: UID(AlertsOverview), Panel: ScrapeTargets.Title, Rule: "target-job-scope",
			Reason: "the panel is about every target Prometheus scrapes: All (.+) is what it means"},
		{Dashboard: UID(KafkaBroker), Panel: ISRChangesPanel.Title, Rule: "target-rate-interval",
			Reason: "ISR changes are counted over the alert's fixed 15 minutes (signal.FixedWindow): over another window the dashed level means nothing"},
		{Dashboard: UID(SparkStream), Panel: StreamRestartsPanel.Title, Rule: "target-rate-interval",
			Reason: "restarts are counted over the crash-loop alert's fixed 15 minutes (signal.FixedWindow): over another window the red level means nothing"},
		{Dashboard: UID(SparkStream), Panel: StreamFailuresPanel.Title, Rule: "target-counter-agg",
			Reason: "failures are the driver's own count, at its highest in 15 minutes, as StreamDataLoss reads it: a driver that fails at its first batch and exits is scraped only once it counted, so increase() would show nothing"},
	}
	for _, p := range []string{"Critical alerts firing", "Warnings firing", "Firing alerts by severity", "Firing alerts by component", "Firing alerts"} {
		for _, rule := range []string{"target-job", "target-instance"} {
			out = append(out, grafana.Exclusion{Dashboard: UID(AlertsOverview), Panel: p, Rule: rule,
				Reason: "ALERTS series carry the alert's labels, not the scrape job's"})
		}
	}
	return out
}

// Boards is every dashboard declared, in order.
func Boards() []grafana.Board { return boards }

// LogIndex is the index pattern the log pipelines write to, as they declare it.
const LogIndex = pipelines.IndexPattern

// UID is the uid of the dashboard with the given name.
func UID(name string) string { return grafana.UIDPrefix + name }

// All builds every dashboard; the error names the dashboard that does not build.
func All() ([]grafana.Dashboard, error) {
	out := make([]grafana.Dashboard, 0, len(boards))
	for _, b := range boards {
		d, err := grafana.Build(b)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Lint checks every dashboard against the conventions (see grafana.Rules).
func Lint() []error {
	cat, err := catalog.Default()
	if err != nil {
		return []error{err}
	}
	ds, err := All()
	if err != nil {
		return []error{err}
	}
	var errs []error
	titles := map[string]string{}
	for _, d := range ds {
		errs = append(errs, grafana.Lint(d, cat, exclusions)...)
		title := ""
		if d.Title != nil {
			title = *d.Title
		}
		if other, dup := titles[title]; dup {
			errs = append(errs, fmt.Errorf("dashboards %s and %s: same title %q", other, d.UID(), title))
		}
		titles[title] = d.UID()
	}
	return errs
}

// ScrapeInterval is Prometheus' scrape interval, which Grafana needs to size $__rate_interval.
var ScrapeInterval = model.Duration(promconfig.ScrapeInterval).String()

// Query is one panel query.
type Query = grafana.Query

// Queries lists every panel query of every dashboard, for the lint and the live check.
func Queries() ([]Query, error) {
	ds, err := All()
	if err != nil {
		return nil, err
	}
	var out []Query
	for _, d := range ds {
		out = append(out, grafana.Queries(d.Dashboard)...)
	}
	return out, nil
}

// BoardOf is the name of the board that lists panel p.
func BoardOf(p *grafana.Panel) (string, bool) {
	for _, b := range boards {
		if b.Holds(p) {
			return b.Name, true
		}
	}
	return "", false
}
