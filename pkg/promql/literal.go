package promql

import "github.com/prometheus/prometheus/promql/parser"

type number float64

func (n number) build(opts) (parser.Expr, labelSet, error) {
	return &parser.NumberLiteral{Val: float64(n)}, labelSet{}, nil
}

// Num is a number literal.
func Num(v float64) Expr { return Expr{number(v)} }

type str string

func (s str) build(opts) (parser.Expr, labelSet, error) {
	return &parser.StringLiteral{Val: string(s)}, labelSet{}, nil
}
