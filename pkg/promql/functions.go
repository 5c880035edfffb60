package promql

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
)

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

// Deriv is the per-second derivative of gauge selector e over d, by linear regression: the
// trend of a value that saws up and down (a backlog between micro-batches).
func Deriv(e Expr, d time.Duration) Expr { return ranged("deriv", e, d, false) }

// Changes is how many times gauge selector e changed value over d: a committed offset
// that does not move changes 0 times.
func Changes(e Expr, d time.Duration) Expr { return ranged("changes", e, d, false) }

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

// ClampMin is e with every value below lo raised to lo.
func ClampMin(e Expr, lo float64) Expr {
	return Expr{&call{fn: "clamp_min", args: []node{e.n, number(lo)}}}
}

// ClampMax is e with every value above hi lowered to hi.
func ClampMax(e Expr, hi float64) Expr {
	return Expr{&call{fn: "clamp_max", args: []node{e.n, number(hi)}}}
}
