package grafana

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

var (
	reqs = &metric.Metric{Name: "app_requests_total", Type: metric.Counter, Help: "requests", Exporter: []stack.Component{stack.Producer}}
	inq  = &metric.Metric{Name: "app_queue_size", Type: metric.Gauge, Help: "queue", Exporter: []stack.Component{stack.Producer}}
	lat  = &metric.Metric{Name: "app_latency_seconds", Type: metric.Histogram, Help: "latency", Exporter: []stack.Component{stack.Producer}}
	kt   = &metric.Metric{Name: "kafka_things_total", Type: metric.Counter, Help: "things", Exporter: []stack.Component{stack.KafkaBroker}}
	up   = &metric.Metric{Name: "up", Type: metric.Gauge, Help: "up", Exporter: []stack.Component{stack.Prometheus}}
)

func testCatalog(t *testing.T) *metric.Catalog {
	t.Helper()
	c, err := metric.New(reqs, inq, lat, kt, up)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Test signals over the test catalog, declared as package signals declares its own. The
// panel tests declare the signals whose levels they look at themselves: levels accumulate
// on a signal.
var (
	requests = &signal.Signal{Name: "requests", Unit: signal.ReqsPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(reqs), promql.Window), promql.Grouped)}
	latency = &signal.Signal{Name: "p99", Unit: signal.Seconds,
		Expr: promql.HistogramQuantile(0.99, promql.Sum(promql.Rate(promql.Buckets(lat), promql.Window), "le", promql.Grouped))}
	queue = &signal.Signal{Name: "queue", Unit: signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(inq), promql.Grouped)}
	// queueFull gives the good board's stat threshold steps.
	queueFull = queue.Above(signal.Warning, 10)
	// unitless declares no unit: a panel showing it has none.
	unitless = &signal.Signal{Name: "queue", Expr: promql.Max(promql.Select(inq), promql.Grouped)}
)

// good is a dashboard that follows every rule; each case below breaks one.
func good() Board {
	return Board{
		Name: "test-board", Folder: "Test", Title: "Test", Description: "A test dashboard.",
		Jobs: []stack.Component{stack.Producer},
		Rows: []Row{{Title: "Section", Panels: []*Panel{
			TimeSeries("Requests", "Requests per second.", requests.Total()),
			TimeSeries("Latency", "p99 latency.", latency.Total()),
			Stat("Queue", "Queue size.", queue.Total()),
		}}},
	}
}

// inRow is the good board with panels added to its row (the grid has 4 columns left).
func inRow(ps ...*Panel) Board {
	b := good()
	b.Rows[0].Panels = append(b.Rows[0].Panels, ps...)
	return b
}

// extraRow is the good board with a further row of panels.
func extraRow(ps ...*Panel) Board {
	b := good()
	b.Rows = append(b.Rows, Row{Title: "Extra", Panels: ps})
	return b
}

// edit is the good board changed by f.
func edit(f func(*Board)) Board {
	b := good()
	f(&b)
	return b
}

