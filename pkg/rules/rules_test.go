package rules

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

var queueSize = &metric.Metric{Name: "queue_size", Type: metric.Gauge, Help: "h", Exporter: []stack.Component{stack.Producer}}

func checker(t *testing.T) lint.Checker {
	t.Helper()
	cat, err := metric.New(queueSize)
	if err != nil {
		t.Fatal(err)
	}
	return lint.Checker{Catalog: cat}
}

func queueSignal() *signal.Signal {
	return &signal.Signal{Name: "queue", Unit: signal.Count, Expr: promql.Select(queueSize)}
}

func goodAlert() Alert {
	s := queueSignal()
	a := Target(stack.Producer, "a")
	return Alert{
		Name: "QueueFull", When: s.Above(Warning, 10), For: time.Minute,
		Summary: "The queue is full.", Description: "{{ $labels.instance }} holds {{ $value }} items.",
		Runbook: Runbook{Meaning: "m", Impact: "i", Diagnosis: []string{"d"}, Mitigation: []string{"x"}},
		Panel:   grafana.Stat("Queue size", "Items queued.", s.Show()),
		Tests: []Test{
			{Name: "full", At: 5 * time.Minute,
				Fires: []Firing{{Labels: a.Expect(), Value: 20}}, Series: []Series{
					a.Series(queueSize, "20x10"),
				}},
			{Name: "empty", At: 5 * time.Minute, Series: []Series{
				a.Series(queueSize, "0x10"),
			}},
		},
	}
}

func TestValidateAcceptsGoodGroup(t *testing.T) {
	g := Group{Name: "queue", Component: "producer", Alerts: []Alert{goodAlert()}}
	if err := Validate([]Group{g}, checker(t)); err != nil {
		t.Fatal(err)
	}
}

// Each bad definition gives an *Error naming the group and the alert, of the right kind.
func TestValidateNamesTheProblem(t *testing.T) {
	undeclared := &metric.Metric{Name: "kafka_request_latency_ms", Type: metric.Gauge}
	for _, tc := range []struct {
		name   string
		break_ func(*Alert)
		kind   error
		want   string
	}{
		{"no condition", func(a *Alert) { a.When = nil }, ErrExpr, "no condition"},
		{"not CamelCase", func(a *Alert) { a.Name = "queue_full" }, ErrName, "CamelCase"},
		{"severity in labels", func(a *Alert) { a.Labels = map[string]string{"severity": "page"} }, ErrSeverity, "from the level"},
		{"no summary", func(a *Alert) { a.Summary = "" }, ErrAnnotation, "missing summary"},
		{"templated summary", func(a *Alert) { a.Summary = "{{ $value }} items" }, ErrAnnotation, "summary must be static"},
		{"no description", func(a *Alert) { a.Description = " " }, ErrAnnotation, "missing description"},
		{"no runbook", func(a *Alert) { a.Runbook = Runbook{} }, ErrRunbook, "runbook needs"},
		{"no dashboard", func(a *Alert) { a.Panel = nil }, ErrNoPanel, "no dashboard panel explains"},
		{"unknown metric", func(a *Alert) {
			a.When = (&signal.Signal{Name: "latency", Expr: promql.Select(undeclared)}).Above(Warning, 1)
		}, ErrExpr, `"kafka_request_latency_ms" is not declared`},
		{"bad PromQL", func(a *Alert) {
			a.When = (&signal.Signal{Name: "two numbers", Expr: promql.Num(1)}).Above(Warning, 2)
		}, ErrExpr, "comparisons between scalars must use BOOL modifier"},
		{"undeclared grouping label", func(a *Alert) {
			a.When = (&signal.Signal{Name: "queue", By: []string{"intance"}, Expr: promql.Max(promql.Select(queueSize), promql.Grouped)}).Above(Warning, 1)
		}, ErrExpr, `label "intance" of max by (cluster, intance) is not declared`},
		{"aggregates the cluster away", func(a *Alert) {
			a.When = (&signal.Signal{Name: "queue", Expr: promql.AcrossClusters(promql.Max(promql.Select(queueSize)))}).Above(Warning, 1)
		}, ErrCluster, `aggregates the cluster label away: max of queue_size groups by nothing, not by cluster`},
		{"no quiet test", func(a *Alert) { a.Tests = a.Tests[:1] }, ErrTests, "needs at least one firing and one quiet test"},
		{"no tests", func(a *Alert) { a.Tests = nil }, ErrTests, "needs at least one firing and one quiet test"},
		{"undeclared test series", func(a *Alert) { a.Tests[1].Series = []Series{{Series: `other{}`, Values: "1"}} }, ErrTestSeries, `input series "other" is not a declared metric`},
		{"fires before for", func(a *Alert) { a.For = 10 * time.Minute }, ErrTestTooSoon, "before the alert's for"},
	} {
		a := goodAlert()
		tc.break_(&a)
		err := Validate([]Group{{Name: "queue", Alerts: []Alert{a}}}, checker(t))
		var e *Error
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "group queue, alert "+a.Name) ||
			!errors.Is(err, tc.kind) || !errors.As(err, &e) || e.Group != "queue" || e.Rule != a.Name {
			t.Errorf("%s: got %v, want an *Error of kind %v naming the alert and containing %q", tc.name, err, tc.kind, tc.want)
		}
	}
}

