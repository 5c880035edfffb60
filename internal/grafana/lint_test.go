package grafana

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/topology"
)

var (
	reqs = &catalog.Metric{Name: "app_requests_total", Type: catalog.Counter, Help: "requests", Exporter: []topology.Component{topology.Producer}}
	inq  = &catalog.Metric{Name: "app_queue_size", Type: catalog.Gauge, Help: "queue", Exporter: []topology.Component{topology.Producer}}
	lat  = &catalog.Metric{Name: "app_latency_seconds", Type: catalog.Histogram, Help: "latency", Exporter: []topology.Component{topology.Producer}}
	kt   = &catalog.Metric{Name: "kafka_things_total", Type: catalog.Counter, Help: "things", Exporter: []topology.Component{topology.KafkaBroker}}
	up   = &catalog.Metric{Name: "up", Type: catalog.Gauge, Help: "up", Exporter: []topology.Component{topology.Prometheus}}
)

func testCatalog(t *testing.T) *catalog.Catalog {
	t.Helper()
	c, err := catalog.New(reqs, inq, lat, kt, up)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// good is a dashboard that follows every rule; each case below breaks one.
func good() *dashboard.DashboardBuilder {
	return NewDashboard("finobs-test-board", "Test", "A test dashboard.", []topology.Component{topology.Producer}).
		WithRow(Row("Section")).
		WithPanel(TimeSeries("Requests", "reqps", "Requests per second.",
			Prom(Sum("", Rate(reqs)), "requests"))).
		WithPanel(TimeSeries("Latency", "s", "p99 latency.",
			Prom(Quantile(0.99, lat, ""), "p99"))).
		WithPanel(Stat("Queue", "short", "Queue size.",
			Prom(Max("", S(inq)), "queue"), BadAbove(10)...))
}

func lintBoard(t *testing.T, b func() *dashboard.DashboardBuilder, mutate func(*Dashboard)) []string {
	t.Helper()
	d, err := Build(Board{Name: "test-board", Folder: "Test", Build: b})
	if err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(&d)
	}
	var rules []string
	for _, err := range Lint(d, testCatalog(t), nil) {
		rules = append(rules, RuleOf(err))
		t.Log(err)
	}
	sort.Strings(rules)
	return rules
}

func TestLintGood(t *testing.T) {
	if rules := lintBoard(t, good, nil); len(rules) != 0 {
		t.Fatalf("good dashboard violates %v", rules)
	}
}

