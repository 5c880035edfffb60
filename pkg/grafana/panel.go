package grafana

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// Panel is a declared panel: a value that boards list and alerts point to. It shows
// signals; the first one is what it is about, and its levels colour the panel (threshold
// steps of a stat, threshold lines of a graph).
type Panel struct {
	Title, Description string

	kind    panelKind
	views   []signal.View
	unit    string
	span    uint32
	height  uint32
	min     *float64
	max     *float64
	noLevel bool
	custom  func() cog.Builder[dashboard.Panel]
}

type panelKind int

const (
	kindStat panelKind = iota
	kindTimeSeries
	kindTable
	kindCustom
)

// Stat is a panel of single values, a sixth of the width: the current value of each
// series, from an instant query, so a target that is gone shows no data rather than the
// last value it left.
func Stat(title, description string, views ...signal.View) *Panel {
	return &Panel{Title: title, Description: description, kind: kindStat, views: views, span: 4, height: 4}
}

// TimeSeries is a graph, a third of the width.
func TimeSeries(title, description string, views ...signal.View) *Panel {
	return &Panel{Title: title, Description: description, kind: kindTimeSeries, views: views, span: 8, height: 8}
}

// Table lists the rows of instant queries, half the width.
func Table(title, description string, views ...signal.View) *Panel {
	return &Panel{Title: title, Description: description, kind: kindTable, views: views, span: 12, height: 8}
}

// Custom is a panel built by its own builder (log panels), for what shows no signal.
func Custom(title string, build func() cog.Builder[dashboard.Panel]) *Panel {
	return &Panel{Title: title, kind: kindCustom, custom: build}
}

// Span sets the width in grid columns (of 24).
func (p *Panel) Span(w uint32) *Panel { p.span = w; return p }

// Height sets the height in grid units.
func (p *Panel) Height(h uint32) *Panel { p.height = h; return p }

// Min fixes the axis minimum.
func (p *Panel) Min(v float64) *Panel { p.min = &v; return p }

// Max fixes the axis maximum.
func (p *Panel) Max(v float64) *Panel { p.max = &v; return p }

// Unit overrides the unit of the first signal.
func (p *Panel) Unit(u signal.Unit) *Panel { p.unit = string(u); return p }

// Views lists what the panel shows, first the signal it is about.
func (p *Panel) Views() []signal.View { return p.views }

// Primary is the signal the panel is about, or nil.
func (p *Panel) Primary() *signal.Signal {
	if len(p.views) == 0 {
		return nil
	}
	return p.views[0].Signal
}

// Steps are the threshold steps of the panel: the levels of its primary signal.
func (p *Panel) Steps() []signal.Step {
	if s := p.Primary(); s != nil {
		return s.Steps()
	}
	return []signal.Step{{Color: "blue"}}
}

// Lines are the extra queries that draw the primary signal's levels that are not
// constants (a multiple of another signal).
func (p *Panel) lines() []signal.View {
	s := p.Primary()
	if s == nil || p.kind != kindTimeSeries {
		return nil
	}
	var out []signal.View
	for _, l := range s.Levels() {
		if !l.Constant() {
			out = append(out, l.ThresholdView())
		}
	}
	return out
}

func (p *Panel) unitName() string {
	if p.unit != "" {
		return p.unit
	}
	if s := p.Primary(); s != nil {
		return string(s.Unit)
	}
	return ""
}

// query renders one view as a Prometheus query of the panel's kind, narrowed by the
// board's filters.
func (p *Panel) query(v signal.View, filters []promql.Matcher) (*prometheus.DataqueryBuilder, error) {
	expr, err := v.Narrow(filters...).Render(promql.Panel)
	if err != nil {
		return nil, fmt.Errorf("panel %q: %s: %w", p.Title, v.Signal.Name, err)
	}
	q := prometheus.NewDataqueryBuilder().Datasource(DS(KindPrometheus)).Expr(expr)
	switch p.kind {
	case kindTable:
		return q.Format(prometheus.PromQueryFormatTable).Instant(), nil
	case kindStat:
		return q.LegendFormat(v.LegendText()).Instant(), nil
	}
	return q.LegendFormat(v.LegendText()).Range(), nil
}

