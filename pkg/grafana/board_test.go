package grafana

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-foundation-sdk/go/prometheus"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// A board's filter is a variable over its label and narrows exactly the selectors whose
// metric declares the label.
func TestBoardFilter(t *testing.T) {
	queryUp := &signal.Signal{Name: "up", Unit: signal.Count, Expr: promql.Sum(promql.Select(catalog.StreamQueryUp))}
	heap := &signal.Signal{Name: "heap", Unit: signal.Bytes, Expr: promql.Sum(promql.Select(catalog.SparkDriverHeapUsed))}
	b := Board{Name: "test-board", Folder: "Test", Title: "Test", Description: "A test board.",
		Jobs:    []stack.Component{stack.StreamDriver, stack.SparkConnect},
		Filters: []Filter{{Label: "query", Values: promql.Select(catalog.StreamQueryUp)}},
		Rows: []Row{{Title: "Section", Panels: []*Panel{
			TimeSeries("Both", "Queries up and driver heap.", queryUp.Total(), heap.Total()),
		}}}}
	d, err := Build(b)
	if err != nil {
		t.Fatal(err)
	}
	var exprs []string
	for _, p := range Panels(d.Dashboard) {
		for _, q := range p.Targets {
			exprs = append(exprs, q.(prometheus.Dataquery).Expr)
		}
	}
	want := []string{
		`sum by (cluster) (finobs_stream_query_up{cluster=~"$cluster",instance=~"$instance",job=~"$job",query=~"$query"})`,
		`sum by (cluster) (spark_driver_jvm_heap_used_bytes{cluster=~"$cluster",instance=~"$instance",job=~"$job"})`,
	}
	if strings.Join(exprs, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries:\n%s\nwant\n%s", strings.Join(exprs, "\n"), strings.Join(want, "\n"))
	}
	found := false
	for _, v := range d.Templating.List {
		if v.Name == "query" && v.Query != nil && v.Query.String != nil {
			found = *v.Query.String == `label_values(finobs_stream_query_up{cluster=~"$cluster",instance=~"$instance",job=~"$job"}, query)`
		}
	}
	if !found {
		t.Errorf("no query variable over finobs_stream_query_up: %+v", d.Templating.List)
	}
}

// Log panels take the width and height they are given.
func TestLogPanelSpan(t *testing.T) {
	b := Board{Name: "test-logs", Folder: "Test", Title: "Logs", Description: "A test board.", Logs: true,
		Rows: []Row{{Title: "Section", Panels: []*Panel{
			LogCounts("Counts", "Log lines.", ES("*", "component")).Span(24),
			LogLines("Lines", "The lines.", ESLogs("*")).Height(6),
		}}}}
	d, err := Build(b)
	if err != nil {
		t.Fatal(err)
	}
	ps := Panels(d.Dashboard)
	if len(ps) != 2 || ps[0].GridPos.W != 24 || ps[0].GridPos.H != 8 || ps[1].GridPos.W != 24 || ps[1].GridPos.H != 6 {
		for _, p := range ps {
			t.Logf("%s: %+v", *p.Title, p.GridPos)
		}
		t.Error("log panels ignore Span or Height")
	}
}
