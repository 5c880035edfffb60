package promql

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
)

// Form says how an expression renders.
type Form int

const (
	// Rule is the form of recording and alerting rules: job scopes as static matchers,
	// ranges as declared.
	Rule Form = iota
	// Panel is the form of dashboard queries: every selector matches $cluster, $job and
	// $instance, rate-like ranges are $__rate_interval.
	Panel
	// Inlined is the rule form with each recorded series (Recorded) replaced by the
	// expression its rule records, as that rule renders it: what an expression reads in the
	// end, for checks that look through recording rules.
	Inlined
)

// rateInterval stands for $__rate_interval in the AST; no declaration uses this range.
const rateInterval = 4*time.Minute + 33*time.Second

// RateIntervalVar is what a panel-form range of a rate-like function becomes.
const RateIntervalVar = "$__rate_interval"

// Grouped stands, in the labels of an aggregation, for the grouping the expression is
// rendered with (RenderGrouped): a signal declares its expression once and is shown per
// instance in an alert, per topic or in total on panels.
const Grouped = "\x00grouped"

// ClusterLabel is the target label that tells clusters apart, present on every series like
// job and instance: Prometheus' scrape configs give it to every target (internal/promconfig),
// every aggregation keeps it (rules and panels never add two clusters up), and every panel
// query matches it against the dashboards' cluster variable. Declared once, here; a deployment
// whose clusters are told apart by another label sets it before rendering anything.
var ClusterLabel = "cluster"

// ClusterVar is the dashboard variable that picks clusters: panel-form selectors match
// ClusterLabel against it (cluster=~"$cluster").
const ClusterVar = "cluster"

// Window, as the range of a rate-like function, stands for the window the expression is
// rendered with (a signal's, or an alert level's own).
const Window time.Duration = -1

type opts struct {
	form    Form
	group   []string
	grouped bool          // group was given
	window  time.Duration // what Window stands for
	narrow  []Matcher     // added to every selector whose metric declares the label (Narrow)
	fixed   bool          // Window ranges stay window in panel form
	across  bool          // within AcrossClusters: aggregations and on() leave the cluster out
}

// keepCluster is labels with ClusterLabel first, unless it is there already or the
// expression adds clusters together on purpose (AcrossClusters).
func (o opts) keepCluster(labels []string) []string {
	if o.across || slices.Contains(labels, ClusterLabel) {
		return labels
	}
	return append([]string{ClusterLabel}, labels...)
}

func (o opts) panel() bool { return o.form == Panel }

// Render prints e in form f. The error names every label that no metric underneath
// declares, or the expression Prometheus' parser rejects.
func (e Expr) Render(f Form) (string, error) { return e.render(opts{form: f}) }

// RenderGrouped is Render with the Grouped labels of e's aggregations replaced by by.
func (e Expr) RenderGrouped(f Form, by ...string) (string, error) {
	return e.render(opts{form: f, group: by, grouped: true})
}

// RenderWith is RenderGrouped with Window ranges as window.
func (e Expr) RenderWith(f Form, window time.Duration, by ...string) (string, error) {
	return e.render(opts{form: f, group: by, grouped: true, window: window})
}

// RenderFixedWindow is RenderWith where Window ranges stay window in panel form too: for a
// count over a fixed window ("5 ISR shrinks in 15 minutes") that a panel must show as the
// alert counts it.
func (e Expr) RenderFixedWindow(f Form, window time.Duration, by ...string) (string, error) {
	return e.render(opts{form: f, group: by, grouped: true, window: window, fixed: true})
}

// HasGrouped says whether an aggregation of e groups by Grouped.
func (e Expr) HasGrouped() bool {
	found := false
	walk(e.n, func(n node) {
		if a, ok := n.(*aggregate); ok && slices.Contains(a.by, Grouped) {
			found = true
		}
	})
	return found
}

func (e Expr) render(o opts) (string, error) {
	if e.n == nil {
		return "", errors.New("promql: empty expression")
	}
	ast, _, err := e.n.build(o)
	if err != nil {
		return "", err
	}
	s := ast.String()
	if _, err := parser.NewParser(parser.Options{}).ParseExpr(s); err != nil {
		return "", fmt.Errorf("promql: %s: %w", s, err)
	}
	if o.panel() {
		s = strings.ReplaceAll(s, "["+model.Duration(rateInterval).String()+"]", "["+RateIntervalVar+"]")
	}
	return s, nil
}