func (p *Panel) builder(filters []promql.Matcher) (cog.Builder[dashboard.Panel], error) {
	if p.kind == kindCustom {
		return p.custom(), nil
	}
	var qs []*prometheus.DataqueryBuilder
	for _, v := range append(append([]signal.View(nil), p.views...), p.lines()...) {
		q, err := p.query(v, filters)
		if err != nil {
			return nil, err
		}
		qs = append(qs, q)
	}
	thresholds := thresholds(p.Steps())
	switch p.kind {
	case kindStat:
		b := stat.NewPanelBuilder().
			Title(p.Title).Description(p.Description).Unit(p.unitName()).
			Datasource(DS(KindPrometheus)).
			Span(p.span).Height(p.height).
			ColorMode(common.BigValueColorModeBackground).
			GraphMode(common.BigValueGraphModeNone).
			Orientation(common.VizOrientationAuto).
			ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"})).
			Thresholds(thresholds)
		for _, q := range qs {
			b.WithTarget(q)
		}
		return b, nil
	case kindTable:
		b := table.NewPanelBuilder().
			Title(p.Title).Description(p.Description).Unit(p.unitName()).
			Datasource(DS(KindPrometheus)).
			Span(p.span).Height(p.height)
		for _, q := range qs {
			b.WithTarget(q)
		}
		return b, nil
	}
	b := timeseries.NewPanelBuilder().
		Title(p.Title).Description(p.Description).Unit(p.unitName()).
		Datasource(DS(KindPrometheus)).
		Span(p.span).Height(p.height).
		LineWidth(1).FillOpacity(10).
		Legend(common.NewVizLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom))
	if s := p.Primary(); s != nil && len(p.Steps()) > 1 {
		b.Thresholds(thresholds).
			ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
	}
	if p.min != nil {
		b.Min(*p.min)
	}
	if p.max != nil {
		b.Max(*p.max)
	}
	for _, q := range qs {
		b.WithTarget(q)
	}
	return b, nil
}

func thresholds(steps []signal.Step) *dashboard.ThresholdsConfigBuilder {
	out := make([]dashboard.Threshold, len(steps))
	for i, s := range steps {
		out[i] = dashboard.Threshold{Color: s.Color}
		if i > 0 {
			out[i].Value = ptr(s.Value)
		}
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(out)
}

// Board is a declared dashboard: its name (the file name, and the uid after UIDPrefix),
// the Grafana folder it lives in, the jobs its job variable offers, further variables, the
// label filters of its Prometheus queries and its rows of panels. A board without jobs is
// an Elasticsearch (logs) board.
type Board struct {
	Name, Folder       string
	Title, Description string
	Jobs               []stack.Component
	Logs               bool
	Vars               []func() cog.Builder[dashboard.VariableModel]
	Filters            []Filter // after Vars
	Rows               []Row
}

// Filter is a variable of a board over the values of a label, and what it does to the
// board's queries: every selector whose metric declares the label matches label=~"$label".
type Filter struct {
	Label  string
	Values promql.Expr // the series whose values of Label the variable offers
}

// Matcher is the matcher the filter adds to the board's selectors.
func (f Filter) Matcher() promql.Matcher { return promql.Re(f.Label, "$"+f.Label) }

func (f Filter) variable() (cog.Builder[dashboard.VariableModel], error) {
	sel, err := f.Values.Render(promql.Panel)
	if err != nil {
		return nil, fmt.Errorf("filter %s: %w", f.Label, err)
	}
	return LabelVar(f.Label, f.Label, sel), nil
}

// Row is a titled section of panels.
type Row struct {
	Title  string
	Panels []*Panel
}

// Holds says whether the board lists panel p.
func (b Board) Holds(p *Panel) bool {
	for _, r := range b.Rows {
		for _, q := range r.Panels {
			if q == p {
				return true
			}
		}
	}
	return false
}

func (b Board) builder() (*dashboard.DashboardBuilder, error) {
	vars := make([]cog.Builder[dashboard.VariableModel], 0, len(b.Vars)+len(b.Filters))
	for _, v := range b.Vars {
		vars = append(vars, v())
	}
	var filters []promql.Matcher
	for _, f := range b.Filters {
		v, err := f.variable()
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", b.Name, err)
		}
		vars = append(vars, v)
		filters = append(filters, f.Matcher())
	}
	var d *dashboard.DashboardBuilder
	if b.Logs {
		d = NewLogsDashboard(UIDPrefix+b.Name, b.Title, b.Description, vars...)
	} else {
		d = NewDashboard(UIDPrefix+b.Name, b.Title, b.Description, b.Jobs, vars...)
	}
	for _, r := range b.Rows {
		d.WithRow(rowBuilder(r.Title))
		for _, p := range r.Panels {
			pb, err := p.builder(filters)
			if err != nil {
				return nil, fmt.Errorf("dashboard %s: %w", b.Name, err)
			}
			d.WithPanel(pb)
		}
	}
	return d, nil
}
