package metric

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/finobs/finobs/pkg/stack"
)

func panics(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestConstructorsRefuseWhatIsNotDeclared(t *testing.T) {
	exp := []stack.Component{stack.Producer}
	sent := &Metric{Name: "sent_total", Type: Counter, Help: "Sent.", Exporter: exp, Labels: []string{"topic", "partition"}}
	depth := &Metric{Name: "depth", Type: Gauge, Help: "Depth.", Exporter: exp}
	wait := &Metric{Name: "wait_seconds", Type: Histogram, Help: "Wait.", Exporter: exp}
	one := func() float64 { return 1 }
	for name, tc := range map[string]struct {
		build func()
		want  string // "" builds
	}{
		"counter vec":            {func() { sent.NewCounterVec("partition", "topic") }, ""},
		"counter func":           {func() { sent.NewCounterFunc(prometheus.Labels{"topic": "t", "partition": "0"}, one) }, ""},
		"gauge func":             {func() { depth.NewGaugeFunc(nil, one) }, ""},
		"histogram":              {func() { wait.NewHistogram(prometheus.DefBuckets) }, ""},
		"counter as gauge":       {func() { sent.NewGaugeVec("topic", "partition") }, "sent_total is declared a counter, built as a gauge"},
		"gauge as counter":       {func() { depth.NewCounterFunc(nil, one) }, "depth is declared a gauge, built as a counter"},
		"gauge as histogram":     {func() { depth.NewHistogram(nil) }, "depth is declared a gauge, built as a histogram"},
		"a label missing":        {func() { sent.NewCounterVec("topic") }, "sent_total is built with labels [topic], declared with [partition topic]"},
		"a label too many":       {func() { depth.NewGaugeVec("query") }, "depth is built with labels [query], declared with []"},
		"const and vector mixed": {func() { sent.NewCounterFunc(prometheus.Labels{"topic": "t"}, one) }, "declared with [partition topic]"},
	} {
		if got := panics(tc.build); (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: panic %q, want %q", name, got, tc.want)
		}
	}
}

// CheckExported finds each way a program's exposition and the catalog can disagree.
func TestCheckExported(t *testing.T) {
	exp := []stack.Component{stack.Producer}
	sent := &Metric{Name: "sent_total", Type: Counter, Help: "Sent.", Exporter: exp, Labels: []string{"topic"}}
	depth := &Metric{Name: "depth", Type: Gauge, Help: "Depth.", Exporter: exp}
	other := &Metric{Name: "other", Type: Gauge, Help: "Other.", Exporter: []stack.Component{stack.StreamDriver}}
	c, err := New(sent, depth, other)
	if err != nil {
		t.Fatal(err)
	}
	build := func(extra ...prometheus.Collector) *prometheus.Registry {
		reg := prometheus.NewRegistry()
		v := sent.NewCounterVec("topic")
		v.WithLabelValues("tx").Inc()
		reg.MustRegister(v, depth.NewGaugeFunc(nil, func() float64 { return 1 }), collectors.NewGoCollector())
		reg.MustRegister(extra...)
		return reg
	}
	if err := c.CheckExported(stack.Producer, build()); err != nil {
		t.Fatalf("agreeing exposition: %v", err)
	}
	if err := c.CheckExported(stack.StreamDriver, build()); err == nil ||
		!strings.Contains(err.Error(), "sent_total: exported by stream-driver, not declared for it") ||
		!strings.Contains(err.Error(), "other: declared for stream-driver, not gathered") {
		t.Errorf("another component's exposition: %v", err)
	}
	for name, tc := range map[string]struct {
		m    Metric
		want string
	}{
		"help":   {Metric{Name: "depth", Type: Gauge, Help: "Queue depth.", Exporter: exp}, `depth: exported with help "Depth.", declared with "Queue depth."`},
		"labels": {Metric{Name: "depth", Type: Gauge, Help: "Depth.", Exporter: exp, Labels: []string{"queue"}}, "depth: exported with labels [], declared with [queue]"},
		"type":   {Metric{Name: "depth", Type: Summary, Help: "Depth.", Exporter: exp}, "depth: exported as a gauge, declared a summary"},
	} {
		m := tc.m
		changed, err := New(sent, &m)
		if err != nil {
			t.Fatal(err)
		}
		if err := changed.CheckExported(stack.Producer, build()); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s changed: %v, want %q", name, err, tc.want)
		}
	}
	extra := prometheus.NewGauge(prometheus.GaugeOpts{Name: "extra", Help: "Extra."})
	if err := c.CheckExported(stack.Producer, build(extra)); err == nil || !strings.Contains(err.Error(), "extra: exported by producer, not declared") {
		t.Errorf("an undeclared collector: %v", err)
	}
}
