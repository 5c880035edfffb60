// Package grafana holds the building blocks the dashboards are declared with (datasource and
// template variables, panels, queries on top of grafana-foundation-sdk), the finishing pass
// that numbers panels and queries, the dashboard lint, and the provisioning files.
//
// Every dashboard uses one datasource, chosen by the `datasource` template variable: no uid
// of a provisioned datasource appears in a dashboard.
package grafana

import (
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/elasticsearch"
	"github.com/grafana/grafana-foundation-sdk/go/logs"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/stack"
)

// Datasource kinds (Grafana plugin ids).
const (
	KindPrometheus    = "prometheus"
	KindElasticsearch = "elasticsearch"
)

// DatasourceVar is the name of the datasource template variable of every dashboard.
const DatasourceVar = "datasource"

// UIDPrefix starts every dashboard uid.
const UIDPrefix = "finobs-"

func ptr[T any](v T) *T { return &v }

// DS is the reference to the templated datasource of a kind.
func DS(kind string) common.DataSourceRef {
	return common.DataSourceRef{Type: ptr(kind), Uid: ptr("${" + DatasourceVar + "}")}
}

// NewDashboard starts a Prometheus dashboard: read-only, UTC, last hour, with the
// datasource, cluster, job and instance variables (jobs limits the job variable's choices)
// and any further variables.
func NewDashboard(uid, title, description string, jobs []stack.Component, vars ...cog.Builder[dashboard.VariableModel]) *dashboard.DashboardBuilder {
	b := base(uid, title, description).
		WithVariable(datasourceVar(KindPrometheus)).
		WithVariable(ClusterVar()).
		WithVariable(JobVar(jobs...)).
		WithVariable(InstanceVar(jobs...))
	for _, v := range vars {
		b.WithVariable(v)
	}
	return b
}

// NewLogsDashboard starts an Elasticsearch dashboard, with the datasource variable and
// further variables.
func NewLogsDashboard(uid, title, description string, vars ...cog.Builder[dashboard.VariableModel]) *dashboard.DashboardBuilder {
	b := base(uid, title, description).WithVariable(datasourceVar(KindElasticsearch))
	for _, v := range vars {
		b.WithVariable(v)
	}
	return b
}

func base(uid, title, description string) *dashboard.DashboardBuilder {
	return dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags([]string{"finobs", "generated"}).
		Readonly().
		Timezone("utc").
		Time("now-1h", "now").
		Refresh("30s").
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		// Every finobs dashboard one click away, keeping the time range.
		Link(dashboard.NewDashboardLinkBuilder("finobs dashboards").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"finobs"}).
			AsDropdown(true).
			KeepTime(true).
			IncludeVars(false))
}

func datasourceVar(kind string) *dashboard.DatasourceVariableBuilder {
	return dashboard.NewDatasourceVariableBuilder(DatasourceVar).
		Label("Data Source").
		Type(kind)
}

// ClusterVar is the cluster variable: the values of the cluster label (promql.ClusterLabel)
// on up, which every target has. Every panel query matches it (the panel form of promql).
func ClusterVar() *dashboard.QueryVariableBuilder {
	return LabelVar(promql.ClusterVar, promql.ClusterLabel, "up")
}

// clusterMatcher narrows a variable's series to the chosen clusters.
func clusterMatcher() string { return promql.ClusterLabel + `=~"$` + promql.ClusterVar + `"` }

// JobVar is the job variable: the jobs (topology components) a dashboard is about, as
// found by Prometheus in the chosen clusters. Multi-select, with "All" as `.+`.
func JobVar(jobs ...stack.Component) *dashboard.QueryVariableBuilder {
	return LabelVar("job", "job", "up"+jobMatcher(jobs, clusterMatcher()))
}

// InstanceVar is the instance variable, narrowed by the chosen clusters and jobs (and,
// since "All" is `.+`, by the dashboard's jobs).
func InstanceVar(jobs ...stack.Component) *dashboard.QueryVariableBuilder {
	return LabelVar("instance", "instance", "up"+jobMatcher(jobs, clusterMatcher(), `job=~"$job"`))
}

func jobMatcher(jobs []stack.Component, first ...string) string {
	ms := append([]string{}, first...)
	if len(jobs) > 0 {
		// The deployment's job names (promql.Components); every job when one of the
		// components is found by other matchers.
		if names, ok := promql.JobNames(jobs...); ok && len(names) > 0 {
			ms = append(ms, fmt.Sprintf(`job=~"%s"`, strings.Join(names, "|")))
		}
	}
	if len(ms) == 0 {
		return ""
	}
	return "{" + strings.Join(ms, ",") + "}"
}

