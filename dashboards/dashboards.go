// Package dashboards declares the Grafana dashboards of finobs, one file each, and renders
// them with their provisioning files under deploy/grafana/.
//
// Queries name metrics through catalog identifiers, so a dashboard that shows a metric
// nobody declares does not compile; Lint enforces the rest of the conventions.
package dashboards

import (
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/promconfig"
	"github.com/finobs/finobs/internal/render"
	"github.com/finobs/finobs/internal/topology"
)

// Dashboard names; the uid is "finobs-" + name (grafana.UIDPrefix).
const (
	KafkaCluster   = "kafka-cluster"
	KafkaBroker    = "kafka-broker"
	KRaftQuorum    = "kraft-quorum"
	SparkStream    = "spark-streaming"
	Producer       = "producer"
	Pipeline       = "pipeline"
	AlertsOverview = "alerts-overview"
	LogsOverview   = "logs-overview"
)

// Grafana folders.
const (
	folderKafka    = "Kafka"
	folderPipeline = "Pipeline"
	folderOps      = "Operations"
)

// boards is every dashboard, in the order they are listed and previewed.
var boards = []grafana.Board{
	{Name: KafkaCluster, Folder: folderKafka, Build: kafkaCluster},
	{Name: KafkaBroker, Folder: folderKafka, Build: kafkaBroker},
	{Name: KRaftQuorum, Folder: folderKafka, Build: kraftQuorum},
	{Name: SparkStream, Folder: folderPipeline, Build: sparkStreaming},
	{Name: Producer, Folder: folderPipeline, Build: producer},
	{Name: Pipeline, Folder: folderPipeline, Build: pipeline},
	{Name: AlertsOverview, Folder: folderOps, Build: alertsOverview},
	{Name: LogsOverview, Folder: folderOps, Build: logsOverview},
}

// exclusions waive lint rules where a query cannot follow them, each with its reason.
var exclusions = alertPanelExclusions()

// ALERTS carries the labels of each alert's expression, which often keep no job or
// instance: filtering on them would hide exactly the cluster-wide alerts.
func alertPanelExclusions() []grafana.Exclusion {
	var out []grafana.Exclusion
	for _, p := range []string{"Critical alerts firing", "Warnings firing", "Firing alerts by severity", "Firing alerts by component", "Firing alerts"} {
		for _, rule := range []string{"target-job", "target-instance"} {
			out = append(out, grafana.Exclusion{Dashboard: UID(AlertsOverview), Panel: p, Rule: rule,
				Reason: "ALERTS series carry the alert's labels, not the scrape job's"})
		}
	}
	return out
}

// LogIndex is the index pattern the log pipeline writes to.
const LogIndex = "finobs-logs-*"

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

// Render renders every dashboard's JSON and the provisioning files, or nothing: a
// dashboard that does not build or breaks a lint rule fails the whole render.
func Render() ([]render.File, error) {
	if errs := Lint(); len(errs) > 0 {
		return nil, fmt.Errorf("dashboards: %w", errors.Join(errs...))
	}
	ds, err := All()
	if err != nil {
		return nil, err
	}
	var files []render.File
	var folders []string
	seen := map[string]bool{}
	for _, d := range ds {
		data, err := grafana.JSON(d.Dashboard)
		if err != nil {
			return nil, err
		}
		files = append(files, render.File{Path: grafana.DashboardPath(d), Data: data})
		if !seen[d.Folder] {
			seen[d.Folder] = true
			folders = append(folders, d.Folder)
		}
	}
	stack := topology.Compose()
	files = append(files, grafana.Provisioning(grafana.Datasources{
		PrometheusURL:  "http://" + stack.One(topology.Prometheus).Addr(topology.PortMetrics),
		ScrapeInterval: ScrapeInterval,
		ElasticURL:     "http://" + stack.One(topology.Elasticsearch).Addr(topology.PortHTTP),
		LogIndex:       LogIndex,
	}, folders)...)
	return files, nil
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

// URL is the Grafana path (below its root URL) of a dashboard, and of one of its panels
// when panelTitle is not empty: what an alert's dashboard_url annotation points at.
func URL(name, panelTitle string) (string, error) {
	for _, b := range boards {
		if b.Name != name {
			continue
		}
		d, err := grafana.Build(b)
		if err != nil {
			return "", err
		}
		if panelTitle == "" {
			return grafana.DashboardURL(d.Dashboard), nil
		}
		return grafana.PanelURL(d.Dashboard, panelTitle)
	}
	return "", fmt.Errorf("dashboards: no dashboard %q", name)
}

// URLFor is the path of the first panel (in dashboard order) that charts metric m: where
// an alert on m should send whoever it pages. Panels are matched on the metric's series
// names in their queries.
func URLFor(m *catalog.Metric) (string, error) {
	return urlFor(m.Series(), m.Name)
}

// URLForExpr is URLFor of the first metric of a PromQL expression (an alert's expr) that
// a panel charts.
func URLForExpr(expr string) (string, error) {
	names, err := grafana.MetricNames(expr)
	if err != nil {
		return "", err
	}
	var series []string
	for _, n := range names {
		series = append(series, n)
		// A recording rule level:metric:operations stands for its metric.
		if parts := strings.Split(n, ":"); len(parts) == 3 {
			m := parts[1]
			series = append(series, m, m+"_bucket", m+"_count", m+"_sum")
		}
	}
	return urlFor(series, expr)
}

func urlFor(series []string, what string) (string, error) {
	ds, err := All()
	if err != nil {
		return "", err
	}
	for _, s := range series {
		for _, d := range ds {
			for _, q := range grafana.Queries(d.Dashboard) {
				if q.Kind == grafana.KindPrometheus && grafana.NamesMetric(q.Expr, s) {
					return grafana.PanelURL(d.Dashboard, q.Panel)
				}
			}
		}
	}
	return "", fmt.Errorf("dashboards: no panel charts %s", what)
}
