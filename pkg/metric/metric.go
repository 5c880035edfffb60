// Package metric is how a metric is declared: its name, type, labels and which component
// exports it, and a catalog of declared metrics addressable by series name. finobs's own
// metrics are declared in package catalog; rules and dashboards reference them by Go
// identifier, and the lint rejects any selector whose metric no catalog declares.
package metric

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/finobs/finobs/pkg/stack"
)

// Type is the Prometheus metric type.
type Type string

const (
	Counter   Type = "counter"
	Gauge     Type = "gauge"
	Histogram Type = "histogram"
	Summary   Type = "summary"
)

// Presence says when a series of the metric exists on a healthy, busy stack. The live check
// expects series only for Always metrics; the others are reported, not failed.
type Presence int

const (
	// Always: exported as soon as the component runs.
	Always Presence = iota
	// OnFault: exported only while something is wrong (e.g. an alert is firing).
	OnFault
	// OnDemand: exported only when an optional component or feature runs
	// (e.g. a 3-node quorum, a second Spark query).
	OnDemand
)

// Metric is one declared metric.
type Metric struct {
	Name     string
	Type     Type
	Help     string
	Labels   []string          // labels beyond job and instance
	Exporter []stack.Component // who exports it
	Presence Presence
	// JMX, when set, is how the JMX exporter derives the metric from a Kafka MBean.
	JMX *JMX
	// Rename, when set, is how Prometheus derives the metric from the name the exporter
	// gives it (metric_relabel_configs), for exporters whose names are not stable.
	Rename *Rename
}

// Rename turns an exported series name matching From (anchored regex) into the metric's
// name, setting Labels from the regex's groups.
type Rename struct {
	From   string
	Labels map[string]string
}

// JMX is one JMX exporter rule (agent 1.0.1 config format).
type JMX struct {
	Pattern string            // matched against "domain<beanprops><keys>attribute"
	Labels  map[string]string // label values may use the pattern's capture groups ($1)
	// Value is an optional value expression of the exporter (e.g. "$1"); empty takes the attribute.
	Value string
	// ValueFactor scales the value (e.g. 0.001 for milliseconds to seconds).
	ValueFactor float64
}

// String is the metric name, so metrics drop into PromQL through fmt verbs.
func (m *Metric) String() string { return m.Name }

// IsCounter says whether the series named n (which may carry a histogram/summary suffix)
// is a monotonic counter.
func (m *Metric) IsCounter(series string) bool {
	switch m.Type {
	case Counter:
		return true
	case Histogram, Summary:
		return strings.HasSuffix(series, "_count") || strings.HasSuffix(series, "_sum") || strings.HasSuffix(series, "_bucket")
	}
	return false
}

// Series are the series names the metric produces.
func (m *Metric) Series() []string {
	switch m.Type {
	case Histogram:
		return []string{m.Name + "_bucket", m.Name + "_sum", m.Name + "_count"}
	case Summary:
		return []string{m.Name, m.Name + "_sum", m.Name + "_count"}
	}
	return []string{m.Name}
}

// ExportedBy says whether component c exports the metric.
func (m *Metric) ExportedBy(c stack.Component) bool {
	for _, e := range m.Exporter {
		if e == c {
			return true
		}
	}
	return false
}

// Catalog is a set of metrics, addressable by series name.
type Catalog struct {
	metrics []*Metric
	series  map[string]*Metric
}

// New builds a catalog and validates it: unique, well-formed names, known types, an
// exporter and a help text for each metric.
func New(ms ...*Metric) (*Catalog, error) {
	c := &Catalog{series: map[string]*Metric{}}
	var errs []string
	for _, m := range ms {
		if err := m.validate(); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		for _, s := range m.Series() {
			if prev, ok := c.series[s]; ok {
				errs = append(errs, fmt.Sprintf("metric %q: series %q already declared by %q", m.Name, s, prev.Name))
				continue
			}
			c.series[s] = m
		}
		c.metrics = append(c.metrics, m)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("catalog: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

var nameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

func (m *Metric) validate() error {
	switch {
	case !nameRE.MatchString(m.Name):
		return fmt.Errorf("metric %q: invalid name", m.Name)
	case m.Type != Counter && m.Type != Gauge && m.Type != Histogram && m.Type != Summary:
		return fmt.Errorf("metric %q: unknown type %q", m.Name, m.Type)
	case len(m.Exporter) == 0:
		return fmt.Errorf("metric %q: no exporter", m.Name)
	case m.Help == "":
		return fmt.Errorf("metric %q: no help text", m.Name)
	case m.Type == Counter && !strings.HasSuffix(m.Name, "_total"):
		return fmt.Errorf("metric %q: a counter's name ends in _total", m.Name)
	}
	return nil
}

// Lookup finds the metric that produces a series name.
func (c *Catalog) Lookup(series string) (*Metric, bool) {
	m, ok := c.series[series]
	return m, ok
}

// Metrics lists the metrics in declaration order.
func (c *Catalog) Metrics() []*Metric { return c.metrics }

// ExportedBy lists the metrics a component exports, in declaration order.
func (c *Catalog) ExportedBy(comp stack.Component) []*Metric {
	var out []*Metric
	for _, m := range c.metrics {
		if m.ExportedBy(comp) {
			out = append(out, m)
		}
	}
	return out
}

// Names lists every series name, sorted.
func (c *Catalog) Names() []string {
	out := make([]string, 0, len(c.series))
	for s := range c.series {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
