package main

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/internal/jmx"
	"github.com/finobs/finobs/pkg/config"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/kube"
	"github.com/finobs/finobs/pkg/stack"
)

var exampleFile = filepath.Join("..", "..", "examples", "own-clusters", "finobs.yaml")

// exampleWith writes the example, edited, to a file of the test's and returns its path.
func exampleWith(t *testing.T, edit func(string) string) string {
	t.Helper()
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "finobs.yaml")
	if err := os.WriteFile(f, []byte(edit(string(data))), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func generated(t *testing.T, file string) string {
	t.Helper()
	out := t.TempDir()
	var stdout bytes.Buffer
	if err := generateConfig(file, out, &stdout); err != nil {
		t.Fatal(err)
	}
	return out
}

// decodeAll decodes every file of dir strictly into a new obj each, by file name.
func decodeAll[T runtime.Object](t *testing.T, dir string, obj func() T) map[string]T {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no objects in %s (%v)", dir, err)
	}
	out := map[string]T{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		o := obj()
		if err := kube.Decode(data, o); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".yaml")] = o
	}
	return out
}

// TestKubeExample: the example's objects decode strictly; the PrometheusRules hold the rule
// files' groups; the dashboards are the Grafana files with their datasources pinned; the
// PodMonitors give their targets the labels the rules select; Strimzi's ConfigMap holds
// every rule of both Kafka roles once.
func TestKubeExample(t *testing.T) {
	out := generated(t, exampleFile)
	known, err := knownDeclarations()
	if err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(exampleFile, known)
	if err != nil {
		t.Fatal(err)
	}
	ruleFiles, n, err := kubeRuleFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	groups, _ := filepath.Glob(filepath.Join(out, configRulesDir, "*.yml"))
	if len(ruleFiles) != len(groups) || len(groups) == 0 {
		t.Errorf("%d PrometheusRules for %d rule files", len(ruleFiles), len(groups))
	}

	rules := decodeAll(t, filepath.Join(out, kubeRulesDir), func() *monitoringv1.PrometheusRule { return &monitoringv1.PrometheusRule{} })
	for name, pr := range rules {
		if pr.Namespace != "monitoring" || pr.Labels["release"] != "kube-prometheus-stack" || pr.Name != "finobs-"+name {
			t.Errorf("PrometheusRule %s: %+v", name, pr.ObjectMeta)
		}
	}
	// The job matchers of the rules' selectors, to check the PodMonitors against.
	var jobMatchers []*labels.Matcher
	for _, pr := range rules {
		for _, g := range pr.Spec.Groups {
			for _, r := range g.Rules {
				e, err := parser.NewParser(parser.Options{}).ParseExpr(r.Expr.String())
				if err != nil {
					t.Fatal(err)
				}
				parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
					if vs, ok := n.(*parser.VectorSelector); ok {
						for _, m := range vs.LabelMatchers {
							if m.Name == "job" {
								jobMatchers = append(jobMatchers, m)
							}
						}
					}
					return nil
				})
			}
		}
	}

	monitors := decodeAll(t, filepath.Join(out, kubePodMonitorsDir), func() *monitoringv1.PodMonitor { return &monitoringv1.PodMonitor{} })
	want := []string{"kafka-broker", "kafka-controller", "kafka-lag-exporter", "producer", "schema-registry", "spark-connect", "spark-master", "spark-worker", "stream-driver"}
	if got := slices.Sorted(maps.Keys(monitors)); !slices.Equal(got, want) {
		t.Errorf("PodMonitors of %v, want %v (absent components and those kube-prometheus-stack scrapes left out)", got, want)
	}
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	relabel := deploy.MetricRelabel(cat)
	jobs := map[string]bool{}
	for name, pm := range monitors {
		ep := pm.Spec.PodMetricsEndpoints[0]
		set := map[string]string{}
		for _, r := range ep.RelabelConfigs {
			if r.Replacement != nil {
				set[r.TargetLabel] = *r.Replacement
			}
		}
		jobs[set["job"]] = true
		if set["cluster"] != "prod-eu" || pm.Namespace != "monitoring" || pm.Labels["release"] != "kube-prometheus-stack" ||
			!slices.Equal(pm.Spec.NamespaceSelector.MatchNames, []string{"kafka", "payments"}) || ep.Interval != "10s" {
			t.Errorf("PodMonitor %s: cluster %q, %+v, %+v", name, set["cluster"], pm.ObjectMeta, pm.Spec)
		}
		// The job the config names the component by, else finobs's name.
		if want := name; len(c.Components[stack.Component(name)].Jobs) > 0 {
			if want = c.Components[stack.Component(name)].Jobs[0]; set["job"] != want {
				t.Errorf("PodMonitor %s: job %q, want the config's %q", name, set["job"], want)
			}
		} else if set["job"] != want {
			t.Errorf("PodMonitor %s: job %q, want %q", name, set["job"], want)
		}
		if got, want := ep.MetricRelabelConfigs, relabelConfigs(relabel[stack.Component(name)]); !reflect.DeepEqual(got, want) {
			t.Errorf("PodMonitor %s: metric relabelings %+v, want finobs's own scrape job's %+v", name, got, want)
		}
	}
	for _, tc := range []struct {
		name, job, port string
		selector        map[string]string
	}{
		{"kafka-broker", "kafka", "tcp-prometheus", map[string]string{"strimzi.io/broker-role": "true", "strimzi.io/controller-role": "false"}},
		{"kafka-controller", "kafka-kraft", "tcp-prometheus", map[string]string{"strimzi.io/broker-role": "false", "strimzi.io/controller-role": "true"}},
		{"producer", "payments-producer", "metrics", map[string]string{"app": "payments-producer"}},
		{"spark-connect", "spark-connect", "metrics", map[string]string{"app.kubernetes.io/name": "spark-connect"}},
	} {
		pm := monitors[tc.name]
		if pm == nil {
			continue
		}
		ep := pm.Spec.PodMetricsEndpoints[0]
		job := ""
		for _, r := range ep.RelabelConfigs {
			if r.TargetLabel == "job" {
				job = *r.Replacement
			}
		}
		if job != tc.job || *ep.Port != tc.port || !maps.Equal(pm.Spec.Selector.MatchLabels, tc.selector) {
			t.Errorf("PodMonitor %s: job %q, port %q, selector %v; want %q, %q, %v", tc.name, job, *ep.Port, pm.Spec.Selector.MatchLabels, tc.job, tc.port, tc.selector)
		}
	}
	// Every job a rule selects is scraped by a PodMonitor.
	for _, m := range jobMatchers {
		if !slices.ContainsFunc(slices.Collect(maps.Keys(jobs)), m.Matches) {
			t.Errorf("the rules select %s, which no PodMonitor's targets carry", m)
		}
	}

	boards, _ := filepath.Glob(filepath.Join(out, configGrafanaDir, "dashboards", "*", "*.json"))
	dashboards := decodeAll(t, filepath.Join(out, kubeDashboardsDir), func() *corev1.ConfigMap { return &corev1.ConfigMap{} })
	if len(dashboards) != len(boards) || len(boards) == 0 {
		t.Errorf("%d dashboard ConfigMaps for %d dashboards", len(dashboards), len(boards))
	}
	for _, f := range boards {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		cm := dashboards[name]
		if cm == nil {
			t.Errorf("dashboard %s: no ConfigMap", name)
			continue
		}
		uid := grafana.UIDPrefix + name
		if cm.Name != uid || cm.Labels["grafana_dashboard"] != "1" || cm.Annotations["k8s-sidecar-target-directory"] != "finobs" || len(cm.Data) != 1 {
			t.Errorf("dashboard %s: %+v", name, cm.ObjectMeta)
		}
		// The Grafana file's dashboard, every datasource reference the config's uid, the
		// datasource variable gone: nothing else differs.
		var got, want map[string]any
		if err := json.Unmarshal([]byte(cm.Data[uid+".json"]), &got); err != nil {
			t.Fatalf("dashboard %s: %v", name, err)
		}
		if err := json.Unmarshal(bytes.ReplaceAll(data, []byte("${datasource}"), []byte("prometheus")), &want); err != nil {
			t.Fatal(err)
		}
		tmpl := want["templating"].(map[string]any)
		tmpl["list"] = slices.DeleteFunc(tmpl["list"].([]any), func(v any) bool { return v.(map[string]any)["type"] == "datasource" })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("dashboard %s: the ConfigMap's JSON differs from %s beyond its datasources", name, f)
		}
		if strings.Contains(cm.Data[uid+".json"], "$datasource") || strings.Contains(cm.Data[uid+".json"], "${datasource}") {
			t.Errorf("dashboard %s: still reads the datasource variable", name)
		}
	}

	strimzi := decodeAll(t, filepath.Join(out, kubeStrimziDir), func() *corev1.ConfigMap { return &corev1.ConfigMap{} })
	cm := strimzi["finobs-kafka-metrics"]
	if cm == nil || cm.Namespace != "kafka" || len(cm.Data) != 1 {
		t.Fatalf("Strimzi ConfigMap: %+v", strimzi)
	}
	type jmxRules struct {
		Rules []struct {
			Name string `yaml:"name"`
		} `yaml:"rules"`
	}
	names := func(data []byte) []string {
		var c jmxRules
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range c.Rules {
			out = append(out, r.Name)
		}
		return out
	}
	merged := names([]byte(cm.Data["metrics-config.yml"]))
	var both []string
	for _, role := range []stack.Component{stack.KafkaBroker, stack.KafkaController} {
		data, err := jmx.Config(cat, role)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names(data) {
			if !slices.Contains(both, n) {
				both = append(both, n)
			}
		}
	}
	if slices.Sort(merged); !slices.Equal(merged, slices.Sorted(slices.Values(both))) {
		t.Errorf("Strimzi's config holds rules %v, want each of the brokers' and controllers' once: %v", merged, both)
	}
	if total, _ := filepath.Glob(filepath.Join(out, kubeDir, "*", "*.yaml")); n != len(total) {
		t.Errorf("kube-check decoded %d objects of %d files", n, len(total))
	}
}

