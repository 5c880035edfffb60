package promql

import (
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

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
	if !a.without {
		by = o.keepCluster(by)
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

// Sum is sum by (by) (e), by the cluster label too (ClusterLabel): no labels sums each
// cluster's series. Every aggregation keeps the cluster but within AcrossClusters.
func Sum(e Expr, by ...string) Expr { return agg(parser.SUM, e, by) }

// Max is max by (by) (e).
func Max(e Expr, by ...string) Expr { return agg(parser.MAX, e, by) }

// Min is min by (by) (e).
func Min(e Expr, by ...string) Expr { return agg(parser.MIN, e, by) }

// Avg is avg by (by) (e).
func Avg(e Expr, by ...string) Expr { return agg(parser.AVG, e, by) }

// Count is count by (by) (e).
func Count(e Expr, by ...string) Expr { return agg(parser.COUNT, e, by) }

// Group is group by (by) (e): 1 for each group of series, whatever their values.
func Group(e Expr, by ...string) Expr { return agg(parser.GROUP, e, by) }

// SumWithout is sum without (labels) (e); labels should not name the cluster.
func SumWithout(e Expr, labels ...string) Expr {
	return Expr{&aggregate{op: parser.SUM, e: e.n, by: labels, without: true}}
}
