package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/signals"
)

// Panels of the schema registry that alerts link to.
var (
	RegistryUpPanel = grafana.Stat("Schema registry up",
		"1 when Prometheus scrapes the registry. A producer starting while it is 0 refuses to start: it cannot register or check its schema.",
		signals.RegistryUp.Min().Legend("up"))
	RegistryErrorsPanel = grafana.TimeSeries("Registry requests by status",
		"REST calls per second the registry answered, by status group. 5xx is the registry failing (RegistryRequestErrors); 404 and 409 (4xx) are answers: a subject not registered yet, a schema its compatibility rule refuses.",
		signals.RegistryServerErrors.Show().Legend("{{instance}} 5xx"),
		signals.RegistryRequestRate.Show().Legend("{{status_code_group}}"))
)

// registryRow is the schema registry's row on the pipeline board: the schema every record
// is written with lives there.
var registryRow = grafana.Row{Title: "Schema registry", Panels: []*grafana.Panel{
	RegistryUpPanel.Span(4),
	RegistryErrorsPanel.Span(10),
	grafana.TimeSeries("Registry p99 request time", "99th percentile of the registry's REST calls.",
		signals.RegistryLatencyP99.Total().Legend("p99")).Span(5),
	grafana.TimeSeries("Registry storage failures", "Storage calls per second that threw.",
		signals.RegistryStorageFailures.Total().Legend("failed")).Span(5),
}}
