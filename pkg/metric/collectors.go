package metric

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/finobs/finobs/pkg/stack"
)

// Our programs build their collectors from the declarations, so that a metric's name and help
// are written once, here, and what a program exports is what the rules and dashboards were
// checked against. Building a metric as another kind than declared, or with other label names
// (constant and variable together) than declared, is a programming error: the constructors
// panic, at start-up, naming the metric.

// NewCounterVec builds the declared counter with the variable labels given, in the order the
// caller passes their values; they must be the declared labels.
func (m *Metric) NewCounterVec(labels ...string) *prometheus.CounterVec {
	m.mustBe(Counter, nil, labels)
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, labels)
}

// NewGaugeVec builds the declared gauge with the variable labels given; see NewCounterVec.
func (m *Metric) NewGaugeVec(labels ...string) *prometheus.GaugeVec {
	m.mustBe(Gauge, nil, labels)
	return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: m.Name, Help: m.Help}, labels)
}

// NewDesc is the declared metric's descriptor with the variable labels given (in the order
// the caller passes their values), for a collector that builds its metrics at each scrape.
func (m *Metric) NewDesc(labels ...string) *prometheus.Desc {
	m.mustBe(m.Type, nil, labels)
	return prometheus.NewDesc(m.Name, m.Help, labels, nil)
}

// NewCounterFunc builds the declared counter, read from f; its labels are constant, and must
// be the declared labels.
func (m *Metric) NewCounterFunc(constLabels prometheus.Labels, f func() float64) prometheus.CounterFunc {
	m.mustBe(Counter, constLabels, nil)
	return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.Name, Help: m.Help, ConstLabels: constLabels}, f)
}

// NewGaugeFunc builds the declared gauge, read from f; see NewCounterFunc.
func (m *Metric) NewGaugeFunc(constLabels prometheus.Labels, f func() float64) prometheus.GaugeFunc {
	m.mustBe(Gauge, constLabels, nil)
	return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: m.Name, Help: m.Help, ConstLabels: constLabels}, f)
}

// NewHistogram builds the declared histogram, which must have no labels. The buckets are the
// program's: the catalog does not declare them.
func (m *Metric) NewHistogram(buckets []float64) prometheus.Histogram {
	m.mustBe(Histogram, nil, nil)
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: m.Name, Help: m.Help, Buckets: buckets})
}

func (m *Metric) mustBe(kind Type, constLabels prometheus.Labels, labels []string) {
	if m.Type != kind {
		panic(fmt.Sprintf("catalog: %s is declared a %s, built as a %s", m.Name, m.Type, kind))
	}
	if names := append(slices.Collect(maps.Keys(constLabels)), labels...); !sameSet(names, m.Labels) {
		panic(fmt.Sprintf("catalog: %s is built with labels %v, declared with %v", m.Name, sorted(names), sorted(m.Labels)))
	}
}

// CheckExported compares what g gathers with what the catalog says comp exports: every metric
// declared for comp is gathered, with the declared type, help and label names (job and
// instance aside), and nothing else is gathered but client_golang's go_ and process_ metrics.
// A vector is only gathered once it has a child: the caller makes one of each first.
func (c *Catalog) CheckExported(comp stack.Component, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	declared := map[string]*Metric{}
	for _, m := range c.ExportedBy(comp) {
		declared[m.Name] = m
	}
	var errs []error
	gathered := map[string]bool{}
	for _, mf := range mfs {
		name := mf.GetName()
		gathered[name] = true
		m, ok := declared[name]
		if !ok {
			if !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") {
				errs = append(errs, fmt.Errorf("%s: exported by %s, not declared for it in the catalog", name, comp))
			}
			continue
		}
		// The exposition's type names are the catalog's, in capitals.
		if t := Type(strings.ToLower(mf.GetType().String())); t != m.Type {
			errs = append(errs, fmt.Errorf("%s: exported as a %s, declared a %s", name, t, m.Type))
		}
		if mf.GetHelp() != m.Help {
			errs = append(errs, fmt.Errorf("%s: exported with help %q, declared with %q", name, mf.GetHelp(), m.Help))
		}
		var labels []string
		for _, s := range mf.GetMetric() {
			for _, l := range s.GetLabel() {
				if n := l.GetName(); n != "job" && n != "instance" && !slices.Contains(labels, n) {
					labels = append(labels, n)
				}
			}
		}
		if !sameSet(labels, m.Labels) {
			errs = append(errs, fmt.Errorf("%s: exported with labels %v, declared with %v", name, sorted(labels), sorted(m.Labels)))
		}
	}
	for _, m := range c.ExportedBy(comp) {
		if !gathered[m.Name] {
			errs = append(errs, fmt.Errorf("%s: declared for %s, not gathered", m.Name, comp))
		}
	}
	return errors.Join(errs...)
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

func sameSet(a, b []string) bool { return slices.Equal(sorted(a), sorted(b)) }

// NewHistogramVec builds the declared histogram with the variable labels given; see
// NewCounterVec. The buckets are the program's.
func (m *Metric) NewHistogramVec(buckets []float64, labels ...string) *prometheus.HistogramVec {
	m.mustBe(Histogram, nil, labels)
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: m.Name, Help: m.Help, Buckets: buckets}, labels)
}
