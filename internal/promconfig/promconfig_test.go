package promconfig

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

// Every scraped instance of the topology is a target, and alerts go to the topology's
// Alertmanager: the port is never written twice.
func TestTargetsComeFromTopology(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	local, _ := topology.Local(3)
	for _, s := range []stack.Stack{topology.Compose(), local} {
		out, err := Render(s, Options{RuleFiles: []string{"rules/*.yml"}, EvaluationInterval: 30e9, MetricRelabel: FromCatalog(cat, Drops{Series: catalog.Drops, Labels: catalog.LabelDrops()})})
		if err != nil {
			t.Fatal(err)
		}
		text := string(out)
		for _, in := range s.Scraped() {
			if !strings.Contains(text, in.Addr(stack.PortMetrics)) || !strings.Contains(text, "instance: "+in.Name) {
				t.Errorf("%s: no target for %s", s.Name, in.Name)
			}
		}
		am := s.One(stack.Alertmanager).Addr(stack.PortMetrics)
		if !strings.Contains(text, "alertmanagers:\n    - static_configs:\n        - targets: ['"+am+"']") {
			t.Errorf("%s: alerting does not point at %s:\n%s", s.Name, am, text)
		}
		if !strings.Contains(text, "scrape_interval: 10s") {
			t.Errorf("%s: scrape interval is not 10s", s.Name)
		}
	}
}

func TestSparkRenames(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	rs := FromCatalog(cat, Drops{Series: catalog.Drops, Labels: catalog.LabelDrops()})[stack.SparkConnect]
	var rename, query, drop bool
	for _, r := range rs {
		if r.Regex == `metrics_finobs_driver_spark_streaming_(.+)_inputRate_total_Value` {
			rename = rename || r.TargetLabel == "__name__" && r.Replacement == "spark_streaming_input_rows_per_second"
			query = query || r.TargetLabel == "query" && r.Replacement == "$1"
		}
		drop = drop || r.Action == "drop"
	}
	if !rename || !query || !drop {
		t.Errorf("spark relabelling incomplete: rename=%v query=%v drop=%v", rename, query, drop)
	}
}
