// Package rules models Prometheus recording and alerting rules together with their runbooks
// and promtool unit tests, and renders them to rule files, test files and runbook pages.
// The declarations themselves live in the top-level alerts package.
package rules

import (
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// Severity is an alert's severity label; routing keys on it. It is the severity of the
// signal level the alert fires on.
type Severity = signal.Severity

// Severities, most severe first.
const (
	Critical = signal.Critical
	Warning  = signal.Warning
	Info     = signal.Info
)

// Group is one rule group: one rule file, one test file.
type Group struct {
	Name      string        // file name and group name, e.g. "kafka-broker"
	Component string        // value of the component label on every alert of the group
	Interval  time.Duration // 0: the global evaluation interval
	Recording []Recording
	Alerts    []Alert
}

// Recording is a recording rule; Record follows level:metric:operations. Its Expr renders
// in rule form; Window is what promql.Window ranges in it stand for.
type Recording struct {
	Record string
	Expr   promql.Expr
	Window time.Duration
	Labels map[string]string
}

// Rendered is the rule's expression as Prometheus gets it.
func (r *Recording) Rendered() (string, error) {
	return r.Expr.RenderWith(promql.Rule, r.window())
}

func (r *Recording) window() time.Duration {
	if r.Window > 0 {
		return r.Window
	}
	return signal.DefaultWindow
}

// Select selects the series the rule writes: where a rule or panel can use it instead of
// evaluating the expression again.
func (r *Recording) Select() promql.Expr { return promql.Recorded(r.Record, r.Expr) }

// Alert is an alerting rule with everything an on-call engineer needs beside it.
type Alert struct {
	Name        string           // CamelCase
	When        signal.Condition // a signal at one of its levels: the expression and the severity
	For         time.Duration
	Labels      map[string]string // extra static labels
	Summary     string            // static, one line
	Description string            // templated: $labels and $value
	Panel       *grafana.Panel    // the dashboard panel that explains the alert
	Dashboard   string            // dashboard_url annotation, resolved from Panel at generation
	Runbook     Runbook
	Tests       []Test
}

// Severity is the severity of the level the alert fires on.
func (a Alert) Severity() Severity {
	if a.When == nil || a.When.Level() == nil {
		return ""
	}
	return a.When.Level().Severity
}

// Expr is the alert's expression as Prometheus gets it.
func (a Alert) Expr() (string, error) {
	if a.When == nil || a.When.Level() == nil {
		return "", errNoCondition
	}
	return signal.Render(a.When)
}

// Runbook is the page an alert's runbook_url points to.
type Runbook struct {
	Meaning    string   // what the alert says is wrong
	Impact     string   // what users or data see
	Diagnosis  []string // steps to find the cause
	Mitigation []string // steps to stop the bleeding
}

// Test is one promtool unit test case of an alert: input series, an evaluation time and the
// alerts expected to fire then. A test with no Fires asserts the alert stays quiet.
type Test struct {
	Name   string
	Series []Series
	At     time.Duration
	Fires  []Firing
	// Step is the spacing of the input series and of rule evaluation; zero is TestInterval.
	// promtool evaluates a file at one interval: tests of another step go to a file of their
	// own (TestFileName). A test over days of samples runs many times faster at 5 minutes.
	Step time.Duration
}

// StepOrDefault is the test's step: Step, or TestInterval when it is zero.
func (t Test) StepOrDefault() time.Duration {
	if t.Step == 0 {
		return TestInterval
	}
	return t.Step
}

// Series is a promtool input series, in promtool's expanding notation ("0+10x30").
type Series struct {
	Series string
	Values string
}

// Firing is one expected firing alert: the labels the expression yields (beyond alertname,
// severity, component and static labels) and its value, which the description shows. The
// cluster label may be left out when every input series of the test is of one cluster: the
// test file expects that one (every alert keeps the cluster of what it reads).
type Firing struct {
	Labels map[string]string
	Value  float64
}

// Labels is the label set of test series: it renders the input series of a catalog metric
// and the labels an alert on them is expected to carry. Labels keep their order; the
// cluster label (promql.ClusterLabel, named when the labels are rendered) comes last.
type Labels struct {
	pairs   [][2]string
	cluster string
}

// TestCluster is the cluster of the targets of alert tests (Target): every input series
// carries it, as every scraped series carries its cluster.
const TestCluster = "finobs-test"

// Target is the label set of a scrape target: job, instance and cluster (TestCluster).
func Target(job stack.Component, instance string) Labels {
	return Labels{pairs: [][2]string{{"job", string(job)}, {"instance", instance}}, cluster: TestCluster}
}

// With adds a label.
func (l Labels) With(name, value string) Labels {
	return Labels{pairs: append(append([][2]string(nil), l.pairs...), [2]string{name, value}), cluster: l.cluster}
}

// InCluster is the labels in another cluster.
func (l Labels) InCluster(cluster string) Labels {
	l.pairs = append([][2]string(nil), l.pairs...)
	l.cluster = cluster
	return l
}

func (l Labels) all() [][2]string {
	if l.cluster == "" {
		return l.pairs
	}
	return append(append([][2]string(nil), l.pairs...), [2]string{promql.ClusterLabel, l.cluster})
}

// Series is the input series of metric m with these labels.
func (l Labels) Series(m *metric.Metric, values string) Series {
	return l.series(m.Name, values)
}

// Buckets is the input series of histogram m's bucket le, its le written as a scrape by
// Prometheus 3 stores it ("1" as "1.0"), so that tests see what the live server has.
func (l Labels) Buckets(m *metric.Metric, le, values string) Series {
	if v, err := strconv.ParseFloat(le, 64); err == nil {
		le = promql.LE(v)
	}
	return l.With("le", le).series(m.Name+"_bucket", values)
}

// Sums is the input series of a histogram's or summary's _sum.
func (l Labels) Sums(m *metric.Metric, values string) Series {
	return l.series(m.Name+"_sum", values)
}

func (l Labels) series(name, values string) Series {
	all := l.all()
	parts := make([]string, len(all))
	for i, p := range all {
		parts[i] = p[0] + "=\"" + p[1] + "\""
	}
	return Series{Series: name + "{" + strings.Join(parts, ",") + "}", Values: values}
}

// Expect is the whole label set, as the labels an alert keeps.
func (l Labels) Expect() map[string]string {
	out := map[string]string{}
	for _, p := range l.all() {
		out[p[0]] = p[1]
	}
	return out
}

// Keep is the subset of the labels named, as an aggregating alert keeps them.
func (l Labels) Keep(names ...string) map[string]string {
	all := l.Expect()
	out := map[string]string{}
	for _, n := range names {
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return out
}

// Merge joins expected label sets.
func Merge(sets ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range sets {
		maps.Copy(out, s)
	}
	return out
}
