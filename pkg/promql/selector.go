package promql

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/metric"
)

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

// SumSeries selects the _sum series of histogram or summary m.
func SumSeries(m *metric.Metric, ms ...Matcher) Expr {
	return Expr{&selector{metric: m, suffix: "_sum", matchers: ms}}
}

// CountSeries selects the _count series of histogram or summary m.
func CountSeries(m *metric.Metric, ms ...Matcher) Expr {
	return Expr{&selector{metric: m, suffix: "_count", matchers: ms}}
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
	ls := setOf(append([]string{"job", "instance", ClusterLabel}, s.metric.Labels...)...)
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
		add(labels.MatchRegexp, ClusterLabel, "$"+ClusterVar)
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
			if Components == nil {
				t, v := jobMatch(m.jobs)
				add(t, "job", v)
				continue
			}
			jms, err := scopeMatchers(m.jobs)
			if err != nil {
				errs = append(errs, fmt.Errorf("promql: %s: %w", name, err))
				continue
			}
			ms = append(ms, jms...)
			continue
		}
		add(m.typ, m.name, m.value)
	}
	if len(s.metric.Exporter) > 0 && Components != nil {
		gone := true
		for _, e := range s.metric.Exporter {
			gone = gone && Absent(e)
		}
		if gone {
			errs = append(errs, fmt.Errorf("promql: %s: exported by %v: %w", name, s.metric.Exporter, ErrAbsent))
		}
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
	if o.form == Inlined {
		return r.from.build(opts{form: Inlined, window: o.window, across: o.across})
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
