package deploy

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/generate"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

func TestDeterministic(t *testing.T) {
	a, ca, err := All()
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.Paths(), ",") != strings.Join(b.Paths(), ",") {
		t.Fatal("two runs generate different file lists")
	}
	for _, p := range a.Paths() {
		x, _ := a.Get(p)
		y, _ := b.Get(p)
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", p)
		}
	}
	alertsN, tests, runbooks := generate.Count(ca, "alerts"), generate.Count(ca, "promtool test cases"), generate.Count(ca, "runbooks")
	if alertsN == 0 || tests < 2*alertsN || runbooks != alertsN {
		t.Errorf("counts look wrong:\n%s", generate.Results(ca))
	}
}

// The generated tree is what the repository holds: the same check as `gen --check`.
func TestCommittedOutputIsCurrent(t *testing.T) {
	set, _, err := All()
	if err != nil {
		t.Fatal(err)
	}
	stale, err := set.Stale("..", Owned()...)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("stale generated files (run `go run ./cmd/gen`): %v", stale)
	}
}

func TestEveryAlertHasRunbookAndTests(t *testing.T) {
	set, _, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range alerts.Groups() {
		// Its test files: one per step (group.yml, group.5m.yml).
		var tests []byte
		for _, p := range set.Paths() {
			if name := strings.TrimPrefix(p, TestsDir+"/"); name != p && (name == g.Name+".yml" || strings.HasPrefix(name, g.Name+".")) {
				data, _ := set.Get(p)
				tests = append(tests, data...)
			}
		}
		for _, a := range g.Alerts {
			if _, ok := set.Get(RunbooksDir + "/" + a.Name + ".md"); !ok {
				t.Errorf("%s has no runbook page", a.Name)
			}
			if n := bytes.Count(tests, []byte("alertname: "+a.Name+"\n")); n < 2 {
				t.Errorf("%s has %d promtool test cases, want at least 2", a.Name, n)
			}
		}
	}
}

// An invalid definition fails the whole generation: nothing is written.
func TestInvalidDefinitionWritesNothing(t *testing.T) {
	saved := alerts.Monitoring.Alerts
	defer func() { alerts.Monitoring.Alerts = saved }()
	undeclared := &metric.Metric{Name: "kafka_request_latency_ms", Type: metric.Gauge, Help: "h", Exporter: []stack.Component{stack.KafkaBroker}}
	bad := saved[0]
	bad.Name = "KafkaRequestLatencyHigh"
	bad.When = (&signal.Signal{Name: "latency", Expr: promql.Select(undeclared)}).Above(signal.Warning, 100)
	alerts.Monitoring.Alerts = append(append([]rules.Alert{}, saved...), bad, saved[0])

	dir := t.TempDir()
	set, _, err := All()
	if err == nil {
		set.Write(dir)
		t.Fatal("generation accepted an alert on an undeclared metric")
	}
	for _, want := range []string{
		`group monitoring, alert KafkaRequestLatencyHigh: invalid expression: metric "kafka_request_latency_ms" is not declared in the catalog`,
		`group monitoring, alert TargetDown: duplicate name: name already used in group monitoring`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	var re *rules.Error
	if !errors.As(err, &re) || !errors.Is(err, rules.ErrExpr) || !errors.Is(err, rules.ErrDuplicate) {
		t.Errorf("errors are not typed: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir)); len(entries) != 0 {
		t.Errorf("files were written: %v", entries)
	}
}

// The panel each alert links to is about the alert's signal and shows its level: a
// threshold step at the level for a constant, a line for a multiple of another signal.
func TestEveryAlertPanelShowsItsThreshold(t *testing.T) {
	ds, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range alerts.Groups() {
		for _, a := range g.Alerts {
			l := a.When.Level()
			if a.Panel.Primary() != l.Signal {
				t.Errorf("%s: its panel %q is about %v, not the alert's signal %q", a.Name, a.Panel.Title, a.Panel.Primary(), l.Signal.Name)
				continue
			}
			board, ok := dashboards.BoardOf(a.Panel)
			if !ok {
				t.Errorf("%s: panel %q is on no dashboard", a.Name, a.Panel.Title)
				continue
			}
			p := builtPanel(t, ds, board, a.Panel.Title)
			if p == nil {
				continue
			}
			if l.Constant() {
				if !hasStep(p, l.Boundary(), atLeast(l.Severity)...) {
					t.Errorf("%s: panel %q has no %s step at %g (level %s)", a.Name, a.Panel.Title, l.Severity.Color(), l.Boundary(), l)
				}
				continue
			}
			found := false
			for _, q := range grafana.PanelLegends(p) {
				found = found || strings.HasPrefix(q, "alert threshold")
			}
			if !found {
				t.Errorf("%s: panel %q draws no line for level %s", a.Name, a.Panel.Title, l)
			}
		}
	}
}

// atLeast lists the colours of sev and of the severities worse than it: where two levels
// meet at one value (no input: a warning after 10 minutes, critical when the topic is busy),
// the panel shows the worse one.
func atLeast(sev signal.Severity) []string {
	out := []string{sev.Color()} // a heartbeat's (None) is in no ranking
	for _, s := range signal.Severities {
		out = append(out, s.Color())
		if s == sev {
			break
		}
	}
	return out
}

// hasStep says whether a built panel's thresholds change to one of colours at value (or, for
// a level below which values are trouble, change away from it there).
func hasStep(p *dashboard.Panel, value float64, colours ...string) bool {
	if p.FieldConfig == nil || p.FieldConfig.Defaults.Thresholds == nil {
		return false
	}
	steps := p.FieldConfig.Defaults.Thresholds.Steps
	for i, s := range steps {
		if i == 0 || s.Value == nil || *s.Value != value {
			continue
		}
		if slices.Contains(colours, s.Color) || slices.Contains(colours, steps[i-1].Color) {
			return true
		}
	}
	return false
}

func builtPanel(t *testing.T, ds []grafana.Dashboard, board, title string) *dashboard.Panel {
	t.Helper()
	for _, d := range ds {
		if d.Name != board {
			continue
		}
		for _, p := range grafana.Panels(d.Dashboard) {
			if p.Title != nil && *p.Title == title {
				return p
			}
		}
	}
	t.Errorf("dashboard %s has no built panel %q", board, title)
	return nil
}

// One level is the threshold of the rule and of the panel: moving it moves both.
func TestLevelChangesRuleAndPanel(t *testing.T) {
	a := alerts.TargetDown
	l := a.When.Level()
	board, _ := dashboards.BoardOf(a.Panel)
	before, err := a.Expr()
	if err != nil {
		t.Fatal(err)
	}
	saved := l.Value
	defer func() { l.Value = saved }()
	l.Value = saved + 7
	after, err := a.Expr()
	if err != nil {
		t.Fatal(err)
	}
	if after == before || !strings.Contains(after, strconv.FormatFloat(saved+7, 'g', -1, 64)) {
		t.Errorf("rule did not follow the level: %s -> %s", before, after)
	}
	ds, err := dashboards.All()
	if err != nil {
		t.Fatal(err)
	}
	if p := builtPanel(t, ds, board, a.Panel.Title); p != nil && !hasStep(p, l.Boundary(), l.Severity.Color()) {
		t.Errorf("panel %q did not follow the level to %g", a.Panel.Title, l.Boundary())
	}
}
