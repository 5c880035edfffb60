package rules

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/template"
	"go.yaml.in/yaml/v3"
)

// Where generated rule assets land, relative to the repository root.
const (
	RulesDir    = "deploy/prometheus/rules"
	TestsDir    = "deploy/prometheus/tests"
	RunbooksDir = "deploy/runbooks"
)

// EvaluationInterval is the rule evaluation interval of Prometheus.
// As often as the stack is scraped: an alert then fires within its for plus two scrape
// intervals of the fault (one to see it, one to evaluate it), the bound the fault suite checks.
const EvaluationInterval = 10 * time.Second

// TestInterval is the step of test input series and of rule evaluation in unit tests:
// "0+60x20" reads as one sample a minute for twenty minutes.
const TestInterval = time.Minute

// RuleFile renders a group as a Prometheus rule file and validates it with rulefmt.
func (g Group) RuleFile(runbookURL func(alert string) string) ([]byte, error) {
	rg := rulefmt.RuleGroup{Name: g.Name, Interval: model.Duration(g.Interval)}
	for _, r := range g.Recording {
		expr, err := r.Rendered()
		if err != nil {
			return nil, &Error{Group: g.Name, Kind: "recording rule", Rule: r.Record, Err: fmt.Errorf("%w: %v", ErrExpr, err)}
		}
		rg.Rules = append(rg.Rules, rulefmt.Rule{Record: r.Record, Expr: expr, Labels: r.Labels})
	}
	for _, a := range g.Alerts {
		expr, err := a.Expr()
		if err != nil {
			return nil, &Error{Group: g.Name, Kind: "alert", Rule: a.Name, Err: fmt.Errorf("%w: %v", ErrExpr, err)}
		}
		rg.Rules = append(rg.Rules, rulefmt.Rule{
			Alert:       a.Name,
			Expr:        expr,
			For:         model.Duration(a.For),
			Labels:      a.allLabels(g),
			Annotations: a.annotations(runbookURL),
		})
	}
	out, err := marshal(rulefmt.RuleGroups{Groups: []rulefmt.RuleGroup{rg}})
	if err != nil {
		return nil, fmt.Errorf("rule group %s: %w", g.Name, err)
	}
	if _, errs := rulefmt.Parse(out, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler)); len(errs) > 0 {
		return nil, fmt.Errorf("rule group %s: rulefmt: %w", g.Name, joinErrs(errs))
	}
	return out, nil
}

func (a Alert) allLabels(g Group) map[string]string {
	l := map[string]string{"severity": string(a.Severity())}
	if g.Component != "" {
		l["component"] = g.Component
	}
	for k, v := range a.Labels {
		l[k] = v
	}
	return l
}

func (a Alert) annotations(runbookURL func(string) string) map[string]string {
	an := map[string]string{
		"summary":     a.Summary,
		"description": a.Description,
		"runbook_url": runbookURL(a.Name),
	}
	if a.Dashboard != "" {
		an["dashboard_url"] = a.Dashboard
	}
	return an
}

// promtool's unit test file format (cmd/promtool/unittest.go), the parts we use.
type testFile struct {
	RuleFiles          []string       `yaml:"rule_files"`
	EvaluationInterval model.Duration `yaml:"evaluation_interval"`
	Tests              []testGroup    `yaml:"tests"`
}

type testGroup struct {
	Name        string          `yaml:"name"`
	Interval    model.Duration  `yaml:"interval"`
	InputSeries []inputSeries   `yaml:"input_series"`
	AlertTests  []alertTestCase `yaml:"alert_rule_test"`
}

type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type alertTestCase struct {
	EvalTime  model.Duration `yaml:"eval_time"`
	Alertname string         `yaml:"alertname"`
	ExpAlerts []expAlert     `yaml:"exp_alerts"`
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
}

// TestFile renders the promtool unit tests of a group. ruleFiles are paths relative to
// the test file (every rule file, so alerts may use recording rules of other groups).
func (g Group) TestFile(ruleFiles []string, runbookURL func(string) string) ([]byte, error) {
	tf := testFile{RuleFiles: ruleFiles, EvaluationInterval: model.Duration(TestInterval)}
	for _, a := range g.Alerts {
		for _, t := range a.Tests {
			tg := testGroup{Name: a.Name + ": " + t.Name, Interval: model.Duration(TestInterval)}
			for _, s := range t.Series {
				tg.InputSeries = append(tg.InputSeries, inputSeries(s))
			}
			tc := alertTestCase{EvalTime: model.Duration(t.At), Alertname: a.Name, ExpAlerts: []expAlert{}}
			for _, f := range t.Fires {
				ann, err := a.expand(f, t.At, runbookURL)
				if err != nil {
					return nil, fmt.Errorf("alert %s, test %q: %w", a.Name, t.Name, err)
				}
				l := a.allLabels(g)
				for k, v := range f.Labels {
					l[k] = v
				}
				tc.ExpAlerts = append(tc.ExpAlerts, expAlert{ExpLabels: l, ExpAnnotations: ann})
			}
			tg.AlertTests = []alertTestCase{tc}
			tf.Tests = append(tf.Tests, tg)
		}
	}
	return marshal(tf)
}

// expand renders the annotations the way the Prometheus rule manager does, for the
// labels and value the test expects.
func (a Alert) expand(f Firing, at time.Duration, runbookURL func(string) string) (map[string]string, error) {
	smpl := promql.Sample{Metric: labels.FromMap(f.Labels), F: f.Value}
	data := template.AlertTemplateData(f.Labels, nil, "", smpl)
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
	out := map[string]string{}
	for k, text := range a.annotations(runbookURL) {
		e := template.NewTemplateExpander(context.Background(), defs+text, "__alert_"+a.Name, data,
			model.TimeFromUnixNano(int64(at)), nil, &url.URL{}, nil)
		v, err := e.Expand()
		if err != nil {
			return nil, fmt.Errorf("annotation %s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

// RunbookPage renders the runbook of an alert as Markdown.
func (a Alert) RunbookPage(g Group) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", a.Name)
	fmt.Fprintf(&b, "| | |\n|---|---|\n| Severity | `%s` |\n| Component | `%s` |\n| For | %s |\n", a.Severity(), g.Component, fmtDuration(a.For))
	if a.Dashboard != "" {
		fmt.Fprintf(&b, "| Dashboard | <%s> |\n", a.Dashboard)
	}
	fmt.Fprintf(&b, "\n**%s**\n\n", a.Summary)
	fmt.Fprintf(&b, "## Meaning\n\n%s\n\n", a.Runbook.Meaning)
	fmt.Fprintf(&b, "## Impact\n\n%s\n\n", a.Runbook.Impact)
	b.WriteString("## Diagnosis\n\n")
	for i, s := range a.Runbook.Diagnosis {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	b.WriteString("\n## Mitigation\n\n")
	for i, s := range a.Runbook.Mitigation {
		fmt.Fprintf(&b, "%d. %s\n", i+1, s)
	}
	expr, err := a.Expr()
	if err != nil {
		expr = "invalid: " + err.Error()
	}
	fmt.Fprintf(&b, "\n## Expression\n\n```promql\n%s\n```\n", strings.TrimSpace(expr))
	return b.Bytes()
}

func fmtDuration(d time.Duration) string {
	if d == 0 {
		return "immediately"
	}
	return model.Duration(d).String()
}

func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func joinErrs(errs []error) error {
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	sort.Strings(msgs)
	return fmt.Errorf("%s", strings.Join(msgs, "; "))
}