func TestValidateDuplicates(t *testing.T) {
	a := goodAlert()
	rec := Recording{Record: "job:queue_size:max", Expr: promql.Max(promql.Select(queueSize))}
	err := Validate([]Group{{Name: "one", Alerts: []Alert{a}}, {Name: "two", Alerts: []Alert{a}}, {Name: "two", Recording: []Recording{rec}}}, checker(t))
	if err == nil || !strings.Contains(err.Error(), "alert QueueFull: duplicate name: name already used in group one") ||
		!strings.Contains(err.Error(), "group two: duplicate name: duplicate group name") || !errors.Is(err, ErrDuplicate) {
		t.Fatalf("got %v", err)
	}
}

func TestRecordingSelect(t *testing.T) {
	rec := Recording{Record: "instance:queue_size:max", Expr: promql.Max(promql.Select(queueSize), "instance")}
	s := &signal.Signal{Name: "queue", Expr: rec.Select()}
	got, err := signal.Render(s.Above(Warning, 1))
	if err != nil || got != "instance:queue_size:max > 1" {
		t.Fatalf("got %q, %v", got, err)
	}
	// The recorded series keep the rule's labels: grouping by another is an error.
	bad := &signal.Signal{Name: "queue", Expr: promql.Max(rec.Select(), "job")}
	if _, err := signal.Render(bad.Above(Warning, 1)); err == nil {
		t.Fatal("grouping a recorded series by a label it lacks: no error")
	}
}

func TestRenderedTestsCarryExpandedAnnotations(t *testing.T) {
	g := Group{Name: "queue", Component: "producer", Alerts: []Alert{goodAlert()}}
	files, err := g.TestFiles([]string{"../rules/queue.yml"}, func(a string) string { return "https://rb/" + a })
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Step != TestInterval {
		t.Fatalf("%d test files, want one at %s", len(files), TestInterval)
	}
	out := files[0].Data
	for _, want := range []string{"description: 'Cluster finobs-test: a holds 20 items.'", "summary: '[finobs-test] The queue is full.'", "component: producer", "severity: warning", "exp_alerts: []", "runbook_url: https://rb/QueueFull",
		`series: queue_size{job="producer",instance="a",cluster="finobs-test"}`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("test file lacks %q:\n%s", want, out)
		}
	}
	rf, err := g.RuleFile(func(a string) string { return "https://rb/" + a })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rf), "for: 1m") || !strings.Contains(string(rf), "alert: QueueFull") || !strings.Contains(string(rf), "expr: queue_size > 10") {
		t.Errorf("rule file:\n%s", rf)
	}
}

