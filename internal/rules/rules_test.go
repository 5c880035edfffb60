package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/lint"
	"github.com/finobs/finobs/internal/topology"
)

func checker(t *testing.T) lint.Checker {
	t.Helper()
	cat, err := catalog.New(&catalog.Metric{Name: "queue_size", Type: catalog.Gauge, Help: "h", Exporter: []topology.Component{topology.Producer}})
	if err != nil {
		t.Fatal(err)
	}
	return lint.Checker{Catalog: cat}
}

func goodAlert() Alert {
	return Alert{
		Name: "QueueFull", Expr: `queue_size > 10`, For: time.Minute, Severity: Warning,
		Summary: "The queue is full.", Description: "{{ $labels.instance }} holds {{ $value }} items.",
		Runbook: Runbook{Meaning: "m", Impact: "i", Diagnosis: []string{"d"}, Mitigation: []string{"x"}},
		Panel:   PanelRef{Dashboard: "queue", Title: "Queue size"},
		Tests: []Test{
			Fires("full", 5*time.Minute, L("instance", "a"), 20, S(`queue_size{instance="a"}`, "20x10")),
			Quiet("empty", 5*time.Minute, S(`queue_size{instance="a"}`, "0x10")),
		},
	}
}

func TestValidateAcceptsGoodGroup(t *testing.T) {
	g := Group{Name: "queue", Component: "producer", Alerts: []Alert{goodAlert()}}
	if err := Validate([]Group{g}, checker(t)); err != nil {
		t.Fatal(err)
	}
}

func TestValidateNamesTheProblem(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(*Alert)
		want   string
	}{
		{"bad severity", func(a *Alert) { a.Severity = "page" }, `severity "page" is not one of`},
		{"not CamelCase", func(a *Alert) { a.Name = "queue_full" }, "CamelCase"},
		{"no summary", func(a *Alert) { a.Summary = "" }, "missing summary"},
		{"templated summary", func(a *Alert) { a.Summary = "{{ $value }} items" }, "summary must be static"},
		{"no description", func(a *Alert) { a.Description = " " }, "missing description"},
		{"no runbook", func(a *Alert) { a.Runbook = Runbook{} }, "runbook needs"},
		{"no dashboard", func(a *Alert) { a.Panel = PanelRef{} }, "no dashboard panel explains"},
		{"unknown metric", func(a *Alert) { a.Expr = `kafka_request_latency_ms > 1` }, `"kafka_request_latency_ms" is not declared`},
		{"bad PromQL", func(a *Alert) { a.Expr = `queue_size >` }, "invalid PromQL"},
		{"no quiet test", func(a *Alert) { a.Tests = a.Tests[:1] }, "needs at least one firing and one quiet test"},
		{"no tests", func(a *Alert) { a.Tests = nil }, "needs at least one firing and one quiet test"},
		{"undeclared test series", func(a *Alert) { a.Tests[1].Series = []Series{S(`other{}`, "1")} }, `input series "other" is not a declared metric`},
		{"fires before for", func(a *Alert) { a.For = 10 * time.Minute }, "before the alert's for"},
	} {
		a := goodAlert()
		tc.break_(&a)
		err := Validate([]Group{{Name: "queue", Alerts: []Alert{a}}}, checker(t))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "group queue, alert "+a.Name) {
			t.Errorf("%s: got %v, want an error naming the alert and containing %q", tc.name, err, tc.want)
		}
	}
}

func TestValidateDuplicates(t *testing.T) {
	a := goodAlert()
	err := Validate([]Group{{Name: "one", Alerts: []Alert{a}}, {Name: "two", Alerts: []Alert{a}}, {Name: "two", Recording: []Recording{{Record: "job:queue_size:max", Expr: "max(queue_size)"}}}}, checker(t))
	if err == nil || !strings.Contains(err.Error(), "alert QueueFull: name already used in group one") || !strings.Contains(err.Error(), "group two: duplicate group name") {
		t.Fatalf("got %v", err)
	}
}

func TestRenderedTestsCarryExpandedAnnotations(t *testing.T) {
	g := Group{Name: "queue", Component: "producer", Alerts: []Alert{goodAlert()}}
	out, err := g.TestFile([]string{"../rules/queue.yml"}, func(a string) string { return "https://rb/" + a })
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"description: a holds 20 items.", "component: producer", "severity: warning", "exp_alerts: []", "runbook_url: https://rb/QueueFull"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("test file lacks %q:\n%s", want, out)
		}
	}
	rf, err := g.RuleFile(func(a string) string { return "https://rb/" + a })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(rf), "for: 1m") || !strings.Contains(string(rf), "alert: QueueFull") {
		t.Errorf("rule file:\n%s", rf)
	}
}
