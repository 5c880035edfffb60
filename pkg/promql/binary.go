package promql

import (
	"errors"
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// Match is the vector matching of a binary operator: On, Ignoring, GroupLeft.
type Match func(*parser.VectorMatching)

// On matches series on the given labels only, and on the cluster label (ClusterLabel):
// On() matches each cluster's series with its own. Within AcrossClusters, on ls alone.
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
		if vm.On {
			vm.MatchingLabels = o.keepCluster(vm.MatchingLabels)
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