func TestLabels(t *testing.T) {
	l := Target(stack.KafkaBroker, "kafka-broker-1").With("request", "Produce")
	if s := l.Series(queueSize, "1x3"); s.Series != `queue_size{job="kafka-broker",instance="kafka-broker-1",request="Produce",cluster="finobs-test"}` {
		t.Errorf("series %s", s.Series)
	}
	if k := l.Keep("instance", "nope"); len(k) != 1 || k["instance"] != "kafka-broker-1" {
		t.Errorf("keep %v", k)
	}
	if k := l.InCluster("prod").Keep("cluster"); len(k) != 1 || k["cluster"] != "prod" {
		t.Errorf("keep the cluster of labels in another cluster: %v", k)
	}
	if b := l.Buckets(queueSize, "+Inf", "0"); b.Series != `queue_size_bucket{job="kafka-broker",instance="kafka-broker-1",request="Produce",le="+Inf",cluster="finobs-test"}` {
		t.Errorf("buckets %s", b.Series)
	}
}

// The generator refuses an expression that adds clusters together: an aggregation that does
// not keep the cluster label, a matching that leaves it out.
func TestClusterKept(t *testing.T) {
	for expr, want := range map[string]string{
		`sum by (cluster, topic) (rate(x[5m]))`:               "",
		`sum without (instance) (x)`:                          "",
		`x > 1 and on (cluster, query) y`:                     "",
		`x / ignoring (le) y`:                                 "",
		`vector(1) == 1`:                                      "",
		`sum(x)`:                                              "sum of x groups by nothing, not by cluster",
		`max by (instance) (x) > 1`:                           "max of x groups by (instance), not by cluster",
		`sum without (cluster) (x)`:                           "sum without (cluster) drops cluster",
		`sum by (cluster) (x) and on () sum by (cluster) (y)`: "and on () matches series of different clusters",
		`sum by (cluster) (x) / ignoring (cluster) sum by (cluster) (y)`: "/ ignoring (cluster) matches series of different clusters",
	} {
		err := ClusterKept(expr)
		switch {
		case want == "" && err != nil:
			t.Errorf("%s: %v", expr, err)
		case want != "" && (!errors.Is(err, ErrCluster) || !strings.Contains(err.Error(), want)):
			t.Errorf("%s: got %v, want %q", expr, err, want)
		}
	}
	// Rendering the rule file refuses it too, naming the rule.
	a := goodAlert()
	a.When = (&signal.Signal{Name: "queue", Expr: promql.AcrossClusters(promql.Sum(promql.Select(queueSize)))}).Above(Warning, 1)
	_, err := Group{Name: "queue", Alerts: []Alert{a}}.RuleFile(func(string) string { return "" })
	if err == nil || !errors.Is(err, ErrCluster) || !strings.Contains(err.Error(), "group queue, alert QueueFull: aggregates the cluster label away") {
		t.Errorf("rule file of an alert adding clusters together: %v", err)
	}
}

