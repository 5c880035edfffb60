package promconfig

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/prometheus/common/model"
	promcfg "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
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
		out, err := Render(s, Options{RuleFiles: []string{"rules/*.yml"}, EvaluationInterval: 30e9, MetricRelabel: FromCatalog(cat, Drops{Series: catalog.Drops, Labels: catalog.LabelDrops(), Renames: catalog.LabelRenames()})})
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
	rs := FromCatalog(cat, Drops{Series: catalog.Drops, Labels: catalog.LabelDrops(), Renames: catalog.LabelRenames()})[stack.SparkConnect]
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

// Every target of every job carries the cluster label, like job and instance, with the
// value of the external label; the Elasticsearch exporter's own cluster label, which the
// target's displaces, is renamed.
func TestClusterLabelOnEveryTarget(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	local, _ := topology.Local(1)
	for _, s := range []stack.Stack{topology.Compose(), local} {
		out, err := Render(s, Options{RuleFiles: []string{"rules/*.yml"}, EvaluationInterval: 30e9,
			MetricRelabel: FromCatalog(cat, Drops{Series: catalog.Drops, Labels: catalog.LabelDrops(), Renames: catalog.LabelRenames()})})
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := promcfg.Load(string(out), slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		want := ClusterName(s)
		if got := cfg.GlobalConfig.ExternalLabels.Get(promql.ClusterLabel); got != want {
			t.Errorf("%s: external label %s=%q, want %q", s.Name, promql.ClusterLabel, got, want)
		}
		targets := 0
		for _, sc := range cfg.ScrapeConfigs {
			for _, d := range sc.ServiceDiscoveryConfigs {
				sd, ok := d.(discovery.StaticConfig)
				if !ok {
					t.Fatalf("%s: job %s: %T, want static configs", s.Name, sc.JobName, d)
				}
				for _, g := range sd {
					targets++
					if got := g.Labels[model.LabelName(promql.ClusterLabel)]; string(got) != want {
						t.Errorf("%s: job %s: target %v has %s=%q, want %q", s.Name, sc.JobName, g.Targets, promql.ClusterLabel, got, want)
					}
				}
			}
		}
		if targets == 0 {
			t.Errorf("%s: no targets", s.Name)
		}
	}
	renamed := false
	for _, r := range FromCatalog(cat, Drops{Renames: catalog.LabelRenames(), Series: catalog.Drops})[stack.ElasticsearchExporter] {
		renamed = renamed || len(r.SourceLabels) == 1 && r.SourceLabels[0] == "exported_"+promql.ClusterLabel && r.TargetLabel == catalog.ESClusterLabel
	}
	if !renamed {
		t.Errorf("the Elasticsearch exporter's cluster label is not renamed to %s", catalog.ESClusterLabel)
	}
}
