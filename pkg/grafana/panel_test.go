package grafana

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// boardOf is a board of one row of panels over the producer.
func boardOf(ps ...*Panel) Board {
	return Board{Name: "test-board", Folder: "Test", Title: "Test", Description: "A test dashboard.",
		Jobs: []stack.Component{stack.Producer},
		Rows: []Row{{Title: "Section", Panels: ps}}}
}

// builtPanel builds b, lints it clean and returns its panel titled title.
func builtPanel(t *testing.T, b Board, title string) *dashboard.Panel {
	t.Helper()
	d, err := Build(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range Lint(d, testCatalog(t), nil) {
		t.Error(err)
	}
	for _, p := range Panels(d.Dashboard) {
		if deref(p.Title) == title {
			return p
		}
	}
	t.Fatalf("no panel %q", title)
	return nil
}

func queries(t *testing.T, p *dashboard.Panel) []prometheus.Dataquery {
	t.Helper()
	var out []prometheus.Dataquery
	for _, q := range p.Targets {
		pq, ok := q.(prometheus.Dataquery)
		if !ok {
			t.Fatalf("panel %q: query %T, want Prometheus", deref(p.Title), q)
		}
		out = append(out, pq)
	}
	return out
}

func isSet(b *bool) bool { return b != nil && *b }

func rendered(t *testing.T, v signal.View) string {
	t.Helper()
	s, err := v.Render(promql.Panel)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// steps are the threshold steps of a built panel, as signal steps (the base step's value
// is 0).
func steps(p *dashboard.Panel) []signal.Step {
	if p.FieldConfig == nil || p.FieldConfig.Defaults.Thresholds == nil {
		return nil
	}
	var out []signal.Step
	for _, s := range p.FieldConfig.Defaults.Thresholds.Steps {
		st := signal.Step{Color: s.Color}
		if s.Value != nil {
			st.Value = *s.Value
		}
		out = append(out, st)
	}
	return out
}

func thresholdsStyle(t *testing.T, p *dashboard.Panel) *common.GraphThresholdsStyleConfig {
	t.Helper()
	if p.FieldConfig == nil || p.FieldConfig.Defaults.Custom == nil {
		return nil
	}
	fc, ok := p.FieldConfig.Defaults.Custom.(*timeseries.FieldConfig)
	if !ok {
		t.Fatalf("panel %q: field config %T, want a time series'", deref(p.Title), p.FieldConfig.Defaults.Custom)
	}
	return fc.ThresholdsStyle
}

// A stat asks for the value now (instant queries: a target that is gone shows no data) and
// colours it with its primary signal's steps.
func TestStatInstantWithSignalSteps(t *testing.T) {
	depth := &signal.Signal{Name: "depth", Unit: signal.Count, Resolution: 1, Expr: promql.Max(promql.Select(inq), promql.Grouped)}
	depth.Above(signal.Warning, 10)
	depth.Above(signal.Critical, 100)
	rate := &signal.Signal{Name: "requests", Unit: signal.ReqsPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(reqs), promql.Window), promql.Grouped)}
	views := []signal.View{depth.Total().Legend("depth"), rate.Total()}
	p := builtPanel(t, boardOf(Stat("Depth", "Queue depth.", views...)), "Depth")

	if p.Type != "stat" {
		t.Errorf("type %s, want stat", p.Type)
	}
	qs := queries(t, p)
	if len(qs) != len(views) {
		t.Fatalf("%d queries, want %d", len(qs), len(views))
	}
	for i, q := range qs {
		if !isSet(q.Instant) || isSet(q.Range) {
			t.Errorf("query %d: instant %v range %v, want an instant query", i, isSet(q.Instant), isSet(q.Range))
		}
		if want := rendered(t, views[i]); q.Expr != want {
			t.Errorf("query %d: %s, want %s", i, q.Expr, want)
		}
		if deref(q.LegendFormat) != views[i].LegendText() {
			t.Errorf("query %d: legend %q, want %q", i, deref(q.LegendFormat), views[i].LegendText())
		}
	}
	want := []signal.Step{{Color: "green"}, {Value: 11, Color: "orange"}, {Value: 101, Color: "red"}}
	if !reflect.DeepEqual(depth.Steps(), want) {
		t.Fatalf("signal steps %v, want %v", depth.Steps(), want)
	}
	if got := steps(p); !reflect.DeepEqual(got, want) {
		t.Errorf("panel steps %v, want the signal's %v", got, want)
	}
	if th := p.FieldConfig.Defaults.Thresholds; th.Mode != dashboard.ThresholdsModeAbsolute || th.Steps[0].Value != nil {
		t.Errorf("thresholds %+v, want absolute from a base step", th)
	}
	if deref(p.FieldConfig.Defaults.Unit) != string(signal.Count) {
		t.Errorf("unit %q, want the primary signal's %q", deref(p.FieldConfig.Defaults.Unit), signal.Count)
	}
}

