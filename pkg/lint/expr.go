// Package lint checks PromQL expressions against the metric catalog: every selector names a
// declared metric (or a recorded series), rate-like functions take counters only, and a
// counter is never compared raw (but whether it counted anything in a range: see countedAny).
// Rules and dashboards both run their expressions through it.
package lint

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/metric"
)

// Checker checks expressions against a catalog and a set of recorded series names.
type Checker struct {
	Catalog  *metric.Catalog
	Recorded map[string]bool // names produced by recording rules
}

// builtin series that Prometheus itself synthesises for alerting rules.
var builtin = map[string]bool{"ALERTS_FOR_STATE": true}

// functions whose range argument must be a counter.
var counterFuncs = map[string]bool{"rate": true, "irate": true, "increase": true, "resets": true}

// functions under which a raw counter is harmless: they look at presence, change or time,
// not at the counter's absolute value.
var counterSafe = map[string]bool{
	"rate": true, "irate": true, "increase": true, "resets": true, "changes": true,
	"absent": true, "absent_over_time": true, "present_over_time": true, "count_over_time": true, "timestamp": true,
}

// Grafana variables that stand where PromQL wants a duration.
var grafanaDuration = regexp.MustCompile(`\$(__rate_interval|__interval|__range)\b|\$\{(__rate_interval|__interval|__range)\}`)

// Parse parses an expression; Grafana's duration variables are replaced by durations first,
// so dashboard queries parse too.
func Parse(expr string) (parser.Expr, error) {
	expr = grafanaDuration.ReplaceAllString(expr, "5m")
	return parser.NewParser(parser.Options{}).ParseExpr(expr)
}

// Check returns every problem of one expression. An unparsable expression yields one error.
func (c Checker) Check(expr string) []error {
	e, err := Parse(expr)
	if err != nil {
		return []error{fmt.Errorf("invalid PromQL: %w", err)}
	}
	var errs []error
	seen := map[string]bool{}
	report := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if !seen[msg] {
			seen[msg] = true
			errs = append(errs, fmt.Errorf("%s", msg))
		}
	}
	parser.Inspect(e, func(node parser.Node, path []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := selectorName(vs)
		if name == "" {
			report("selector %s does not name a metric exactly", vs.String())
			return nil
		}
		if builtin[name] || c.Recorded[name] {
			return nil
		}
		m, ok := c.Catalog.Lookup(name)
		if !ok {
			report("metric %q is not declared in the catalog", name)
			return nil
		}
		counter := m.IsCounter(name)
		if call := enclosingRangeCall(path); call != "" && counterFuncs[call] && !counter {
			report("%s() over %q, a %s, not a counter", call, name, m.Type)
		}
		if counter && !underAny(path, counterSafe) && underComparison(path) && !countedAny(path) {
			report("counter %q compared raw; wrap it in rate() or increase()", name)
		}
		return nil
	})
	return errs
}

// Metrics lists the metric names an expression selects, sorted; nil on a parse error.
func Metrics(expr string) []string {
	e, err := Parse(expr)
	if err != nil {
		return nil
	}
	set := map[string]bool{}
	parser.Inspect(e, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			if n := selectorName(vs); n != "" {
				set[n] = true
			}
		}
		return nil
	})
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func selectorName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// enclosingRangeCall is the function that directly takes the selector's range, if any.
func enclosingRangeCall(path []parser.Node) string {
	for i := len(path) - 1; i >= 0; i-- {
		switch n := path[i].(type) {
		case *parser.MatrixSelector, *parser.SubqueryExpr, *parser.ParenExpr, parser.Expressions:
			continue
		case *parser.Call:
			return n.Func.Name
		default:
			return ""
		}
	}
	return ""
}

func underAny(path []parser.Node, funcs map[string]bool) bool {
	for _, n := range path {
		switch n := n.(type) {
		case *parser.Call:
			if funcs[n.Func.Name] {
				return true
			}
		case *parser.AggregateExpr:
			// count(), group() look at how many series there are, not at their values.
			if n.Op == parser.COUNT || n.Op == parser.GROUP || n.Op == parser.COUNT_VALUES {
				return true
			}
		}
	}
	return false
}

// countedAny says whether the selector is the counter of max_over_time(counter[range]) > 0:
// whether the process counted anything at all within the range. The one raw comparison of
// a counter that means something whatever its absolute value, for an event that ends the
// process (a stream driver giving up on a data loss): the process may be scraped only once
// it has counted it, so increase() sees no change, while its highest value in the range is
// at least 1. Any other threshold, function or aggregation in between is still reported.
func countedAny(path []parser.Node) bool {
	i := len(path) - 1
	if i < 0 {
		return false
	}
	if _, ok := path[i].(*parser.MatrixSelector); !ok {
		return false
	}
	i--
	if i < 0 {
		return false
	}
	if _, ok := path[i].(parser.Expressions); ok {
		i--
	}
	if i < 0 {
		return false
	}
	if c, ok := path[i].(*parser.Call); !ok || c.Func.Name != "max_over_time" {
		return false
	}
	call := path[i]
	for i--; i >= 0; i-- {
		p, ok := path[i].(*parser.ParenExpr)
		if !ok {
			break
		}
		call = p
	}
	if i < 0 {
		return false
	}
	b, ok := path[i].(*parser.BinaryExpr)
	if !ok || b.Op != parser.GTR || b.LHS != call || b.ReturnBool {
		return false
	}
	n, ok := unparen(b.RHS).(*parser.NumberLiteral)
	return ok && n.Val == 0
}

func unparen(e parser.Expr) parser.Expr {
	for {
		p, ok := e.(*parser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

func underComparison(path []parser.Node) bool {
	for _, n := range path {
		if b, ok := n.(*parser.BinaryExpr); ok && b.Op.IsComparisonOperator() {
			return true
		}
	}
	return false
}

// Join formats errors of one subject on one line each.
func Join(subject string, errs []error) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = subject + ": " + e.Error()
	}
	return strings.Join(lines, "\n")
}
