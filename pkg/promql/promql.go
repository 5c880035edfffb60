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
package promql

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

// Form says how an expression renders.
type Form int

const (
	// Rule is the form of recording and alerting rules: job scopes as static matchers,
	// ranges as declared.
	Rule Form = iota
	// Panel is the form of dashboard queries: every selector matches $job and $instance,
	// rate-like ranges are $__rate_interval.
	Panel
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

// rateInterval stands for $__rate_interval in the AST; no declaration uses this range.
const rateInterval = 4*time.Minute + 33*time.Second

// RateIntervalVar is what a panel-form range of a rate-like function becomes.
const RateIntervalVar = "$__rate_interval"

// Grouped stands, in the labels of an aggregation, for the grouping the expression is
// rendered with (RenderGrouped): a signal declares its expression once and is shown per
// instance in an alert, per topic or in total on panels.
const Grouped = "\x00grouped"

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

// Labels lists the label names e's result carries (job and instance included), sorted.
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

// LabelError is a label that an expression uses but no metric underneath declares.
type LabelError struct {
	Label string   // the label used
	Where string   // the selector or operator that uses it
	Have  []string // the labels available there
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("label %q of %s is not declared (has %s)", e.Label, e.Where, strings.Join(e.Have, ", "))
}

// labelSet is the set of label names an expression's result carries.
type labelSet map[string]bool

func (s labelSet) sorted() []string {
	out := make([]string, 0, len(s))
	for l := range s {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func (s labelSet) need(where string, ls ...string) error {
	var errs []error
	for _, l := range ls {
		if !s[l] {
			errs = append(errs, &LabelError{Label: l, Where: where, Have: s.sorted()})
		}
	}
	return errors.Join(errs...)
}

func setOf(ls ...string) labelSet {
	s := labelSet{}
	for _, l := range ls {
		s[l] = true
	}
	return s
}

// --- selectors

// Matcher narrows a selector.
type Matcher struct {
	typ         labels.MatchType
	name, value string
	jobs        []stack.Component // set for a job scope
}

// Eq matches label name equal to value.
func Eq(name, value string) Matcher { return Matcher{typ: labels.MatchEqual, name: name, value: value} }

// Ne matches label name not equal to value.
func Ne(name, value string) Matcher {
	return Matcher{typ: labels.MatchNotEqual, name: name, value: value}
}

// Re matches label name against a regular expression.
func Re(name, re string) Matcher { return Matcher{typ: labels.MatchRegexp, name: name, value: re} }

// NotRe matches label name not matching a regular expression.
func NotRe(name, re string) Matcher {
	return Matcher{typ: labels.MatchNotRegexp, name: name, value: re}
}

// Jobs scopes a selector to the jobs of the given components: a static matcher in rule
// form; in panel form it stays only where it narrows what the metric's exporters give, or
// where every process exports the metric (EveryProcess).
func Jobs(cs ...stack.Component) Matcher { return Matcher{name: "job", jobs: cs} }

// Narrow adds matchers ms to every selector of e whose metric declares their label, and
// leaves the other selectors as they are: what a dashboard variable over a label
// (query=~"$query") does to the queries of its board. Job scopes are not narrowing matchers.
func Narrow(e Expr, ms ...Matcher) Expr {
	for _, m := range ms {
		if m.jobs != nil {
			return Expr{&invalid{errors.New("promql: Narrow takes label matchers, not a job scope")}}
		}
	}
	return Expr{&narrowed{e: e.n, ms: ms}}
}

type narrowed struct {
	e  node
	ms []Matcher
}

func (n *narrowed) build(o opts) (parser.Expr, labelSet, error) {
	if n.e == nil {
		return nil, nil, errors.New("promql: empty expression")
	}
	o.narrow = append(slices.Clone(o.narrow), n.ms...)
	return n.e.build(o)
}

type selector struct {
	metric   *metric.Metric
	suffix   string // "_bucket", "_sum", "_count" of a histogram or summary
	matchers []Matcher
	offset   time.Duration
}

// Select selects catalog metric m.
func Select(m *metric.Metric, ms ...Matcher) Expr { return Expr{&selector{metric: m, matchers: ms}} }

// Buckets selects the _bucket series of histogram m.
func Buckets(m *metric.Metric, ms ...Matcher) Expr {
	return Expr{&selector{metric: m, suffix: "_bucket", matchers: ms}}
}

// SumSeries selects the _sum series of histogram or summary m.
func SumSeries(m *metric.Metric, ms ...Matcher) Expr {
	return Expr{&selector{metric: m, suffix: "_sum", matchers: ms}}
}

// CountSeries selects the _count series of histogram or summary m.
func CountSeries(m *metric.Metric, ms ...Matcher) Expr {
	return Expr{&selector{metric: m, suffix: "_count", matchers: ms}}
}

// Recorded selects the series the recording rule named record writes from expression
// from; the series carry from's labels. In panel form it is from itself: recorded series
// keep only the rule's labels, so a dashboard could not narrow them by $job and $instance.
func Recorded(record string, from Expr) Expr { return Expr{&recorded{name: record, from: from.n}} }

type recorded struct {
	name string
	from node
}

func (r *recorded) build(o opts) (parser.Expr, labelSet, error) {
	if r.from == nil {
		return nil, nil, fmt.Errorf("promql: recorded series %s has no expression", r.name)
	}
	if o.panel() {
		return r.from.build(o)
	}
	_, ls, err := r.from.build(opts{form: Rule, window: o.window})
	if err != nil {
		return nil, nil, fmt.Errorf("promql: recorded series %s: %w", r.name, err)
	}
	m, err := labels.NewMatcher(labels.MatchEqual, labels.MetricName, r.name)
	if err != nil {
		return nil, nil, err
	}
	return &parser.VectorSelector{Name: r.name, LabelMatchers: []*labels.Matcher{m}}, ls, nil
}

// Offset shifts a selector back by d.
func Offset(e Expr, d time.Duration) Expr {
	s, ok := e.n.(*selector)
	if !ok {
		return Expr{&invalid{fmt.Errorf("promql: offset of %T, not a selector", e.n)}}
	}
	c := *s
	c.offset = d
	return Expr{&c}
}

func (s *selector) name() string { return s.metric.Name + s.suffix }

func (s *selector) available() labelSet {
	ls := setOf(append([]string{"job", "instance"}, s.metric.Labels...)...)
	switch {
	case s.suffix == "_bucket":
		ls["le"] = true
	case s.metric.Type == metric.Summary && s.suffix == "":
		ls["quantile"] = true
	}
	return ls
}

func (s *selector) build(o opts) (parser.Expr, labelSet, error) {
	name := s.name()
	have := s.available()
	var errs []error
	var ms []*labels.Matcher
	add := func(t labels.MatchType, n, v string) {
		m, err := labels.NewMatcher(t, n, v)
		if err != nil {
			errs = append(errs, fmt.Errorf("promql: %s: matcher %s: %w", name, n, err))
			return
		}
		ms = append(ms, m)
	}
	if o.panel() {
		add(labels.MatchRegexp, "job", "$job")
		add(labels.MatchRegexp, "instance", "$instance")
	}
	for _, m := range s.matchers {
		if err := have.need(name+" selector", m.name); err != nil {
			errs = append(errs, err)
			continue
		}
		if m.jobs != nil {
			if o.panel() && !narrows(m.jobs, s.metric.Exporter) && !EveryProcess(s.metric.Name) {
				continue
			}
			t, v := jobMatch(m.jobs)
			add(t, "job", v)
			continue
		}
		add(m.typ, m.name, m.value)
	}
	for _, m := range o.narrow {
		if have[m.name] {
			add(m.typ, m.name, m.value)
		}
	}
	add(labels.MatchEqual, labels.MetricName, name)
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return &parser.VectorSelector{Name: name, LabelMatchers: ms, OriginalOffset: s.offset}, have, nil
}

func jobMatch(cs []stack.Component) (labels.MatchType, string) {
	if len(cs) == 1 {
		return labels.MatchEqual, string(cs[0])
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return labels.MatchRegexp, strings.Join(names, "|")
}

// EveryProcess says whether every kind of process exports the metric called name (up,
// process_*, jvm_*, go_*), whatever the catalog lists as its exporters: a job scope on it
// always narrows a panel, whose job variable's All is .+, so it stays in panel form.
func EveryProcess(name string) bool {
	return name == "up" || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "jvm_") || strings.HasPrefix(name, "go_")
}

// narrows says whether scope leaves out some exporter of the metric.
func narrows(scope, exporters []stack.Component) bool {
	for _, e := range exporters {
		if !slices.Contains(scope, e) {
			return true
		}
	}
	return false
}

// --- numbers and functions without vector arguments

type number float64

func (n number) build(opts) (parser.Expr, labelSet, error) {
	return &parser.NumberLiteral{Val: float64(n)}, labelSet{}, nil
}

// Num is a number literal.
func Num(v float64) Expr { return Expr{number(v)} }

type invalid struct{ err error }

func (i *invalid) build(opts) (parser.Expr, labelSet, error) { return nil, nil, i.err }

// --- function calls

type call struct {
	fn    string
	args  []node
	rng   time.Duration // >0: the first argument is a selector taken over this range
	rated bool          // rate-like: the range is $__rate_interval in panel form
	// out derives the result's labels from those of argument outArg; nil keeps them.
	out    func(in labelSet) (labelSet, error)
	outArg int
}

func (c *call) build(o opts) (parser.Expr, labelSet, error) {
	fn, ok := parser.Functions[c.fn]
	if !ok {
		return nil, nil, fmt.Errorf("promql: unknown function %s", c.fn)
	}
	var args parser.Expressions
	var in labelSet
	var errs []error
	for i, a := range c.args {
		ast, ls, err := a.build(o)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if i == 0 && c.rng != 0 {
			vs, ok := ast.(*parser.VectorSelector)
			if !ok {
				errs = append(errs, fmt.Errorf("promql: %s() takes a selector's range, not %s", c.fn, ast))
				continue
			}
			r := c.rng
			fixed := false
			if r == Window {
				if o.window <= 0 {
					errs = append(errs, fmt.Errorf("promql: %s() over the signal's window, but none was given", c.fn))
					continue
				}
				r, fixed = o.window, o.fixed
			}
			if o.panel() && c.rated && !fixed {
				r = rateInterval
			}
			ast = &parser.MatrixSelector{VectorSelector: vs, Range: r}
		}
		if i == c.outArg {
			in = ls
		}
		args = append(args, ast)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	if in == nil {
		in = labelSet{}
	}
	out := in
	if c.out != nil {
		var err error
		if out, err = c.out(in); err != nil {
			return nil, nil, err
		}
	}
	return &parser.Call{Func: fn, Args: args}, out, nil
}

func ranged(fn string, e Expr, d time.Duration, rated bool, extra ...node) Expr {
	return Expr{&call{fn: fn, args: append([]node{e.n}, extra...), rng: d, rated: rated}}
}

// Rate is the per-second rate of counter selector e over d ($__rate_interval in panels).
func Rate(e Expr, d time.Duration) Expr { return ranged("rate", e, d, true) }

// Irate is the instant rate of counter selector e, looking back d.
func Irate(e Expr, d time.Duration) Expr { return ranged("irate", e, d, true) }

// Increase is how much counter selector e grew over d ($__rate_interval in panels).
func Increase(e Expr, d time.Duration) Expr { return ranged("increase", e, d, true) }

// AvgOverTime is the average of gauge selector e over d.
func AvgOverTime(e Expr, d time.Duration) Expr { return ranged("avg_over_time", e, d, false) }

// MaxOverTime is the maximum of gauge selector e over d.
func MaxOverTime(e Expr, d time.Duration) Expr { return ranged("max_over_time", e, d, false) }

// PredictLinear is the value gauge selector e will have in ahead, by linear regression over d.
func PredictLinear(e Expr, d, ahead time.Duration) Expr {
	return ranged("predict_linear", e, d, false, number(ahead.Seconds()))
}

// Time is the evaluation time, in seconds since the epoch.
func Time() Expr { return Expr{&call{fn: "time"}} }

// Vector is a one-sample vector without labels: the usual `or vector(0)` fallback.
func Vector(v float64) Expr {
	return Expr{&call{fn: "vector", args: []node{number(v)}, out: func(labelSet) (labelSet, error) { return labelSet{}, nil }}}
}

// HistogramQuantile is the q-quantile of bucket rates e, which must keep le.
func HistogramQuantile(q float64, e Expr) Expr {
	return Expr{&call{fn: "histogram_quantile", args: []node{number(q), e.n}, outArg: 1, out: func(in labelSet) (labelSet, error) {
		if err := in.need("histogram_quantile", "le"); err != nil {
			return nil, err
		}
		out := labelSet{}
		for l := range in {
			if l != "le" {
				out[l] = true
			}
		}
		return out, nil
	}}}
}

// LabelReplace is label_replace(e, dst, replacement, src, regex).
func LabelReplace(e Expr, dst, replacement, src, regex string) Expr {
	args := []node{e.n, str(dst), str(replacement), str(src), str(regex)}
	return Expr{&call{fn: "label_replace", args: args, out: func(in labelSet) (labelSet, error) {
		if err := in.need("label_replace", src); err != nil {
			return nil, err
		}
		out := labelSet{dst: true}
		for l := range in {
			out[l] = true
		}
		return out, nil
	}}}
}

type str string

func (s str) build(opts) (parser.Expr, labelSet, error) {
	return &parser.StringLiteral{Val: string(s)}, labelSet{}, nil
}

// --- aggregations

type aggregate struct {
	op      parser.ItemType
	e       node
	by      []string
	without bool
}

func (a *aggregate) build(o opts) (parser.Expr, labelSet, error) {
	ast, in, err := a.e.build(o)
	if err != nil {
		return nil, nil, err
	}
	by := a.by
	if i := slices.Index(by, Grouped); i >= 0 {
		by = slices.Concat(by[:i], o.group, by[i+1:])
	}
	where := a.op.String() + " by (" + strings.Join(by, ", ") + ")"
	if a.without {
		where = a.op.String() + " without (" + strings.Join(by, ", ") + ")"
	}
	if err := in.need(where, by...); err != nil {
		return nil, nil, err
	}
	out := setOf(by...)
	if a.without {
		out = labelSet{}
		for l := range in {
			if !slices.Contains(by, l) {
				out[l] = true
			}
		}
	}
	return &parser.AggregateExpr{Op: a.op, Expr: ast, Grouping: by, Without: a.without}, out, nil
}

func agg(op parser.ItemType, e Expr, by []string) Expr {
	return Expr{&aggregate{op: op, e: e.n, by: by}}
}

// Sum is sum by (by) (e); no labels sums everything.
func Sum(e Expr, by ...string) Expr { return agg(parser.SUM, e, by) }

// Max is max by (by) (e).
func Max(e Expr, by ...string) Expr { return agg(parser.MAX, e, by) }

// Min is min by (by) (e).
func Min(e Expr, by ...string) Expr { return agg(parser.MIN, e, by) }

// Avg is avg by (by) (e).
func Avg(e Expr, by ...string) Expr { return agg(parser.AVG, e, by) }

// Count is count by (by) (e).
func Count(e Expr, by ...string) Expr { return agg(parser.COUNT, e, by) }

// SumWithout is sum without (labels) (e).
func SumWithout(e Expr, labels ...string) Expr {
	return Expr{&aggregate{op: parser.SUM, e: e.n, by: labels, without: true}}
}

// --- binary operators

// Match is the vector matching of a binary operator: On, Ignoring, GroupLeft.
type Match func(*parser.VectorMatching)

// On matches series on the given labels only.
func On(ls ...string) Match {
	return func(m *parser.VectorMatching) { m.On, m.MatchingLabels = true, nonNil(ls) }
}

// Ignoring matches series on every label but the given ones.
func Ignoring(ls ...string) Match {
	return func(m *parser.VectorMatching) { m.On, m.MatchingLabels = false, nonNil(ls) }
}

// GroupLeft allows many series on the left for one on the right, copying include from it.
func GroupLeft(include ...string) Match {
	return func(m *parser.VectorMatching) { m.Card, m.Include = parser.CardManyToOne, include }
}

func nonNil(ls []string) []string {
	if ls == nil {
		return []string{}
	}
	return ls
}

type binary struct {
	op    parser.ItemType
	l, r  node
	match []Match
}

func (b *binary) build(o opts) (parser.Expr, labelSet, error) {
	l, ll, lerr := b.l.build(o)
	r, rl, rerr := b.r.build(o)
	if err := errors.Join(lerr, rerr); err != nil {
		return nil, nil, err
	}
	_, lnum := b.l.(number)
	_, rnum := b.r.(number)
	lscalar := lnum || isScalarCall(b.l)
	rscalar := rnum || isScalarCall(b.r)
	var vm *parser.VectorMatching
	if !lscalar && !rscalar {
		vm = &parser.VectorMatching{Card: parser.CardOneToOne}
		if b.op.IsSetOperator() {
			vm.Card = parser.CardManyToMany
		}
		for _, m := range b.match {
			m(vm)
		}
		where := b.op.String() + " on (" + strings.Join(vm.MatchingLabels, ", ") + ")"
		if vm.On {
			if err := errors.Join(ll.need(where, vm.MatchingLabels...), rl.need(where, vm.MatchingLabels...)); err != nil {
				return nil, nil, err
			}
		}
		if err := rl.need(b.op.String()+" group_left", vm.Include...); err != nil {
			return nil, nil, err
		}
	} else if len(b.match) > 0 {
		return nil, nil, fmt.Errorf("promql: vector matching on %s with a scalar side", b.op)
	}
	out := labelSet{}
	switch {
	case lscalar && rscalar:
	case lscalar:
		out = rl
	case b.op == parser.LOR:
		for l := range ll {
			out[l] = true
		}
		for l := range rl {
			out[l] = true
		}
	default:
		for l := range ll {
			out[l] = true
		}
		if vm != nil {
			for _, l := range vm.Include {
				out[l] = true
			}
		}
	}
	return &parser.BinaryExpr{Op: b.op, LHS: paren(l, b.op, false), RHS: paren(r, b.op, true), VectorMatching: vm}, out, nil
}

func isScalarCall(n node) bool {
	c, ok := n.(*call)
	return ok && c.fn == "time"
}

// paren wraps a side whose operator binds less tightly than op, which the AST printer
// does not do on its own.
func paren(e parser.Expr, op parser.ItemType, right bool) parser.Expr {
	b, ok := e.(*parser.BinaryExpr)
	if !ok {
		return e
	}
	p, q := precedence(b.Op), precedence(op)
	if p < q || (right && p == q && op != parser.POW) || (!right && p == q && op == parser.POW) {
		return &parser.ParenExpr{Expr: e}
	}
	return e
}

// precedence is PromQL's binding power of a binary operator (the parser keeps its own
// unexported).
func precedence(op parser.ItemType) int {
	switch {
	case op == parser.POW:
		return 6
	case op == parser.MUL || op == parser.DIV || op == parser.MOD || op == parser.ATAN2:
		return 5
	case op == parser.ADD || op == parser.SUB:
		return 4
	case op.IsComparisonOperator():
		return 3
	case op == parser.LAND || op == parser.LUNLESS:
		return 2
	}
	return 1 // or
}

func (e Expr) bin(op parser.ItemType, o Expr, ms []Match) Expr {
	if e.n == nil || o.n == nil {
		return Expr{&invalid{errors.New("promql: operand of " + op.String() + " is empty")}}
	}
	return Expr{&binary{op: op, l: e.n, r: o.n, match: ms}}
}

// Add is e + o.
func (e Expr) Add(o Expr, ms ...Match) Expr { return e.bin(parser.ADD, o, ms) }

// Sub is e - o.
func (e Expr) Sub(o Expr, ms ...Match) Expr { return e.bin(parser.SUB, o, ms) }

// Mul is e * o.
func (e Expr) Mul(o Expr, ms ...Match) Expr { return e.bin(parser.MUL, o, ms) }

// Div is e / o.
func (e Expr) Div(o Expr, ms ...Match) Expr { return e.bin(parser.DIV, o, ms) }

// GT is e > o, filtering.
func (e Expr) GT(o Expr, ms ...Match) Expr { return e.bin(parser.GTR, o, ms) }

// GE is e >= o.
func (e Expr) GE(o Expr, ms ...Match) Expr { return e.bin(parser.GTE, o, ms) }

// LT is e < o.
func (e Expr) LT(o Expr, ms ...Match) Expr { return e.bin(parser.LSS, o, ms) }

// LE is e <= o.
func (e Expr) LE(o Expr, ms ...Match) Expr { return e.bin(parser.LTE, o, ms) }

// EQ is e == o.
func (e Expr) EQ(o Expr, ms ...Match) Expr { return e.bin(parser.EQLC, o, ms) }

// NE is e != o.
func (e Expr) NE(o Expr, ms ...Match) Expr { return e.bin(parser.NEQ, o, ms) }

// And keeps the series of e that have a match in o.
func (e Expr) And(o Expr, ms ...Match) Expr { return e.bin(parser.LAND, o, ms) }

// Or is e, completed by the series of o that e lacks.
func (e Expr) Or(o Expr, ms ...Match) Expr { return e.bin(parser.LOR, o, ms) }

// Unless keeps the series of e that have no match in o.
func (e Expr) Unless(o Expr, ms ...Match) Expr { return e.bin(parser.LUNLESS, o, ms) }

// Compare is e op o for a comparison operator given as text (">", "<=", ...).
func (e Expr) Compare(op string, o Expr) Expr {
	switch op {
	case ">":
		return e.GT(o)
	case ">=":
		return e.GE(o)
	case "<":
		return e.LT(o)
	case "<=":
		return e.LE(o)
	case "==":
		return e.EQ(o)
	case "!=":
		return e.NE(o)
	}
	return Expr{&invalid{fmt.Errorf("promql: %q is not a comparison", op)}}
}

// --- walking

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
	}
}