// A graph of a signal with a constant level draws the level as a dashed threshold; one
// without levels draws none.
func TestTimeSeriesConstantLevel(t *testing.T) {
	depth := &signal.Signal{Name: "depth", Unit: signal.Count, Resolution: 1, Expr: promql.Max(promql.Select(inq), promql.Grouped)}
	depth.Above(signal.Warning, 10)
	plain := &signal.Signal{Name: "requests", Unit: signal.ReqsPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(reqs), promql.Window), promql.Grouped)}
	b := boardOf(TimeSeries("Depth", "Queue depth.", depth.Total()), TimeSeries("Requests", "Requests per second.", plain.Total()))

	p := builtPanel(t, b, "Depth")
	qs := queries(t, p)
	if len(qs) != 1 {
		t.Fatalf("%d queries, want 1: a constant level draws no line query", len(qs))
	}
	if q := qs[0]; !isSet(q.Range) || isSet(q.Instant) {
		t.Errorf("instant %v range %v, want a range query", isSet(q.Instant), isSet(q.Range))
	}
	if got, want := steps(p), depth.Steps(); len(want) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("steps %v, want the signal's %v", got, want)
	}
	if st := thresholdsStyle(t, p); st == nil || st.Mode != common.GraphThresholdsStyleModeDashed {
		t.Errorf("thresholds style %+v, want dashed", st)
	}

	p = builtPanel(t, b, "Requests")
	if st := thresholdsStyle(t, p); st != nil {
		t.Errorf("a signal without levels: thresholds style %+v, want none", st)
	}
}

// A level relative to another signal is a line on a graph: an "alert threshold" query
// per level, after the panel's own; a stat draws no line.
func TestTimeSeriesSignalLevel(t *testing.T) {
	limit := &signal.Signal{Name: "limit", Unit: signal.Count, Expr: promql.Max(promql.Select(inq), promql.Grouped)}
	load := &signal.Signal{Name: "load", Unit: signal.ReqsPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(reqs), promql.Window), promql.Grouped)}
	over := load.AboveSignal(signal.Warning, 2, limit)
	under := load.BelowSignal(signal.Info, 1, limit)
	b := boardOf(TimeSeries("Load", "Load against the limit.", load.Total()), Stat("Load now", "Load now.", load.Total()))

	qs := queries(t, builtPanel(t, b, "Load"))
	if len(qs) != 3 {
		t.Fatalf("%d queries, want the signal and one line per level", len(qs))
	}
	for i, l := range []*signal.Level{over, under} {
		q := qs[i+1]
		if want := "alert threshold (" + string(l.Severity) + ")"; deref(q.LegendFormat) != want {
			t.Errorf("line %d: legend %q, want %q", i, deref(q.LegendFormat), want)
		}
		if want := rendered(t, l.ThresholdView()); q.Expr != want {
			t.Errorf("line %d: %s, want %s", i, q.Expr, want)
		}
		if !isSet(q.Range) || isSet(q.Instant) {
			t.Errorf("line %d: not a range query", i)
		}
	}
	if want := `2 * max by (cluster) (app_queue_size{cluster=~"$cluster",instance=~"$instance",job=~"$job"})`; qs[1].Expr != want {
		t.Errorf("line of 2 × limit: %s, want %s", qs[1].Expr, want)
	}
	if want := `max by (cluster) (app_queue_size{cluster=~"$cluster",instance=~"$instance",job=~"$job"})`; qs[2].Expr != want {
		t.Errorf("line of 1 × limit: %s, want %s", qs[2].Expr, want)
	}
	if qs := queries(t, builtPanel(t, b, "Load now")); len(qs) != 1 {
		t.Errorf("stat: %d queries, want no threshold line", len(qs))
	}
}

func TestBoardHolds(t *testing.T) {
	p := Stat("Queue", "Queue size.", queue.Total())
	twin := Stat("Queue", "Queue size.", queue.Total())
	b := Board{Rows: []Row{{Title: "Empty"}, {Title: "Section", Panels: []*Panel{twin, p}}}}
	if !b.Holds(p) || !b.Holds(twin) {
		t.Error("the board does not hold a panel it lists")
	}
	if other := Stat("Queue", "Queue size.", queue.Total()); b.Holds(other) {
		t.Error("the board holds an equal panel it does not list: panels are values by identity")
	}
	if (Board{}).Holds(p) {
		t.Error("an empty board holds a panel")
	}
}

// A view that does not render (a grouping label its metric lacks) fails the build, naming
// the dashboard, the panel and the label.
func TestBuildFailsOnUnrenderableView(t *testing.T) {
	byTopic := TimeSeries("Requests by topic", "Requests per topic.", requests.GroupBy("topic").Legend("{{topic}}"))
	_, err := Build(extraRow(byTopic))
	if err == nil {
		t.Fatal("built a panel grouping app_requests_total by topic, which it lacks")
	}
	for _, want := range []string{"test-board", `"Requests by topic"`, `"topic"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err %q does not name %s", err, want)
		}
	}
	var le *promql.LabelError
	if !errors.As(err, &le) || le.Label != "topic" {
		t.Errorf("err %v, want a LabelError for topic", err)
	}
}