// LabelVar is a multi-select query variable over the values of label in the series
// matched by selector; "All" is `.+`, refreshed when the time range changes.
func LabelVar(name, label, selector string) *dashboard.QueryVariableBuilder {
	q := fmt.Sprintf("label_values(%s, %s)", selector, label)
	return dashboard.NewQueryVariableBuilder(name).
		Label(name).
		Datasource(DS(KindPrometheus)).
		Query(dashboard.StringOrMap{String: ptr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".+").
		Current(dashboard.VariableOption{
			Selected: ptr(true),
			Text:     dashboard.StringOrArrayOfString{String: ptr("All")},
			Value:    dashboard.StringOrArrayOfString{String: ptr("$__all")},
		})
}

func rowBuilder(title string) *dashboard.RowBuilder { return dashboard.NewRowBuilder(title) }

// ES is an Elasticsearch query over the log index: Lucene query, counted per
// date-histogram bucket and split by the terms of field (none when field is empty).
func ES(query, splitBy string) *elasticsearch.DataqueryBuilder {
	buckets := []elasticsearch.BucketAggregation{}
	if splitBy != "" {
		buckets = append(buckets, elasticsearch.BucketAggregation{Terms: &elasticsearch.Terms{
			Type: elasticsearch.BucketAggregationTypeTerms, Id: "2", Field: ptr(splitBy),
			Settings: &elasticsearch.ElasticsearchTermsSettings{Size: ptr("10"), MinDocCount: ptr("1"), Order: ptr(elasticsearch.TermsOrderDesc), OrderBy: ptr("_count")},
		}})
	}
	buckets = append(buckets, elasticsearch.BucketAggregation{DateHistogram: &elasticsearch.DateHistogram{
		Type: elasticsearch.BucketAggregationTypeDateHistogram, Id: "3", Field: ptr(LogTimeField),
		Settings: &elasticsearch.ElasticsearchDateHistogramSettings{Interval: ptr("auto"), MinDocCount: ptr("0")},
	}})
	b := elasticsearch.NewDataqueryBuilder().
		Datasource(DS(KindElasticsearch)).
		Query(query).
		TimeField(LogTimeField).
		BucketAggs(buckets).
		Metrics([]elasticsearch.MetricAggregation{{Count: &elasticsearch.Count{Type: elasticsearch.MetricAggregationTypeCount, Id: "1"}}})
	if splitBy != "" {
		b.Alias("{{term " + splitBy + "}}")
	}
	return b
}

// ESLogs is an Elasticsearch query returning raw log lines, newest first.
func ESLogs(query string) *elasticsearch.DataqueryBuilder {
	return elasticsearch.NewDataqueryBuilder().
		Datasource(DS(KindElasticsearch)).
		Query(query).
		TimeField(LogTimeField).
		Metrics([]elasticsearch.MetricAggregation{{Logs: &elasticsearch.Logs{Type: elasticsearch.MetricAggregationTypeLogs, Id: "1",
			Settings: &elasticsearch.ElasticsearchLogsSettings{Limit: ptr("100")}}}})
}

// LogTimeField is the event time of indexed log documents.
const LogTimeField = "@timestamp"

// LogCounts is a graph of log document counts, a half of the width.
func LogCounts(title, description string, targets ...*elasticsearch.DataqueryBuilder) *Panel {
	p := &Panel{Title: title, Description: description, kind: kindCustom, span: 12, height: 8}
	p.custom = func() cog.Builder[dashboard.Panel] {
		return logCounts(title, description, targets...).Span(p.span).Height(p.height)
	}
	return p
}

func logCounts(title, description string, targets ...*elasticsearch.DataqueryBuilder) *timeseries.PanelBuilder {
	b := timeseries.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit("short").
		Datasource(DS(KindElasticsearch)).
		Span(12).Height(8).
		DrawStyle(common.GraphDrawStyleBars).FillOpacity(60).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal)).
		Legend(common.NewVizLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom))
	for _, t := range targets {
		b.WithTarget(t)
	}
	return b
}

// LogLines is a logs panel, full width.
func LogLines(title, description string, target *elasticsearch.DataqueryBuilder) *Panel {
	p := &Panel{Title: title, Description: description, kind: kindCustom, span: 24, height: 12}
	p.custom = func() cog.Builder[dashboard.Panel] {
		return logLines(title, description, target).Span(p.span).Height(p.height)
	}
	return p
}

func logLines(title, description string, target *elasticsearch.DataqueryBuilder) *logs.PanelBuilder {
	return logs.NewPanelBuilder().
		Title(title).
		Description(description).
		Unit("none").
		Datasource(DS(KindElasticsearch)).
		Span(24).Height(12).
		ShowTime(true).
		WrapLogMessage(true).
		EnableLogDetails(true).
		SortOrder(common.LogsSortOrderDescending).
		WithTarget(target)
}

// ComponentVar is a multi-select custom variable over topology components, for log
// queries (Elasticsearch has no label_values); "All" matches any component.
func ComponentVar(components ...stack.Component) *dashboard.CustomVariableBuilder {
	names := make([]string, len(components))
	opts := make([]dashboard.VariableOption, len(components))
	for i, c := range components {
		names[i] = string(c)
		opts[i] = dashboard.VariableOption{Text: dashboard.StringOrArrayOfString{String: ptr(names[i])}, Value: dashboard.StringOrArrayOfString{String: ptr(names[i])}}
	}
	values := strings.Join(names, ",")
	return dashboard.NewCustomVariableBuilder("component").
		Label("component").
		Values(dashboard.StringOrMap{String: ptr(values)}).
		Options(opts).
		Multi(true).
		IncludeAll(true).
		AllValue("*").
		Current(dashboard.VariableOption{
			Selected: ptr(true),
			Text:     dashboard.StringOrArrayOfString{String: ptr("All")},
			Value:    dashboard.StringOrArrayOfString{String: ptr("$__all")},
		})
}
