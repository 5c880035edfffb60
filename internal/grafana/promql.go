package grafana

import (
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// Small PromQL helpers, so dashboard declarations say what they show and every selector
// carries the job and instance matchers. Metrics are catalog identifiers (fmt.Stringer).

// S is the selector of metric m (or a series of it, with suffix) with the job and
// instance matchers and any further matchers (`topic="x"`).
func S(m fmt.Stringer, matchers ...string) string {
	return m.String() + "{" + strings.Join(append([]string{JobInstance}, matchers...), ",") + "}"
}

// Series is S for one series of a histogram or summary (suffix "_sum", "_bucket").
func Series(m fmt.Stringer, suffix string, matchers ...string) string {
	return S(named(m.String()+suffix), matchers...)
}

type named string

func (n named) String() string { return string(n) }

// Rate is the per-second rate of counter m over $__rate_interval.
func Rate(m fmt.Stringer, matchers ...string) string {
	return "rate(" + S(m, matchers...) + "[$__rate_interval])"
}

// RateOf is Rate for one series of a histogram or summary.
func RateOf(m fmt.Stringer, suffix string, matchers ...string) string {
	return "rate(" + Series(m, suffix, matchers...) + "[$__rate_interval])"
}

// Sum is sum by (labels) (expr); no labels sums everything.
func Sum(by string, expr string) string {
	if by == "" {
		return "sum(" + expr + ")"
	}
	return "sum by (" + by + ") (" + expr + ")"
}

// Max is max by (labels) (expr).
func Max(by string, expr string) string {
	if by == "" {
		return "max(" + expr + ")"
	}
	return "max by (" + by + ") (" + expr + ")"
}

// Min is min by (labels) (expr).
func Min(by string, expr string) string {
	if by == "" {
		return "min(" + expr + ")"
	}
	return "min by (" + by + ") (" + expr + ")"
}

// Quantile is the q-quantile of histogram m, by labels.
func Quantile(q float64, m fmt.Stringer, by string, matchers ...string) string {
	le := "le"
	if by != "" {
		le = "le, " + by
	}
	return fmt.Sprintf("histogram_quantile(%g, %s)", q, Sum(le, RateOf(m, "_bucket", matchers...)))
}

// NamesMetric says whether a dashboard query selects series name.
func NamesMetric(expr, name string) bool {
	e, err := parse(expr)
	if err != nil {
		return false
	}
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name == name {
			found = true
		}
		return nil
	})
	return found
}

// MetricNames lists the metric names a PromQL expression selects, in order of appearance.
func MetricNames(expr string) ([]string, error) {
	e, err := parse(expr)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && vs.Name != "" && !seen[vs.Name] {
			seen[vs.Name] = true
			out = append(out, vs.Name)
		}
		return nil
	})
	return out, nil
}
