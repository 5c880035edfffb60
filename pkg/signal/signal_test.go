package signal_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
)

func TestSteps(t *testing.T) {
	sel := promql.Select(catalog.KafkaActiveControllerCount)
	for _, c := range []struct {
		name   string
		levels func(*signal.Signal)
		want   []signal.Step
	}{
		{"no level", func(*signal.Signal) {}, []signal.Step{{Color: "blue"}}},
		{"a count above 0", func(s *signal.Signal) { s.Resolution = 1; s.Above(signal.Critical, 0) },
			[]signal.Step{{Color: "green"}, {Value: 1, Color: "red"}}},
		{"exactly one", func(s *signal.Signal) { s.Resolution = 1; s.Below(signal.Critical, 1); s.Above(signal.Critical, 1) },
			[]signal.Step{{Color: "red"}, {Value: 1, Color: "green"}, {Value: 2, Color: "red"}}},
		{"warning then critical", func(s *signal.Signal) { s.Above(signal.Warning, 0.001); s.Above(signal.Critical, 0.01) },
			[]signal.Step{{Color: "green"}, {Value: 0.001, Color: "orange"}, {Value: 0.01, Color: "red"}}},
		{"below", func(s *signal.Signal) { s.Below(signal.Warning, 0.2) },
			[]signal.Step{{Color: "orange"}, {Value: 0.2, Color: "green"}}},
		{"equal zero", func(s *signal.Signal) { s.Resolution = 1; s.EqualTo(signal.Warning, 0) },
			[]signal.Step{{Color: "green"}, {Value: 0, Color: "orange"}, {Value: 1, Color: "green"}}},
		{"at least three", func(s *signal.Signal) { s.Resolution = 0.001; s.AtLeast(signal.Critical, 3) },
			[]signal.Step{{Color: "green"}, {Value: 3, Color: "red"}}},
		{"warning above, critical from", func(s *signal.Signal) { s.Resolution = 1; s.Above(signal.Warning, 0); s.AtLeast(signal.Critical, 3) },
			[]signal.Step{{Color: "green"}, {Value: 1, Color: "orange"}, {Value: 3, Color: "red"}}},
	} {
		s := &signal.Signal{Name: c.name, Expr: sel}
		c.levels(s)
		if got := s.Steps(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: steps %v, want %v", c.name, got, c.want)
		}
	}
}

// An alert's expression and its panel's steps come from one level: changing the level
// changes both.
func TestLevelDrivesRuleAndSteps(t *testing.T) {
	s := &signal.Signal{Name: "idle", By: []string{"instance"},
		Expr: promql.Avg(promql.Select(catalog.KafkaRequestHandlerIdle), promql.Grouped)}
	l := s.Below(signal.Warning, 0.2)
	rule, err := signal.Render(l)
	if err != nil || rule != "avg by (cluster, instance) (kafka_server_request_handler_idle_ratio) < 0.2" {
		t.Fatalf("rule %q, %v", rule, err)
	}
	l.Value = 0.3
	rule, _ = signal.Render(l)
	if rule != "avg by (cluster, instance) (kafka_server_request_handler_idle_ratio) < 0.3" || s.Steps()[1].Value != 0.3 {
		t.Fatalf("after the change: rule %q, steps %v", rule, s.Steps())
	}
}

// A narrowed view adds the matcher where the metric has the label; the signal is untouched.
func TestViewNarrow(t *testing.T) {
	s := &signal.Signal{Name: "up", By: []string{"query"}, Expr: promql.Max(promql.Select(catalog.StreamQueryUp), promql.Grouped)}
	got, err := s.Show().Narrow(promql.Re("query", "$query")).Render(promql.Panel)
	if err != nil || got != `max by (cluster, query) (finobs_stream_query_up{cluster=~"$cluster",instance=~"$instance",job=~"$job",query=~"$query"})` {
		t.Errorf("narrowed: %s, %v", got, err)
	}
	if got, _ := s.Render(promql.Panel); got != `max by (cluster, query) (finobs_stream_query_up{cluster=~"$cluster",instance=~"$instance",job=~"$job"})` {
		t.Errorf("the signal changed: %s", got)
	}
}

// AtLeast renders >= and its panel boundary is the value itself, whatever the resolution.
func TestAtLeast(t *testing.T) {
	s := &signal.Signal{Name: "restarts", By: []string{"query"}, Resolution: 0.001, Window: 15 * time.Minute,
		Expr: promql.Increase(promql.Select(catalog.StreamQueryRestarts), promql.Window)}
	l := s.AtLeast(signal.Critical, 3)
	rule, err := signal.Render(l)
	if err != nil || rule != "increase(finobs_stream_query_restarts_total[15m]) >= 3" {
		t.Errorf("rule %q, %v", rule, err)
	}
	if l.Boundary() != 3 || l.String() != "restarts >= 3 (critical)" {
		t.Errorf("boundary %g, %s", l.Boundary(), l)
	}
}
