package rules

import "github.com/finobs/finobs/pkg/metric"

// Counts is the input series of a histogram's or summary's _count.
func (l Labels) Counts(m *metric.Metric, values string) Series {
	return l.series(m.Name+"_count", values)
}
