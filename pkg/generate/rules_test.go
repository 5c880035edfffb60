package generate

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// A declaration of another module's: a metric, a signal on it, a panel, a board, an alert.
const queue stack.Component = "queue"

var (
	queueDepth  = &metric.Metric{Name: "queue_depth", Type: metric.Gauge, Help: "Items waiting.", Exporter: []stack.Component{queue}}
	depthSignal = &signal.Signal{Name: "depth", Unit: signal.Count, By: []string{"instance"},
		Expr: promql.Max(promql.Select(queueDepth), promql.Grouped)}
	depthFull  = depthSignal.Above(signal.Warning, 100)
	depthPanel = grafana.Stat("Queue depth", "Items waiting.", depthSignal.Show())
	queueBoard = grafana.Board{Name: "queue", Folder: "Queue Things", Title: "Queue", Description: "The queue.",
		Jobs: []stack.Component{queue}, Rows: []grafana.Row{{Title: "Overview", Panels: []*grafana.Panel{depthPanel}}}}
)

func queueGroup() rules.Group {
	target := rules.Target(queue, "q-1")
	return rules.Group{Name: "queue", Component: string(queue), Alerts: []rules.Alert{{
		Name: "QueueFull", When: depthFull, For: time.Minute, Panel: depthPanel,
		Summary: "The queue is full.", Description: "{{ $labels.instance }} holds {{ $value }} items.",
		Runbook: rules.Runbook{Meaning: "m", Impact: "i", Diagnosis: []string{"d"}, Mitigation: []string{"x"}},
		Tests: []rules.Test{
			{Name: "full", At: 5 * time.Minute, Fires: []rules.Firing{{Labels: target.Keep("instance"), Value: 200}},
				Series: []rules.Series{target.Series(queueDepth, "200x10")}},
			{Name: "empty", At: 5 * time.Minute, Series: []rules.Series{target.Series(queueDepth, "0x10")}},
		},
	}}}
}

func renderOutput(t *testing.T, o Output) *render.Set {
	t.Helper()
	set, _, err := Run([]Output{o})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func get(t *testing.T, set *render.Set, p string) string {
	t.Helper()
	data, ok := set.Get(p)
	if !ok {
		t.Fatalf("%s not generated; got %v", p, set.Paths())
	}
	return string(data)
}

// Rules writes a rule file and a test file per group and a runbook per alert; the test
// file loads the rule files relative to itself, and alerts link to the panel they name.
func TestRules(t *testing.T) {
	o := Rules(RulesOptions{
		Groups:   []rules.Group{queueGroup()},
		RulesDir: "prom/rules", TestsDir: "prom/tests", RunbooksDir: "runbooks",
		RunbookURL: func(a string) string { return "https://runbooks.example/" + a },
		Boards:     []grafana.Board{queueBoard}, GrafanaURL: "https://grafana.example",
		Source: "queue",
	})
	if strings.Join(o.Owns, " ") != "prom/rules prom/tests runbooks" {
		t.Errorf("owns %v", o.Owns)
	}
	set := renderOutput(t, o)
	if got := strings.Join(set.Paths(), " "); got != "prom/rules/queue.yml prom/tests/queue.yml runbooks/QueueFull.md" {
		t.Fatalf("paths: %s", got)
	}
	ruleFile := get(t, set, "prom/rules/queue.yml")
	for _, want := range []string{
		"# Rules of group queue. Generated from queue; do not edit.\n",
		"alert: QueueFull", "expr: max by (cluster, instance) (queue_depth) > 100",
		"runbook_url: https://runbooks.example/QueueFull",
		"dashboard_url: https://grafana.example/d/finobs-queue/queue?viewPanel=",
	} {
		if !strings.Contains(ruleFile, want) {
			t.Errorf("rule file lacks %q:\n%s", want, ruleFile)
		}
	}
	var tests struct {
		RuleFiles []string `yaml:"rule_files"`
		Tests     []any    `yaml:"tests"`
	}
	if err := yaml.Unmarshal([]byte(get(t, set, "prom/tests/queue.yml")), &tests); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tests.RuleFiles, " ") != "../rules/queue.yml" || len(tests.Tests) != 2 {
		t.Errorf("test file: rule_files %v, %d tests", tests.RuleFiles, len(tests.Tests))
	}
	if page := get(t, set, "runbooks/QueueFull.md"); !strings.HasPrefix(page, "# QueueFull\n") || !strings.Contains(page, "| Dashboard | <https://grafana.example/d/finobs-queue/queue?viewPanel=") {
		t.Errorf("runbook page:\n%s", page)
	}
}

// Without boards nor a runbook URL, alerts carry no dashboard_url and their runbook_url
// is the page's path; an alert whose panel no board lists is an error naming it.
func TestRulesDefaultsAndUnlinkedPanel(t *testing.T) {
	set := renderOutput(t, Rules(RulesOptions{Groups: []rules.Group{queueGroup()}, RulesDir: "rules", TestsDir: "tests", RunbooksDir: "runbooks"}))
	ruleFile := get(t, set, "rules/queue.yml")
	if !strings.Contains(ruleFile, "runbook_url: runbooks/QueueFull.md") || strings.Contains(ruleFile, "dashboard_url") || strings.HasPrefix(ruleFile, "#") {
		t.Errorf("rule file:\n%s", ruleFile)
	}
	other := queueBoard
	other.Rows = nil
	_, _, err := Run([]Output{Rules(RulesOptions{Groups: []rules.Group{queueGroup()}, RulesDir: "rules", TestsDir: "tests", RunbooksDir: "runbooks", Boards: []grafana.Board{other}})})
	var re *rules.Error
	if !errors.As(err, &re) || re.Rule != "QueueFull" || !errors.Is(err, rules.ErrNoPanel) {
		t.Errorf("panel on no board: %v", err)
	}
	if _, _, err := Run([]Output{Rules(RulesOptions{Groups: []rules.Group{queueGroup()}, RulesDir: "rules"})}); err == nil {
		t.Error("no error without TestsDir and RunbooksDir")
	}
}
