package dashboards

import (
	"slices"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/pipelines"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
)

// Log document fields (set by the log pipelines) and Lucene queries over them.
const (
	byComponent       = "component"
	byLevel           = "log.level"
	onComponent       = "component:$component"
	errorsOfComponent = onComponent + " AND log.level:(ERROR OR FATAL)"
)

// logComponents are the components whose logs the pipelines ship, in pipeline order.
func logComponents() []stack.Component {
	var out []stack.Component
	for _, p := range pipelines.Pipelines() {
		for _, c := range p.Components {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

var logsOverview = grafana.Board{
	Name: LogsOverview, Folder: folderOps, Title: "Logs overview", Logs: true,
	Description: "Logs of every component, from Elasticsearch: volume by component and level, and the latest errors.",
	Vars: []func() cog.Builder[dashboard.VariableModel]{
		func() cog.Builder[dashboard.VariableModel] { return grafana.ComponentVar(logComponents()...) },
	},
	Rows: []grafana.Row{
		{Title: "Volume", Panels: []*grafana.Panel{
			grafana.LogCounts("Log rate by component", "Log lines per interval, by component.",
				grafana.ES(onComponent, byComponent)),
			grafana.LogCounts("Log rate by level", "Log lines per interval, by level.",
				grafana.ES(onComponent, byLevel)),
		}},
		{Title: "Errors", Panels: []*grafana.Panel{
			grafana.LogCounts("Errors by component", "ERROR and FATAL lines per interval, by component.",
				grafana.ES(errorsOfComponent, byComponent)).Span(24),
			grafana.LogLines("Latest errors", "The newest ERROR and FATAL lines of the chosen components.",
				grafana.ESLogs(errorsOfComponent)),
		}},
	},
}
