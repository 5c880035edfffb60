package catalog

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

func TestDefaultIsValid(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := c.Lookup("finobs_producer_produce_latency_seconds_bucket"); !ok || m != ProducerLatency || !m.IsCounter("finobs_producer_produce_latency_seconds_bucket") {
		t.Error("histogram series are not resolved to their metric")
	}
	if KafkaOfflinePartitions.IsCounter(KafkaOfflinePartitions.Name) || !KafkaMessagesIn.IsCounter(KafkaMessagesIn.Name) {
		t.Error("counter detection is wrong")
	}
	if len(c.ExportedBy(stack.KafkaController)) == 0 || len(c.ExportedBy(stack.Producer)) == 0 {
		t.Error("no metrics for a component")
	}
}

func TestNewRejects(t *testing.T) {
	exp := []stack.Component{stack.Producer}
	for _, tc := range []struct {
		m    metric.Metric
		want string
	}{
		{metric.Metric{Name: "a-b", Type: metric.Gauge, Help: "h", Exporter: exp}, "invalid name"},
		{metric.Metric{Name: "a", Type: "meter", Help: "h", Exporter: exp}, "unknown type"},
		{metric.Metric{Name: "a", Type: metric.Gauge, Help: "h"}, "no exporter"},
		{metric.Metric{Name: "a", Type: metric.Gauge, Exporter: exp}, "no help"},
		{metric.Metric{Name: "sent", Type: metric.Counter, Help: "h", Exporter: exp}, "ends in _total"},
	} {
		m := tc.m
		if _, err := metric.New(&m); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.m, err, tc.want)
		}
	}
	a := &metric.Metric{Name: "x", Type: metric.Histogram, Help: "h", Exporter: exp}
	b := &metric.Metric{Name: "x_count", Type: metric.Gauge, Help: "h", Exporter: exp}
	if _, err := metric.New(a, b); err == nil || !strings.Contains(err.Error(), `series "x_count" already declared by "x"`) {
		t.Errorf("duplicate series: %v", err)
	}
}