// TestKubeCheckCatches: a PrometheusRule that differs from its rule file, an object with a
// field its type lacks, a rule group without its PrometheusRule are errors.
func TestKubeCheckCatches(t *testing.T) {
	out := generated(t, exampleFile)
	rule := filepath.Join(out, kubeRulesDir, "kafka-broker.yaml")
	monitor := filepath.Join(out, kubePodMonitorsDir, "producer.yaml")
	for _, tc := range []struct {
		name, file string
		edit       func(string) string
		want       string
	}{
		{"expr changed", rule, func(s string) string { return strings.Replace(s, `{job="kafka"}`, `{job="kafka-broker"}`, 1) },
			"kafka-broker.yaml: group kafka-broker differs from its rule file's"},
		{"unknown field", monitor, func(s string) string {
			return strings.Replace(s, "  selector:\n", "  sampleLimt: 10\n  selector:\n", 1)
		},
			`producer.yaml: error unmarshaling JSON: while decoding JSON: json: unknown field "sampleLimt"`},
		{"no PrometheusRule", rule, func(string) string { return "" }, "rule groups with no PrometheusRule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			edited := tc.edit(string(data))
			if edited == string(data) {
				t.Fatal("the edit changed nothing")
			}
			if edited == "" {
				err = os.Remove(tc.file)
			} else {
				err = os.WriteFile(tc.file, []byte(edited), 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(tc.file, data, 0o644)
			if _, _, err := kubeRuleFiles(out); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
		})
	}
}

// Without a kubernetes: section nothing for Kubernetes is written, and the rest is as with it.
func TestNoKubernetesSection(t *testing.T) {
	file := exampleWith(t, func(s string) string {
		i := strings.Index(s, "\nkubernetes:")
		if i < 0 {
			t.Fatal("the example has no kubernetes: section")
		}
		return s[:i+1]
	})
	without, with := generated(t, file), generated(t, exampleFile)
	if _, err := os.Stat(filepath.Join(without, kubeDir)); !os.IsNotExist(err) {
		t.Errorf("%s written without a kubernetes: section (%v)", kubeDir, err)
	}
	err := filepath.WalkDir(without, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(without, p)
		a, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(filepath.Join(with, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs with the kubernetes: section (%v)", rel, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A logs dashboard needs the uid of an Elasticsearch datasource: said at the section's line.
func TestKubeElasticsearchUID(t *testing.T) {
	file := exampleWith(t, func(s string) string { return strings.Replace(s, "  elasticsearch: {absent: true}\n", "", 1) })
	var stdout bytes.Buffer
	err := generateConfig(file, t.TempDir(), &stdout)
	if err == nil || !regexp.MustCompile(`finobs.yaml:\d+: kubernetes.dashboards.elasticsearchUID: missing: dashboard logs-overview reads Elasticsearch`).MatchString(err.Error()) {
		t.Errorf("error %v, want the missing elasticsearchUID at the kubernetes: line", err)
	}
}
