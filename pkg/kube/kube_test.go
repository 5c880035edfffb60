package kube

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"

	"github.com/finobs/finobs/pkg/grafana"
)

func parseRules(t *testing.T, data []byte) *rulefmt.RuleGroups {
	t.Helper()
	gs, errs := rulefmt.Parse(data, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatalf("rulefmt: %v\n%s", errs, data)
	}
	return gs
}

// Every field of a rule group survives the PrometheusRule: written, decoded strictly and
// turned back into a rule file, it is the group rulefmt reads from the group's own file.
func TestPrometheusRuleKeepsTheGroup(t *testing.T) {
	offset := model.Duration(30 * time.Second)
	g := rulefmt.RuleGroup{
		Name: "queue", Interval: model.Duration(time.Minute), QueryOffset: &offset, Limit: 10, Labels: map[string]string{"team": "q"},
		Rules: []rulefmt.Rule{
			{Record: "queue:depth:max", Expr: "max by (cluster) (queue_depth)", Labels: map[string]string{"a": "b"}},
			{Alert: "QueueFull", Expr: "queue:depth:max\n  > 100", For: model.Duration(5 * time.Minute), KeepFiringFor: model.Duration(time.Minute),
				Labels: map[string]string{"severity": "warning"}, Annotations: map[string]string{"summary": "{{ $labels.cluster }}: full, $1 ${x}"}},
		},
	}
	own, err := yaml.Marshal(rulefmt.RuleGroups{Groups: []rulefmt.RuleGroup{g}})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := PrometheusRule("finobs-queue", g, Meta{Namespace: "monitoring", Labels: map[string]string{"release": "kps"}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(pr, "a header")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "# a header\napiVersion: monitoring.coreos.com/v1\n") {
		t.Errorf("header, apiVersion:\n%s", data)
	}
	var back monitoringv1.PrometheusRule
	if err := Decode(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Namespace != "monitoring" || back.Labels["release"] != "kps" || back.Labels["app.kubernetes.io/part-of"] != PartOf {
		t.Errorf("metadata: %+v", back.ObjectMeta)
	}
	file, err := RuleFile(&back)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := parseRules(t, file), parseRules(t, own); !reflect.DeepEqual(got, want) {
		t.Errorf("the PrometheusRule's group:\n%+v\nwant the rule file's:\n%+v", got, want)
	}
}

func TestDecodeIsStrict(t *testing.T) {
	const rule = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r, namespace: m}\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown field", rule + "spec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up\n      severity: page\n", `json: unknown field "severity"`},
		{"field twice", rule + "spec:\n  groups: []\n  groups: []\n", `"groups" already set`},
		{"other kind", "apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: r, namespace: m}\nspec: {}\n", `kind "PodMonitor": want "monitoring.coreos.com/v1", "PrometheusRule"`},
		{"bad name", "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: R_1, namespace: m}\nspec: {}\n", `metadata.name: Invalid value: "R_1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Decode([]byte(tc.yaml), &monitoringv1.PrometheusRule{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
		})
	}
}

func TestPodMonitor(t *testing.T) {
	pm, err := PodMonitor("finobs-producer", Scrape{
		Selector: map[string]string{"app": "payments-producer"}, Namespaces: []string{"payments"},
		Port: "metrics", Path: "/metrics/prometheus/", Interval: model.Duration(10 * time.Second),
		TargetLabels: map[string]string{"job": "pay$1", "cluster": "prod-eu"},
	}, Meta{Namespace: "monitoring"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(pm)
	if err != nil {
		t.Fatal(err)
	}
	var back monitoringv1.PodMonitor
	if err := Decode(data, &back); err != nil {
		t.Fatal(err)
	}
	ep := back.Spec.PodMetricsEndpoints[0]
	if *ep.Port != "metrics" || ep.Path != "/metrics/prometheus/" || ep.Interval != "10s" || back.Spec.Selector.MatchLabels["app"] != "payments-producer" ||
		!reflect.DeepEqual(back.Spec.NamespaceSelector.MatchNames, []string{"payments"}) {
		t.Errorf("podmonitor:\n%s", data)
	}
	set := map[string]string{}
	for _, r := range ep.RelabelConfigs {
		if r.Action != "replace" {
			t.Errorf("relabeling %+v: want replace", r)
		}
		if r.Replacement != nil {
			set[r.TargetLabel] = *r.Replacement
		} else if len(r.SourceLabels) == 1 {
			set[r.TargetLabel] = string(r.SourceLabels[0])
		}
	}
	// $ is literal in the job's name.
	if want := map[string]string{"job": "pay$$1", "cluster": "prod-eu", "instance": "__meta_kubernetes_pod_name"}; !reflect.DeepEqual(set, want) {
		t.Errorf("relabelings set %v, want %v", set, want)
	}
	if _, err := PodMonitor("finobs-producer", Scrape{Port: "metrics"}, Meta{Namespace: "monitoring"}); err == nil {
		t.Error("a PodMonitor without a pod selector: no error")
	}
}

func TestConfigMapChecks(t *testing.T) {
	if _, err := ConfigMap("jmx", map[string]string{"a/b.yml": "x"}, Meta{Namespace: "kafka"}); err == nil || !strings.Contains(err.Error(), `data[a/b.yml]`) {
		t.Errorf("bad key: %v", err)
	}
	if _, err := ConfigMap("jmx", map[string]string{"big": strings.Repeat("x", maxConfigMap)}, Meta{Namespace: "kafka"}); err == nil || !strings.Contains(err.Error(), "data: Too long") {
		t.Errorf("too big: %v", err)
	}
	if _, err := ConfigMap("jmx", nil, Meta{}); err == nil || !strings.Contains(err.Error(), "metadata.namespace: Required value") {
		t.Errorf("no namespace: %v", err)
	}
}

func TestDashboardConfigMap(t *testing.T) {
	d, err := grafana.Build(grafana.Board{Name: "logs", Folder: "Ops", Title: "Logs", Description: "Logs.", Logs: true,
		Rows: []grafana.Row{{Title: "Logs", Panels: []*grafana.Panel{grafana.LogLines("Lines", "Log lines.", grafana.ESLogs("*"))}}}})
	if err != nil {
		t.Fatal(err)
	}
	o := Dashboards{Label: "grafana_dashboard", LabelValue: "1", FolderAnnotation: "k8s-sidecar-target-directory", Datasources: map[string]string{grafana.KindElasticsearch: "es"}}
	cm, err := DashboardConfigMap(d, o, Meta{Namespace: "monitoring"})
	if err != nil {
		t.Fatal(err)
	}
	data, err := Encode(cm)
	if err != nil {
		t.Fatal(err)
	}
	var back corev1.ConfigMap
	if err := Decode(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Name != "finobs-logs" || back.Labels["grafana_dashboard"] != "1" || back.Annotations["k8s-sidecar-target-directory"] != "Ops" ||
		!strings.Contains(back.Data["finobs-logs.json"], `"uid": "es"`) || len(back.Data) != 1 {
		t.Errorf("configmap:\n%s", data)
	}
	o.Folder = "finobs"
	if cm, err := DashboardConfigMap(d, o, Meta{Namespace: "monitoring"}); err != nil || cm.Annotations["k8s-sidecar-target-directory"] != "finobs" {
		t.Errorf("folder given: %v, %v", cm.Annotations, err)
	}
	if _, err := DashboardConfigMap(d, Dashboards{Label: "grafana_dashboard", FolderAnnotation: "f", Datasources: map[string]string{grafana.KindPrometheus: "p"}}, Meta{Namespace: "m"}); err == nil {
		t.Error("a logs board without an Elasticsearch uid: no error")
	}
}
