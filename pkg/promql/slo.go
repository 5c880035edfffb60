package promql

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Deriv is the per-second derivative of gauge selector e over d, by linear regression: the
// trend of a value that saws up and down (a backlog between micro-batches).
func Deriv(e Expr, d time.Duration) Expr { return ranged("deriv", e, d, false) }

// ClampMin is e with every value below lo raised to lo.
func ClampMin(e Expr, lo float64) Expr {
	return Expr{&call{fn: "clamp_min", args: []node{e.n, number(lo)}}}
}

// ClampMax is e with every value above hi lowered to hi.
func ClampMax(e Expr, hi float64) Expr {
	return Expr{&call{fn: "clamp_max", args: []node{e.n, number(hi)}}}
}

// LE is a histogram bucket's le label as Prometheus 3 stores it: scrapes normalize the
// value to a float ("30" becomes "30.0"), so a matcher on le="30" finds nothing.
func LE(upper float64) string {
	s := strconv.FormatFloat(upper, 'f', -1, 64)
	switch {
	case math.IsInf(upper, 1):
		return "+Inf"
	case !strings.ContainsAny(s, ".e"):
		return s + ".0"
	}
	return s
}
