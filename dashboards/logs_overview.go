//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

// Log document fields (set by the log pipelines).
const (
	byComponent = "component"
	byLevel     = "log.level"
	errorLevels = "log.level:(ERROR OR FATAL)"
	onComponent = "component:$component"
)

func logsOverview() *dashboard.DashboardBuilder {
	return g.NewLogsDashboard(UID(LogsOverview), "Logs overview",
		"Logs of every component, from Elasticsearch: volume by component and level, and the latest errors.",
		g.ComponentVar(topology.KafkaBroker, topology.KafkaController, topology.KafkaCombined, topology.SparkConnect,
			topology.Producer, topology.StreamDriver, topology.Prometheus, topology.Alertmanager)).
		WithRow(g.Row("Volume")).
		WithPanel(g.LogCounts("Log rate by component",
			"Log lines per interval, by component.",
			g.ES(onComponent, byComponent))).
		WithPanel(g.LogCounts("Log rate by level",
			"Log lines per interval, by level.",
			g.ES(onComponent, byLevel))).
		WithRow(g.Row("Errors")).
		WithPanel(g.LogCounts("Errors by component",
			"ERROR and FATAL lines per interval, by component.",
			g.ES(onComponent+" AND "+errorLevels, byComponent)).Span(24)).
		WithPanel(g.LogLines("Latest errors",
			"The newest ERROR and FATAL lines of the chosen components.",
			g.ESLogs(onComponent+" AND "+errorLevels)))
}