func withPanel(p *timeseries.PanelBuilder) func() *dashboard.DashboardBuilder {
	return func() *dashboard.DashboardBuilder { return good().WithPanel(p) }
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

func TestLintRules(t *testing.T) {
	hard := "P1809F7CD0C75ACF3"
	cases := []struct {
		rule   string
		board  func() *dashboard.DashboardBuilder
		mutate func(*Dashboard)
	}{
		{"dashboard-uid", func() *dashboard.DashboardBuilder { return good().Uid("my-board") }, nil},
		{"dashboard-uid", func() *dashboard.DashboardBuilder { return good().Description("") }, nil},
		{"dashboard-folder", good, func(d *Dashboard) { d.Folder = "" }},
		{"template-uneditable", func() *dashboard.DashboardBuilder { return good().Editable() }, nil},
		{"template-datasource", good, dropVar("datasource")},
		{"template-datasource", good, editVar("datasource", func(v *dashboard.VariableModel) { v.Label = ptr("DS") })},
		{"template-job", good, editVar("job", func(v *dashboard.VariableModel) { v.Multi = ptr(false) })},
		{"template-job", good, editVar("job", func(v *dashboard.VariableModel) { v.AllValue = ptr(".*") })},
		{"template-instance", good, editVar("instance", func(v *dashboard.VariableModel) { v.Label = ptr("Instance") })},
		{"template-label-promql", good, editVar("instance", func(v *dashboard.VariableModel) {
			v.Query = &dashboard.StringOrMap{String: ptr(`label_values(nope_metric{job=~"$job"}, instance)`)}
		})},
		{"template-label-promql", good, editVar("instance", func(v *dashboard.VariableModel) {
			v.Query = &dashboard.StringOrMap{String: ptr(`up{job=~"$job"}`)}
		})},
		{"template-on-time-change-reload", good, editVar("job", func(v *dashboard.VariableModel) {
			v.Refresh = ptr(dashboard.VariableRefreshOnDashboardLoad)
		})},
		{"template-undefined-variable", good, setExpr(`sum(rate(app_requests_total{job=~"$job",instance=~"$instance",topic=~"$topic"}[$__rate_interval]))`)},
		{"datasource-uid", good, func(d *Dashboard) {
			q := firstPanel(d).Targets[0].(prometheus.Dataquery)
			q.Datasource = &common.DataSourceRef{Type: ptr("prometheus"), Uid: &hard}
			firstPanel(d).Targets[0] = q
		}},
		{"rows", func() *dashboard.DashboardBuilder {
			return NewDashboard("finobs-test-board", "Test", "A test dashboard.", nil).
				WithPanel(Stat("Queue", "short", "Queue size.", Prom(Max("", S(inq)), "queue"))).
				WithRow(Row("Section")).
				WithPanel(Stat("Queue 2", "short", "Queue size.", Prom(Max("", S(inq)), "queue")))
		}, nil},
		{"rows", func() *dashboard.DashboardBuilder { return good().WithRow(Row("Empty")) }, nil},
		{"rows", func() *dashboard.DashboardBuilder {
			return NewDashboard("finobs-test-board", "Test", "A test dashboard.", nil).
				WithRow(Row("Empty")).
				WithRow(Row("Section")).
				WithPanel(Stat("Queue", "short", "Queue size.", Prom(Max("", S(inq)), "queue")))
		}, nil},
		{"panel-layout", withPanel(TimeSeries("Wide", "s", "Too wide.", Prom(Max("", S(inq)), "q")).GridPos(dashboard.GridPos{X: 20, Y: 30, W: 8, H: 8})), nil},
		{"panel-layout", withPanel(TimeSeries("Over", "s", "Overlaps Requests.", Prom(Max("", S(inq)), "q")).GridPos(dashboard.GridPos{X: 4, Y: 2, W: 8, H: 8})), nil},
		{"panel-title-description", withPanel(TimeSeries("No description", "s", "", Prom(Max("", S(inq)), "q"))), nil},
		{"panel-unique-title", good, func(d *Dashboard) { Panels(d.Dashboard)[1].Title = ptr("Requests") }},
		{"panel-units", withPanel(TimeSeries("No unit", "", "No unit.", Prom(Max("", S(inq)), "q"))), nil},
		{"panel-units", withPanel(TimeSeries("Bad unit", "furlongs", "Unknown unit.", Prom(Max("", S(inq)), "q"))), nil},
		{"panel-datasource", withPanel(TimeSeries("Other DS", "s", "Wrong datasource.", Prom(Max("", S(inq)), "q")).Datasource(DS(KindElasticsearch))), nil},
		{"panel-no-targets", withPanel(TimeSeries("Empty", "s", "No query.")), nil},
		{"target-datasource", good, func(d *Dashboard) {
			q := firstPanel(d).Targets[0].(prometheus.Dataquery)
			q.Datasource = ptr(DS(KindElasticsearch))
			firstPanel(d).Targets[0] = q
		}},
		{"target-promql", good, setExpr(`sum(rate(app_requests_total{job=~"$job",instance=~"$instance"}[$__rate_interval])`)},
		{"target-rate-interval", good, setExpr(`sum(rate(app_requests_total{job=~"$job",instance=~"$instance"}[5m]))`)},
		{"target-job", good, setExpr(`sum(rate(app_requests_total{instance=~"$instance"}[$__rate_interval]))`)},
		{"target-job", good, setExpr(`sum(rate(app_requests_total{job="producer",instance=~"$instance"}[$__rate_interval]))`)},
		{"target-job-scope", good, setExpr(`sum(up{job=~"$job",instance=~"$instance"})`)},
		{"target-instance", good, setExpr(`sum(rate(app_requests_total{job=~"$job"}[$__rate_interval]))`)},
		{"target-catalog", good, setExpr(`sum(rate(kafka_request_latency_ms_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{"target-catalog", good, setExpr(`sum(rate({job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{"target-counter-agg", good, setExpr(`sum(app_requests_total{job=~"$job",instance=~"$instance"})`)},
		{"target-counter-agg", good, setExpr(`sum(max_over_time(app_requests_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{"target-exporter", good, setExpr(`sum(rate(kafka_things_total{job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{"target-rate-gauge", good, setExpr(`sum(rate(app_queue_size{job=~"$job",instance=~"$instance"}[$__rate_interval]))`)},
		{"target-elasticsearch", func() *dashboard.DashboardBuilder {
			return NewLogsDashboard("finobs-test-board", "Test", "Logs.", ComponentVar(topology.Producer)).
				WithRow(Row("Logs")).
				WithPanel(LogLines("Errors", "Error lines.", ESLogs(`log.level:ERROR`)))
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			rules := lintBoard(t, c.board, c.mutate)
			found := false
			for _, r := range rules {
				found = found || r == c.rule
			}
			if !found {
				t.Errorf("want a %s violation, got %v", c.rule, rules)
			}
		})
	}
	// Every rule has a case above.
	tested := map[string]bool{}
	for _, c := range cases {
		tested[c.rule] = true
	}
	for r := range Rules {
		if !tested[r] {
			t.Errorf("rule %s has no failing case", r)
		}
	}
}

func TestLintExclusion(t *testing.T) {
	d, err := Build(Board{Name: "test-board", Folder: "Test", Build: good})
	if err != nil {
		t.Fatal(err)
	}
	setExpr(`sum(rate(app_requests_total{job=~"$job"}[$__rate_interval]))`)(&d)
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
	b := func() *dashboard.DashboardBuilder {
		return NewLogsDashboard("finobs-test-board", "Test", "Logs.", ComponentVar(topology.Producer)).
			WithRow(Row("Logs")).
			WithPanel(LogCounts("Rate", "Lines per interval.", ES("component:$component", "log.level")).Span(24)).
			WithPanel(LogLines("Errors", "Error lines.", ESLogs(`component:$component AND log.level:ERROR`)))
	}
	if rules := lintBoard(t, b, nil); len(rules) != 0 {
		t.Fatalf("good logs dashboard violates %v", rules)
	}
}

func TestBuildErrorNamesDashboard(t *testing.T) {
	_, err := Build(Board{Name: "broken", Build: func() *dashboard.DashboardBuilder {
		return good().WithPanel(brokenPanel{})
	}})
	if err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("err = %v, want one naming the dashboard", err)
	}
}

type brokenPanel struct{}

func (brokenPanel) Build() (dashboard.Panel, error) {
	return dashboard.Panel{}, cog.MakeBuildErrors("panel", errors.New("broken on purpose"))
}

func TestBuildRejectsSameTitle(t *testing.T) {
	_, err := Build(Board{Name: "dup", Build: withPanel(TimeSeries("Requests", "s", "Same title.", Prom(Max("", S(inq)), "q")))})
	if err == nil || !strings.Contains(err.Error(), `"Requests"`) {
		t.Fatalf("err = %v, want one naming the title", err)
	}
}

// Panel ids follow titles: adding a panel does not move another panel's link.
func TestPanelIDsStable(t *testing.T) {
	a, err := Build(Board{Name: "test-board", Build: good})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(Board{Name: "test-board", Build: func() *dashboard.DashboardBuilder {
		return NewDashboard("finobs-test-board", "Test", "A test dashboard.", nil).
			WithRow(Row("First")).
			WithPanel(Stat("New panel", "short", "Inserted first.", Prom(Max("", S(inq)), "q"))).
			WithRow(Row("Section")).
			WithPanel(TimeSeries("Requests", "reqps", "Requests per second.", Prom(Sum("", Rate(reqs)), "requests")))
	}})
	if err != nil {
		t.Fatal(err)
	}
	ua, _ := PanelURL(a.Dashboard, "Requests")
	ub, _ := PanelURL(b.Dashboard, "Requests")
	if ua == "" || ua != ub {
		t.Errorf("Requests moved from %q to %q", ua, ub)
	}
}
