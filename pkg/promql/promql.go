// Package promql builds PromQL expressions over catalog metrics as values, so an alert and
// a panel that show the same signal share one expression. An expression renders in two
// forms: the rule form (static job matchers from the topology, fixed ranges) for recording
// and alerting rules, and the panel form (the $job and $instance variables, $__rate_interval)
// for dashboards.
//
// Expressions are built as Prometheus' own parser AST and printed by it, so the text is
// Prometheus' canonical form; rendering re-parses it, so what renders has passed the
// parser's type checks. Every label a selector matches or an operator groups or matches on
// is checked against the labels the catalog declares for the metrics underneath: a typo such
// as by (intance) is an error naming the label and what was available.
//
// Every series carries the cluster label (ClusterLabel) like job and instance, and every
// aggregation keeps it: Sum(e) is sum by (cluster) (e), Sum(e, "topic") sum by (cluster,
// topic), On() matches on (cluster); one Prometheus may scrape several clusters, and no rule
// or panel adds them together (but within AcrossClusters).
package promql

import (
	"errors"
	"slices"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/metric"
)

// Expr is a PromQL expression. The zero Expr is invalid; build one with the functions of
// this package.
type Expr struct{ n node }

type node interface {
	// build returns the AST of the node and the label names its result carries.
	build(o opts) (parser.Expr, labelSet, error)
}

// String renders e in rule form, or an error marker; for messages and tests.
func (e Expr) String() string {
	s, err := e.Render(Rule)
	if err != nil {
		return "<invalid: " + err.Error() + ">"
	}
	return s
}

// IsZero says whether e was never built.
func (e Expr) IsZero() bool { return e.n == nil }

type invalid struct{ err error }

func (i *invalid) build(opts) (parser.Expr, labelSet, error) { return nil, nil, i.err }

// Labels lists the label names e's result carries (job, instance and cluster included), sorted.
func (e Expr) Labels() ([]string, error) {
	if e.n == nil {
		return nil, errors.New("promql: empty expression")
	}
	_, ls, err := e.n.build(opts{})
	if err != nil {
		return nil, err
	}
	return ls.sorted(), nil
}

// LabelsWith is Labels of e as RenderWith renders it: Window ranges as window, Grouped as by.
func (e Expr) LabelsWith(window time.Duration, by ...string) ([]string, error) {
	if e.n == nil {
		return nil, errors.New("promql: empty expression")
	}
	_, ls, err := e.n.build(opts{group: by, grouped: true, window: window})
	if err != nil {
		return nil, err
	}
	return ls.sorted(), nil
}

// Metrics lists the catalog metrics e selects, in order of appearance.
func (e Expr) Metrics() []*metric.Metric {
	var out []*metric.Metric
	walk(e.n, func(n node) {
		if s, ok := n.(*selector); ok && !slices.Contains(out, s.metric) {
			out = append(out, s.metric)
		}
	})
	return out
}

func walk(n node, f func(node)) {
	if n == nil {
		return
	}
	f(n)
	switch n := n.(type) {
	case *call:
		for _, a := range n.args {
			walk(a, f)
		}
	case *aggregate:
		walk(n.e, f)
	case *binary:
		walk(n.l, f)
		walk(n.r, f)
	case *narrowed:
		walk(n.e, f)
	case *across:
		walk(n.e, f)
	case *deferred:
		walk(n.f().n, f)
	}
}

// Deferred is the expression f returns when e is rendered, not when it is declared: for
// declarations a deployment's config replaces after they are made (the consumer groups'
// levels under gen -config), so that every rule and panel renders what is in force.
func Deferred(f func() Expr) Expr { return Expr{&deferred{f: f}} }

type deferred struct{ f func() Expr }

func (d *deferred) build(o opts) (parser.Expr, labelSet, error) {
	e := d.f()
	if e.n == nil {
		return nil, nil, errors.New("promql: deferred expression is empty")
	}
	return e.n.build(o)
}
