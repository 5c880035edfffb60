// Package rules models Prometheus recording and alerting rules together with their runbooks
// and promtool unit tests, and renders them to rule files, test files and runbook pages.
// The declarations themselves live in the top-level alerts package.
package rules

import (
	"time"
)

// Severity is the severity label of an alert; routing keys on it.
type Severity string

const (
	Critical Severity = "critical" // pages someone
	Warning  Severity = "warning"  // goes to chat, looked at in working hours
	Info     Severity = "info"     // dashboard only, inhibited into silence by default
)

// Severities is the allowed set, most severe first.
var Severities = []Severity{Critical, Warning, Info}

// Group is one rule group: one rule file, one test file.
type Group struct {
	Name      string        // file name and group name, e.g. "kafka-broker"
	Component string        // value of the component label on every alert of the group
	Interval  time.Duration // 0: the global evaluation interval
	Recording []Recording
	Alerts    []Alert
}

// Recording is a recording rule; Record follows level:metric:operations.
type Recording struct {
	Record string
	Expr   string
	Labels map[string]string
}

// Alert is an alerting rule with everything an on-call engineer needs beside it.
type Alert struct {
	Name        string // CamelCase
	Expr        string
	For         time.Duration
	Severity    Severity
	Labels      map[string]string // extra static labels
	Summary     string            // static, one line
	Description string            // templated: $labels and $value
	Panel       PanelRef          // the dashboard panel that explains the alert
	Dashboard   string            // dashboard_url annotation, resolved from Panel at generation
	Runbook     Runbook
	Tests       []Test
}

// PanelRef names a dashboard (by its name in package dashboards) and a panel title on it.
type PanelRef struct {
	Dashboard string
	Title     string
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
}

// Series is a promtool input series, in promtool's expanding notation ("0+10x30").
type Series struct {
	Series string
	Values string
}

// Firing is one expected firing alert: the labels the expression yields (beyond alertname,
// severity, component and static labels) and its value, which the description shows.
type Firing struct {
	Labels map[string]string
	Value  float64
}

// S is shorthand for a series in test declarations.
func S(series, values string) Series { return Series{Series: series, Values: values} }

// L is shorthand for a label set in test declarations: L("instance", "kafka-1", ...).
func L(kv ...string) map[string]string {
	if len(kv)%2 != 0 {
		panic("rules.L: odd number of arguments")
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// Fires declares a test where the alert fires with the given labels and value.
func Fires(name string, at time.Duration, labels map[string]string, value float64, series ...Series) Test {
	return Test{Name: name, Series: series, At: at, Fires: []Firing{{Labels: labels, Value: value}}}
}

// Quiet declares a test where the alert does not fire.
func Quiet(name string, at time.Duration, series ...Series) Test {
	return Test{Name: name, Series: series, At: at}
}

// ShownOn declares the dashboard panel that explains an alert.
func ShownOn(dashboard, title string) PanelRef { return PanelRef{Dashboard: dashboard, Title: title} }
