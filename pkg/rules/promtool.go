package rules

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	promengine "github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/template"

	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
)

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

// TestFile is one promtool unit test file of a group: its tests of one step.
type TestFile struct {
	Step time.Duration
	Data []byte
}

// TestFileName is the name of a group's test file of step: group.yml at TestInterval,
// group.<step>.yml (slo-stream-freshness.5m.yml) for any other.
func TestFileName(group string, step time.Duration) string {
	if step == TestInterval || step == 0 {
		return group + ".yml"
	}
	return group + "." + model.Duration(step).String() + ".yml"
}

// TestFiles render the promtool unit tests of a group: each alert's declared tests and its
// generated two-cluster case (ClusterCase), one file per step (the one at TestInterval
// first, when there are tests at it). ruleFiles are paths relative to the test file.
func (g Group) TestFiles(ruleFiles []string, runbookURL func(string) string) ([]TestFile, error) {
	byStep := map[time.Duration]*testFile{}
	var steps []time.Duration
	for _, a := range g.Alerts {
		tests, err := a.AllTests()
		if err != nil {
			return nil, fmt.Errorf("group %s: %w", g.Name, err)
		}
		for _, t := range tests {
			if t, err = t.withComponents(); err != nil {
				return nil, fmt.Errorf("group %s, alert %s: %w", g.Name, a.Name, err)
			}
			step := t.StepOrDefault()
			if t.At%step != 0 {
				return nil, fmt.Errorf("group %s, alert %s, test %q: evaluated at %s, not a multiple of its step %s", g.Name, a.Name, t.Name, t.At, step)
			}
			tf := byStep[step]
			if tf == nil {
				tf = &testFile{RuleFiles: ruleFiles, EvaluationInterval: model.Duration(step)}
				byStep[step] = tf
				steps = append(steps, step)
			}
			tg := testGroup{Name: a.Name + ": " + t.Name, Interval: model.Duration(step)}
			for _, s := range t.Series {
				tg.InputSeries = append(tg.InputSeries, inputSeries(s))
			}
			tc := alertTestCase{EvalTime: model.Duration(t.At), Alertname: a.Name, ExpAlerts: []expAlert{}}
			for _, f := range a.withCluster(t) {
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
	if len(steps) == 0 {
		steps = []time.Duration{TestInterval}
		byStep[TestInterval] = &testFile{RuleFiles: ruleFiles, EvaluationInterval: model.Duration(TestInterval)}
	}
	slices.Sort(steps)
	var out []TestFile
	for _, step := range steps {
		data, err := marshal(*byStep[step])
		if err != nil {
			return nil, err
		}
		out = append(out, TestFile{Step: step, Data: data})
	}
	return out, nil
}

// withCluster is the firings of test t, each with the cluster label of t's input series
// when it names none and the alert keeps the cluster: every alert reads the cluster of its
// series, so a test in one cluster expects it without saying so.
func (a Alert) withCluster(t Test) []Firing {
	c, ok := seriesCluster(t.Series)
	if !ok || !a.keepsCluster() {
		return t.Fires
	}
	out := make([]Firing, len(t.Fires))
	for i, f := range t.Fires {
		out[i] = f
		if _, named := f.Labels[promql.ClusterLabel]; !named {
			out[i].Labels = Merge(f.Labels, map[string]string{promql.ClusterLabel: c})
		}
	}
	return out
}

// keepsCluster says whether the alert's expression carries the cluster label.
func (a Alert) keepsCluster() bool {
	if a.When == nil || a.When.Level() == nil {
		return false
	}
	ls, err := signal.Labels(a.When)
	return err == nil && slices.Contains(ls, promql.ClusterLabel)
}

// seriesCluster is the cluster of every input series, when they are of one.
func seriesCluster(ss []Series) (string, bool) {
	c := ""
	for i, s := range ss {
		v, err := seriesLabel(s, promql.ClusterLabel)
		if err != nil || v == "" || i > 0 && v != c {
			return "", false
		}
		c = v
	}
	return c, c != ""
}

// seriesLabel is the value of label name in series s.
func seriesLabel(s Series, name string) (string, error) {
	ls, _, err := parser.NewParser(parser.Options{}).ParseSeriesDesc(s.Series + " " + s.Values)
	if err != nil {
		return "", err
	}
	return ls.Get(name), nil
}

// expand renders the annotations the way the Prometheus rule manager does, for the
// labels and value the test expects.
func (a Alert) expand(f Firing, at time.Duration, runbookURL func(string) string) (map[string]string, error) {
	smpl := promengine.Sample{Metric: labels.FromMap(f.Labels), F: f.Value}
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

// withComponents is the test with its series and expected labels as the deployment's
// component selectors see them (promql.SeriesLabels): job="kafka-broker" of a deployment
// whose brokers are job "kafka" is job="kafka".
func (t Test) withComponents() (Test, error) {
	if promql.Components == nil {
		return t, nil
	}
	p := parser.NewParser(parser.Options{})
	series := make([]Series, len(t.Series))
	for i, s := range t.Series {
		ls, _, err := p.ParseSeriesDesc(s.Series + " " + s.Values)
		if err != nil {
			return t, fmt.Errorf("test %q: series %s: %w", t.Name, s.Series, err)
		}
		m, err := promql.SeriesLabels(ls.Map())
		if err != nil {
			return t, fmt.Errorf("test %q: %w", t.Name, err)
		}
		name := m[labels.MetricName]
		delete(m, labels.MetricName)
		series[i] = Series{Series: name + labels.FromMap(m).String(), Values: s.Values}
	}
	fires := make([]Firing, len(t.Fires))
	for i, f := range t.Fires {
		m, err := promql.SeriesLabels(f.Labels)
		if err != nil {
			return t, fmt.Errorf("test %q: %w", t.Name, err)
		}
		fires[i] = Firing{Labels: m, Value: f.Value}
	}
	t.Series, t.Fires = series, fires
	return t, nil
}

// TestRuleFiles are the rule files a group's promtool tests load: its own, and those of the
// groups whose recording rules its rule file (data, as rendered) reads. Not every group's:
// promtool evaluates every rule loaded at every step, and the SLO tests' days of samples ran
// several times slower with all of them. file names a group's rule file.
func TestRuleFiles(g Group, data []byte, groups []Group, file func(group string) string) []string {
	out := []string{file(g.Name)}
	for _, o := range groups {
		if o.Name == g.Name {
			continue
		}
		for _, r := range o.Recording {
			if bytes.Contains(data, []byte(r.Record)) {
				out = append(out, file(o.Name))
				break
			}
		}
	}
	return out
}