// declared builds a board with Build.
func declared(b Board) func(*testing.T) Dashboard {
	return func(t *testing.T) Dashboard {
		t.Helper()
		d, err := Build(b)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

// raw finishes an SDK dashboard builder as Build does, for layouts a Board cannot declare.
func raw(db func(*testing.T) *dashboard.DashboardBuilder) func(*testing.T) Dashboard {
	return func(t *testing.T) Dashboard {
		t.Helper()
		d, err := finish("test-board", "Test", db(t))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
}

// panelBuilder is the SDK builder of a declared panel, for raw dashboards.
func panelBuilder(t *testing.T, p *Panel) cog.Builder[dashboard.Panel] {
	t.Helper()
	b, err := p.builder(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lintBoard builds, mutates and lints a board; it returns the rules violated, each once,
// sorted.
func lintBoard(t *testing.T, build func(*testing.T) Dashboard, mutate func(*Dashboard)) []string {
	t.Helper()
	d := build(t)
	if mutate != nil {
		mutate(&d)
	}
	var rules []string
	for _, err := range Lint(d, testCatalog(t), nil) {
		rules = append(rules, RuleOf(err))
		t.Log(err)
	}
	slices.Sort(rules)
	return slices.Compact(rules)
}

func TestLintGood(t *testing.T) {
	if rules := lintBoard(t, declared(good()), nil); len(rules) != 0 {
		t.Fatalf("good dashboard violates %v", rules)
	}
}

func firstPanel(d *Dashboard) *dashboard.Panel { return Panels(d.Dashboard)[0] }

func setExpr(expr string) func(*Dashboard) {
	return func(d *Dashboard) {
		p := firstPanel(d)
		q := p.Targets[0].(prometheus.Dataquery)
		q.Expr = expr
		p.Targets[0] = q
	}
}

func dropVar(name string) func(*Dashboard) {
	return func(d *Dashboard) {
		var keep []dashboard.VariableModel
		for _, v := range d.Templating.List {
			if v.Name != name {
				keep = append(keep, v)
			}
		}
		d.Templating.List = keep
	}
}

func editVar(name string, f func(*dashboard.VariableModel)) func(*Dashboard) {
	return func(d *Dashboard) {
		for i := range d.Templating.List {
			if d.Templating.List[i].Name == name {
				f(&d.Templating.List[i])
			}
		}
	}
}

func logsBoard(panels ...*Panel) Board {
	return Board{
		Name: "test-board", Folder: "Test", Title: "Test", Description: "Logs.", Logs: true,
		Vars: []func() cog.Builder[dashboard.VariableModel]{
			func() cog.Builder[dashboard.VariableModel] { return ComponentVar(stack.Producer) },
		},
		Rows: []Row{{Title: "Logs", Panels: panels}},
	}
}

// Each case breaks one rule and the lint reports exactly that rule, plus the ones listed in
// also: those that cannot hold once the first is broken (without a datasource variable of a
// known kind, no panel uses it).
func TestLintRules(t *testing.T) {
	hard := "P1809F7CD0C75ACF3"
	noDatasource := []string{"panel-datasource", "target-datasource"}
	cases := []struct {
		rule   string
		board  func(*testing.T) Dashboard
		mutate func(*Dashboard)
		also   []string
	}{
		{rule: "dashboard-uid", board: declared(good()), mutate: func(d *Dashboard) { d.Uid = ptr("my-board") }},
		{rule: "dashboard-uid", board: declared(edit(func(b *Board) { b.Name = "Test_Board" }))},
		{rule: "dashboard-uid", board: declared(edit(func(b *Board) { b.Description = "" }))},
		{rule: "dashboard-folder", board: declared(edit(func(b *Board) { b.Folder = "" }))},
		{rule: "template-uneditable", board: declared(good()), mutate: func(d *Dashboard) { d.Editable = ptr(true) }},
		{rule: "template-datasource", board: declared(good()), mutate: dropVar("datasource"), also: noDatasource},
		{rule: "template-datasource", board: declared(good()), mutate: editVar("datasource", func(v *dashboard.VariableModel) { v.Label = ptr("DS") }), also: noDatasource},
		{rule: "template-job", board: declared(good()), mutate: editVar("job", func(v *dashboard.VariableModel) { v.Multi = ptr(false) })},
		{rule: "template-job", board: declared(good()), mutate: editVar("job", func(v *dashboard.VariableModel) { v.AllValue = ptr(".*") })},
		{rule: "template-cluster", board: declared(good()), mutate: dropVar("cluster"), also: []string{"template-undefined-variable"}},
		{rule: "template-cluster", board: declared(good()), mutate: editVar("cluster", func(v *dashboard.VariableModel) {
			v.Query = &dashboard.StringOrMap{String: ptr(`label_values(up, job)`)}
		})},
		{rule: "target-cluster", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "template-instance", board: declared(good()), mutate: editVar("instance", func(v *dashboard.VariableModel) { v.Label = ptr("Instance") })},
		{rule: "template-label-promql", board: declared(good()), mutate: editVar("instance", func(v *dashboard.VariableModel) {
			v.Query = &dashboard.StringOrMap{String: ptr(`label_values(nope_metric{job=~"$job"}, instance)`)}
		})},
		{rule: "template-label-promql", board: declared(good()), mutate: editVar("instance", func(v *dashboard.VariableModel) {
			v.Query = &dashboard.StringOrMap{String: ptr(`up{job=~"$job"}`)}
		})},
		{rule: "template-on-time-change-reload", board: declared(good()), mutate: editVar("job", func(v *dashboard.VariableModel) {
			v.Refresh = ptr(dashboard.VariableRefreshOnDashboardLoad)
		})},
		{rule: "template-undefined-variable", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",job=~"$job",instance=~"$instance",topic=~"$topic"}[$__rate_interval]))`)},
		{rule: "datasource-uid", board: declared(good()), mutate: func(d *Dashboard) {
			q := firstPanel(d).Targets[0].(prometheus.Dataquery)
			q.Datasource = &common.DataSourceRef{Type: ptr("prometheus"), Uid: &hard}
			firstPanel(d).Targets[0] = q
		}, also: []string{"target-datasource"}},
		// A reference only the JSON walk looks at.
		{rule: "datasource-uid", board: declared(good()), mutate: func(d *Dashboard) {
			d.Annotations.List = append(d.Annotations.List, dashboard.AnnotationQuery{
				Name: "deploys", Enable: true, IconColor: "red",
				Datasource: &common.DataSourceRef{Type: ptr("prometheus"), Uid: &hard},
			})
		}},
		{rule: "rows", board: raw(func(t *testing.T) *dashboard.DashboardBuilder {
			return NewDashboard("finobs-test-board", "Test", "A test dashboard.", []stack.Component{stack.Producer}).
				WithPanel(panelBuilder(t, Stat("Queue", "Queue size.", queue.Total()))).
				WithRow(rowBuilder("Section")).
				WithPanel(panelBuilder(t, Stat("Queue 2", "Queue size.", queue.Total())))
		})},
		{rule: "rows", board: declared(edit(func(b *Board) { b.Rows = append(b.Rows, Row{Title: "Empty"}) }))},
		{rule: "rows", board: declared(edit(func(b *Board) { b.Rows = append([]Row{{Title: "Empty"}}, b.Rows...) }))},
		// Build rejects two rows of one title (their ids clash); the lint still says why.
		{rule: "rows", board: declared(extraRow(Stat("Queue 2", "Queue size.", queue.Total()))), mutate: func(d *Dashboard) {
			for _, pr := range d.Panels {
				if pr.RowPanel != nil && deref(pr.RowPanel.Title) == "Extra" {
					pr.RowPanel.Title = ptr("Section")
				}
			}
		}},
		// The SDK lays a panel out where the last one ended, past the grid's edge if it must.
		{rule: "panel-layout", board: declared(inRow(TimeSeries("Wide", "Too wide.", queue.Total())))},
		{rule: "panel-layout", board: declared(good()), mutate: func(d *Dashboard) { Panels(d.Dashboard)[1].GridPos.X = 4 }},
		{rule: "panel-title-description", board: declared(extraRow(TimeSeries("No description", "", queue.Total())))},
		{rule: "panel-unique-title", board: declared(good()), mutate: func(d *Dashboard) { Panels(d.Dashboard)[1].Title = ptr("Requests") }},
		{rule: "panel-units", board: declared(extraRow(TimeSeries("No unit", "No unit.", unitless.Total())))},
		{rule: "panel-units", board: declared(extraRow(TimeSeries("Bad unit", "Unknown unit.", queue.Total()).Unit("furlongs")))},
		{rule: "panel-datasource", board: declared(good()), mutate: func(d *Dashboard) { firstPanel(d).Datasource = ptr(DS(KindElasticsearch)) }},
		{rule: "panel-no-targets", board: declared(extraRow(TimeSeries("Empty", "No query.").Unit(signal.Count)))},
		{rule: "target-datasource", board: declared(good()), mutate: func(d *Dashboard) {
			q := firstPanel(d).Targets[0].(prometheus.Dataquery)
			q.Datasource = ptr(DS(KindElasticsearch))
			firstPanel(d).Targets[0] = q
		}},
		{rule: "target-promql", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",job=~"$job",instance=~"$instance"}[$__rate_interval])`)},
		{rule: "target-rate-interval", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",job=~"$job",instance=~"$instance"}[5m]))`)},
		{rule: "target-job", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-job", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",job="producer",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-job-scope", board: declared(good()), mutate: setExpr(`sum(up{cluster=~"$cluster",job=~"$job",instance=~"$instance"})`)},
		{rule: "target-instance", board: declared(good()), mutate: setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",job=~"$job"}[$__rate_interval]))`)},
		{rule: "target-catalog", board: declared(good()), mutate: setExpr(`sum(rate(kafka_request_latency_ms_total{cluster=~"$cluster",job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-catalog", board: declared(good()), mutate: setExpr(`sum(rate({cluster=~"$cluster",job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-counter-agg", board: declared(good()), mutate: setExpr(`sum(app_requests_total{cluster=~"$cluster",job=~"$job",instance=~"$instance"})`)},
		{rule: "target-counter-agg", board: declared(good()), mutate: setExpr(`sum(max_over_time(app_requests_total{cluster=~"$cluster",job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-exporter", board: declared(good()), mutate: setExpr(`sum(rate(kafka_things_total{cluster=~"$cluster",job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-rate-gauge", board: declared(good()), mutate: setExpr(`sum(rate(app_queue_size{cluster=~"$cluster",job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{rule: "target-elasticsearch", board: declared(logsBoard(LogLines("Errors", "Error lines.", ESLogs(`log.level:ERROR`))))},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			want := append([]string{c.rule}, c.also...)
			slices.Sort(want)
			if got := lintBoard(t, c.board, c.mutate); !slices.Equal(got, want) {
				t.Errorf("want violations of %v, got %v", want, got)
			}
		})
	}
	// Every rule has a case above.
	tested := map[string]bool{}
	for _, c := range cases {
		if _, ok := Rules[c.rule]; !ok {
			t.Errorf("case of unknown rule %s", c.rule)
		}
		tested[c.rule] = true
	}
	for r := range Rules {
		if !tested[r] {
			t.Errorf("rule %s has no failing case", r)
		}
	}
}

func TestLintExclusion(t *testing.T) {
	d := declared(good())(t)
	setExpr(`sum(rate(app_requests_total{cluster=~"$cluster",job=~"$job"}[$__rate_interval]))`)(&d)
	cat := testCatalog(t)
	if errs := Lint(d, cat, nil); len(errs) != 1 {
		t.Fatalf("want 1 violation, got %v", errs)
	}
	ex := []Exclusion{{Dashboard: "finobs-test-board", Panel: "Requests", Rule: "target-instance", Reason: "test"}}
	if errs := Lint(d, cat, ex); len(errs) != 0 {
		t.Fatalf("excluded violation still reported: %v", errs)
	}
}

func TestLintGoodLogs(t *testing.T) {
	b := logsBoard(
		LogCounts("Rate", "Lines per interval.", ES("component:$component", "log.level")).Span(24),
		LogLines("Errors", "Error lines.", ESLogs(`component:$component AND log.level:ERROR`)))
	if rules := lintBoard(t, declared(b), nil); len(rules) != 0 {
		t.Fatalf("good logs dashboard violates %v", rules)
	}
}

func TestBuildErrorNamesDashboard(t *testing.T) {
	b := extraRow(Custom("Broken", func() cog.Builder[dashboard.Panel] { return brokenPanel{} }))
	b.Name = "broken"
	_, err := Build(b)
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("err = %v, want one naming the dashboard", err)
	}
}

type brokenPanel struct{}

func (brokenPanel) Build() (dashboard.Panel, error) {
	return dashboard.Panel{}, cog.MakeBuildErrors("panel", errors.New("broken on purpose"))
}

func TestBuildRejectsSameTitle(t *testing.T) {
	b := extraRow(TimeSeries("Requests", "Same title.", queue.Total()))
	b.Name = "dup"
	_, err := Build(b)
	if err == nil || !strings.Contains(err.Error(), `"Requests"`) || !strings.Contains(err.Error(), "dup") {
		t.Fatalf("err = %v, want one naming the dashboard and the title", err)
	}
}

// Panel ids follow titles: adding a panel does not move another panel's link.
func TestPanelIDsStable(t *testing.T) {
	a := declared(good())(t)
	b := declared(Board{
		Name: "test-board", Folder: "Test", Title: "Test", Description: "A test dashboard.",
		Rows: []Row{
			{Title: "First", Panels: []*Panel{Stat("New panel", "Inserted first.", queue.Total())}},
			{Title: "Section", Panels: []*Panel{TimeSeries("Requests", "Requests per second.", requests.Total())}},
		},
	})(t)
	ua, _ := PanelURL(a.Dashboard, "Requests")
	ub, _ := PanelURL(b.Dashboard, "Requests")
	if ua == "" || ua != ub {
		t.Errorf("Requests moved from %q to %q", ua, ub)
	}
}
