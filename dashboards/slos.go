package dashboards

import (
	"fmt"

	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/slo"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// SLOs is the dashboard of the pipeline's service level objectives and of the streaming
// query's lag.
const SLOs = "slos"

// SLOPanels are the panels of one SLO: its state and one burn-rate panel per burn, which the
// burn's alert links to.
type SLOPanels struct {
	Objective, Attained, BudgetLeft *grafana.Panel
	Burns                           map[string]*grafana.Panel // by slo.Burn.Name
}

// Burn is the panel of burn b.
func (p SLOPanels) Burn(b slo.Burn) *grafana.Panel { return p.Burns[b.Name] }

func sloPanels(name string, ss *slo.Signals) SLOPanels {
	s := ss.SLO
	p := SLOPanels{
		Objective:  grafana.Stat(name+": objective", s.Description, ss.Objective.Total().Legend("objective")).Span(8),
		Attained:   grafana.Stat(name+": attained", ss.Attained.Description, ss.Attained.Total().Legend("attained")).Span(8),
		BudgetLeft: grafana.Stat(name+": error budget left", ss.BudgetLeft.Description, ss.BudgetLeft.Total().Legend("budget left")).Span(8),
		Burns:      map[string]*grafana.Panel{},
	}
	for _, b := range ss.Burns {
		p.Burns[b.Burn.Name] = grafana.TimeSeries(
			fmt.Sprintf("%s: burn rate %s and %s", name, model.Duration(b.Burn.Long), model.Duration(b.Burn.Short)),
			fmt.Sprintf("How many times faster than the period allows the error budget burns, over %s and %s; the alert (%s) fires above %g on both.",
				model.Duration(b.Burn.Long), model.Duration(b.Burn.Short), b.Burn.Severity, b.Burn.Factor),
			b.Long.Total().Legend(model.Duration(b.Burn.Long).String()),
			b.Short.Total().Legend(model.Duration(b.Burn.Short).String())).Span(8)
	}
	return p
}

// The panels of each SLO.
var (
	FreshnessSLOPanels    = sloPanels("Freshness", signals.Freshness)
	CompletenessSLOPanels = sloPanels("Completeness", signals.Completeness)
)

// Lag panels; the lag alerts link to them.
var (
	StreamLagTrendPanel = grafana.TimeSeries("Lag trend",
		"The backlog's 30-minute trend, records per second it grows by (negative: shrinks): the backlog alert pages on the trend, not on the size.",
		signals.StreamLagTrend.Show().Legend("{{query}}")).Span(8)
	StreamLagRecordsPanel = grafana.TimeSeries("Lag in records", "Records in the input topic the query has not read yet, by query.",
		signals.StreamLagRecords.Show().Legend("{{query}}")).Span(8)
	StreamLagTimePanel = grafana.TimeSeries("Lag in time",
		"Wall clock minus the produce time of the newest transaction the aggregates count, by query.",
		signals.StreamLagTime.Show().Legend("{{query}}")).Span(8)
	StreamFreshnessPanel = grafana.TimeSeries("Freshness p50 and p99",
		"Batch end minus the produce time of each batch's oldest and newest counted transaction: the freshness SLO's SLI (oldest) and the freshness bench-freshness measures per aggregate (newest).",
		signals.StreamFreshnessP99.Show().Legend("p99 {{transaction}}"),
		signals.StreamFreshnessP50.Show().Legend("p50 {{transaction}}")).Span(24)
)

var slosBoard = grafana.Board{
	Name: SLOs, Folder: folderPipeline, Title: "SLOs and lag",
	Description: "The pipeline's service level objectives (objective, attainment, error budget left and burn rates per alert window, as the SRE workbook's multi-window, multi-burn-rate alerts read them) and the streaming query's lag in records and in time.",
	Jobs:        []stack.Component{stack.Producer, stack.StreamDriver},
	Rows: []grafana.Row{
		sloRow(signals.Freshness, FreshnessSLOPanels),
		sloRow(signals.Completeness, CompletenessSLOPanels),
		{Title: "Lag", Panels: []*grafana.Panel{StreamLagRecordsPanel, StreamLagTrendPanel, StreamLagTimePanel, StreamFreshnessPanel}},
	},
}

func sloRow(ss *slo.Signals, p SLOPanels) grafana.Row {
	panels := []*grafana.Panel{p.Objective, p.Attained, p.BudgetLeft}
	for _, b := range slo.Burns {
		panels = append(panels, p.Burn(b))
	}
	return grafana.Row{Title: ss.SLO.Title, Panels: panels}
}

// sloExclusions waive the rate-interval rule on the SLO panels: a burn rate or a budget is
// the error ratio over its own window (signal.FixedWindow), as the alerts read it.
func sloExclusions() []grafana.Exclusion {
	var out []grafana.Exclusion
	for _, p := range []SLOPanels{FreshnessSLOPanels, CompletenessSLOPanels} {
		ps := []*grafana.Panel{p.Attained, p.BudgetLeft}
		for _, b := range slo.Burns {
			ps = append(ps, p.Burn(b))
		}
		for _, panel := range ps {
			out = append(out, grafana.Exclusion{Dashboard: UID(SLOs), Panel: panel.Title, Rule: "target-rate-interval",
				Reason: "an SLO's ratio is taken over its alert window or its period (signal.FixedWindow): over $__rate_interval the burn rate means nothing"})
		}
	}
	return out
}