// An alert that aggregates across instances gets a generated case with its firing test's
// series in a broken cluster and its quiet test's in a healthy one, firing once, in the
// broken cluster; the earlier test is shifted to the later one's time. An alert on each
// instance's own series gets none.
func TestClusterCase(t *testing.T) {
	if _, ok, err := goodAlert().ClusterCase(); ok || err != nil {
		t.Errorf("an alert per series: got a two-cluster case (%v)", err)
	}
	a := goodAlert()
	total := &signal.Signal{Name: "queued", Unit: signal.Count, Expr: promql.Sum(promql.Select(queueSize))}
	a.When = total.Above(Warning, 10)
	b := Target(stack.Producer, "b")
	a.Tests[0].Fires = []Firing{{Value: 20}}
	a.Tests[0].Series = append(a.Tests[0].Series, b.Series(queueSize, "0x10"))
	a.Tests[1].At = 3 * time.Minute
	c, ok, err := a.ClusterCase()
	if err != nil || !ok {
		t.Fatalf("got %v, %v", ok, err)
	}
	if c.At != 5*time.Minute || !strings.Contains(c.Name, `"full" in finobs-broken, "empty" in finobs-healthy`) {
		t.Errorf("case %q at %s", c.Name, c.At)
	}
	want := []Series{
		{`queue_size{cluster="finobs-broken",instance="a",job="producer"}`, "20x10"},
		{`queue_size{cluster="finobs-broken",instance="b",job="producer"}`, "0x10"},
		{`queue_size{cluster="finobs-healthy",instance="a",job="producer"}`, "_x2 0x10"},
	}
	if len(c.Series) != len(want) {
		t.Fatalf("series %v, want %v", c.Series, want)
	}
	for i := range want {
		if c.Series[i] != want[i] {
			t.Errorf("series %d: %v, want %v", i, c.Series[i], want[i])
		}
	}
	if len(c.Fires) != 1 || c.Fires[0].Labels["cluster"] != BrokenCluster || c.Fires[0].Value != 20 {
		t.Errorf("fires %+v", c.Fires)
	}
	g := Group{Name: "queue", Component: "producer", Alerts: []Alert{a}}
	files, err := g.TestFiles([]string{"../rules/queue.yml"}, func(a string) string { return "https://rb/" + a })
	if err != nil || len(files) != 1 || !strings.Contains(string(files[0].Data), "two clusters") || !strings.Contains(string(files[0].Data), "cluster: finobs-broken") {
		t.Errorf("test files (%v): %+v", err, files)
	}
	// Through a recording rule, too.
	rec := Recording{Record: "job:queue_size:sum", Expr: promql.Sum(promql.Select(queueSize), "job")}
	a.When = (&signal.Signal{Name: "queued", Expr: rec.Select()}).Above(Warning, 10)
	if _, ok, err := a.ClusterCase(); !ok || err != nil {
		t.Errorf("an alert on a recorded sum: no two-cluster case (%v)", err)
	}
	// An expression reading time() cannot be shifted.
	a.When = (&signal.Signal{Name: "age", Expr: promql.Time().Sub(promql.Max(promql.Select(queueSize)))}).Above(Warning, 10)
	if _, _, err := a.ClusterCase(); !errors.Is(err, ErrTests) || !strings.Contains(err.Error(), "reads time()") {
		t.Errorf("time() and tests at two times: %v", err)
	}
}

// Tests of another step go to a file of their own, evaluated at that step; the two-cluster
// case keeps its tests' step and shifts by whole steps.
func TestTestFilesByStep(t *testing.T) {
	a := goodAlert()
	coarse := 5 * time.Minute
	for _, x := range slices.Clone(a.Tests) {
		x.Name += " at 5m"
		x.Step = coarse
		x.At = x.At.Truncate(coarse)
		a.Tests = append(a.Tests, x)
	}
	g := Group{Name: "queue", Component: "producer", Alerts: []Alert{a}}
	files, err := g.TestFiles([]string{"../rules/queue.yml"}, func(a string) string { return "https://rb/" + a })
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Step != TestInterval || files[1].Step != coarse {
		t.Fatalf("test files: %+v, want one at %s and one at %s", files, TestInterval, coarse)
	}
	if got := TestFileName("queue", coarse); got != "queue.5m.yml" {
		t.Errorf("TestFileName at 5m = %q", got)
	}
	if got := TestFileName("queue", TestInterval); got != "queue.yml" {
		t.Errorf("TestFileName at the default = %q", got)
	}
	five := string(files[1].Data)
	for _, want := range []string{"evaluation_interval: 5m", "interval: 5m", "at 5m"} {
		if !strings.Contains(five, want) {
			t.Errorf("the 5m file lacks %q:\n%s", want, five)
		}
	}
	if strings.Contains(string(files[0].Data), "at 5m") {
		t.Errorf("the 1m file holds a 5m test:\n%s", files[0].Data)
	}
	bad := Group{Name: "queue", Component: "producer", Alerts: []Alert{goodAlert()}}
	bad.Alerts[0].Tests[0].Step = coarse
	bad.Alerts[0].Tests[0].At = coarse + time.Minute
	if _, err := bad.TestFiles(nil, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), "not a multiple of its step") {
		t.Errorf("a test evaluated between steps: %v", err)
	}
}
