// Package kube writes finobs's outputs as the Kubernetes objects a cluster running the
// kube-prometheus stack reads: PrometheusRules and PodMonitors (prometheus-operator's own
// Go types), dashboard ConfigMaps in the shape the Grafana sidecar reads, and ConfigMaps of
// files (the JMX exporter config of Strimzi's metricsConfig). It takes what it writes as
// arguments: rule groups in Prometheus' model, built dashboards, scrapes.
package kube

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/finobs/finobs/pkg/grafana"
)

// PartOf is the value of the app.kubernetes.io/part-of label of every object: what
// selects them all (kubectl get, delete or apply --prune -l).
const PartOf = "finobs"

// Meta is what every object gets: its namespace and labels (beside PartOf).
type Meta struct {
	Namespace string
	Labels    map[string]string
}

func (m Meta) object(name string, labels map[string]string) metav1.ObjectMeta {
	l := map[string]string{"app.kubernetes.io/part-of": PartOf}
	maps.Copy(l, m.Labels)
	maps.Copy(l, labels)
	return metav1.ObjectMeta{Name: name, Namespace: m.Namespace, Labels: l}
}

// PrometheusRule is one rule group as a PrometheusRule named name: the group as its rule
// file holds it, every field carried over.
func PrometheusRule(name string, g rulefmt.RuleGroup, m Meta) (*monitoringv1.PrometheusRule, error) {
	rg := monitoringv1.RuleGroup{Name: g.Name, Labels: g.Labels, Interval: duration(g.Interval), QueryOffset: durationPtr(g.QueryOffset)}
	if g.Limit != 0 {
		rg.Limit = &g.Limit
	}
	for _, r := range g.Rules {
		rule := monitoringv1.Rule{Record: r.Record, Alert: r.Alert, Expr: intstr.FromString(r.Expr), For: duration(r.For), Labels: r.Labels, Annotations: r.Annotations}
		if r.KeepFiringFor != 0 {
			d := monitoringv1.NonEmptyDuration(r.KeepFiringFor.String())
			rule.KeepFiringFor = &d
		}
		rg.Rules = append(rg.Rules, rule)
	}
	pr := &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PrometheusRuleKind},
		ObjectMeta: m.object(name, nil),
		Spec:       monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{rg}},
	}
	return pr, check(pr)
}

func duration(d model.Duration) *monitoringv1.Duration {
	if d == 0 {
		return nil
	}
	out := monitoringv1.Duration(d.String())
	return &out
}

func durationPtr(d *model.Duration) *monitoringv1.Duration {
	if d == nil {
		return nil
	}
	out := monitoringv1.Duration(d.String())
	return &out
}

// RuleFile is the groups of a PrometheusRule as a Prometheus rule file: what promtool
// checks, and what Prometheus loads once the operator has written it.
func RuleFile(pr *monitoringv1.PrometheusRule) ([]byte, error) {
	return yaml.Marshal(struct {
		Groups []monitoringv1.RuleGroup `json:"groups"`
	}{pr.Spec.Groups})
}

// Dashboards say how dashboard ConfigMaps are labelled for the Grafana sidecar.
type Dashboards struct {
	Label, LabelValue string // the label the sidecar selects ConfigMaps by
	FolderAnnotation  string // the annotation naming the folder the sidecar puts a board in
	Folder            string // every board's folder; empty: the board's own
	// Datasources are the uids every datasource reference is pinned to, by kind
	// (grafana.KindPrometheus, ...): see grafana.PinnedJSON.
	Datasources map[string]string
}

// DashboardConfigMap is a built dashboard as a ConfigMap the Grafana sidecar reads: named
// after the dashboard's uid, holding its JSON under <uid>.json, its datasources pinned.
func DashboardConfigMap(d grafana.Dashboard, o Dashboards, m Meta) (*corev1.ConfigMap, error) {
	data, err := grafana.PinnedJSON(d, o.Datasources)
	if err != nil {
		return nil, err
	}
	folder := o.Folder
	if folder == "" {
		folder = d.Folder
	}
	cm := configMap(d.UID(), map[string]string{d.UID() + ".json": string(data)}, m)
	cm.Labels[o.Label] = o.LabelValue
	cm.Annotations = map[string]string{o.FolderAnnotation: folder}
	return cm, check(cm)
}

// ConfigMap is a ConfigMap of files, by key.
func ConfigMap(name string, files map[string]string, m Meta) (*corev1.ConfigMap, error) {
	cm := configMap(name, files, m)
	return cm, check(cm)
}

func configMap(name string, files map[string]string, m Meta) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: m.object(name, nil),
		Data:       files,
	}
}

// Scrape is how the pods of one component are scraped.
type Scrape struct {
	Selector   map[string]string // pod labels
	Namespaces []string          // where the pods are; empty: the PodMonitor's namespace
	Port, Path string            // the pods' port name; the HTTP path, empty for /metrics
	Interval   model.Duration    // 0: the Prometheus' own
	// TargetLabels are set on every target: the job (and whatever else) the rules select
	// the component by, the cluster label.
	TargetLabels      map[string]string
	MetricRelabelings []monitoringv1.RelabelConfig
}

// PodMonitor is the PodMonitor of a scrape, named name. Its targets' instance is the pod's
// name: stable across restarts of a StatefulSet's pods (Strimzi's Kafka nodes), where the
// operator's default, the pod's address, is not.
func PodMonitor(name string, s Scrape, m Meta) (*monitoringv1.PodMonitor, error) {
	if len(s.Selector) == 0 {
		return nil, fmt.Errorf("PodMonitor %s: no pod selector: it would scrape every pod", name)
	}
	relabel := []monitoringv1.RelabelConfig{{Action: "replace", SourceLabels: []monitoringv1.LabelName{"__meta_kubernetes_pod_name"}, TargetLabel: "instance"}}
	for _, l := range slices.Sorted(maps.Keys(s.TargetLabels)) {
		// A relabeling's replacement expands $1 and ${name}: a literal $ is $$.
		v := strings.ReplaceAll(s.TargetLabels[l], "$", "$$")
		relabel = append(relabel, monitoringv1.RelabelConfig{Action: "replace", TargetLabel: l, Replacement: &v})
	}
	ep := monitoringv1.PodMetricsEndpoint{Port: &s.Port, Path: s.Path, RelabelConfigs: relabel, MetricRelabelConfigs: s.MetricRelabelings}
	if s.Interval != 0 {
		ep.Interval = monitoringv1.Duration(s.Interval.String())
	}
	pm := &monitoringv1.PodMonitor{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PodMonitorsKind},
		ObjectMeta: m.object(name, nil),
		Spec: monitoringv1.PodMonitorSpec{
			Selector:            metav1.LabelSelector{MatchLabels: s.Selector},
			NamespaceSelector:   monitoringv1.NamespaceSelector{MatchNames: s.Namespaces},
			PodMetricsEndpoints: []monitoringv1.PodMetricsEndpoint{ep},
		},
	}
	return pm, check(pm)
}

// maxConfigMap is the API server's bound on a ConfigMap's data.
const maxConfigMap = 1 << 20

// check validates an object's metadata as the API server does (name, namespace, labels,
// annotations), and a ConfigMap's keys and size.
func check(obj runtime.Object) error {
	var meta *metav1.ObjectMeta
	var errs field.ErrorList
	switch o := obj.(type) {
	case *monitoringv1.PrometheusRule:
		meta = &o.ObjectMeta
	case *monitoringv1.PodMonitor:
		meta = &o.ObjectMeta
	case *corev1.ConfigMap:
		meta = &o.ObjectMeta
		size := 0
		for k, v := range o.Data {
			size += len(k) + len(v)
			for _, msg := range validation.IsConfigMapKey(k) {
				errs = append(errs, field.Invalid(field.NewPath("data").Key(k), k, msg))
			}
		}
		if size > maxConfigMap {
			errs = append(errs, field.TooLong(field.NewPath("data"), "", maxConfigMap))
		}
	default:
		return fmt.Errorf("kube: no check for %T", obj)
	}
	errs = append(errs, apivalidation.ValidateObjectMeta(meta, true, apivalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	if len(errs) > 0 {
		return fmt.Errorf("%s %s: %w", obj.GetObjectKind().GroupVersionKind().Kind, meta.Name, errs.ToAggregate())
	}
	return nil
}

// Encode writes an object as YAML, header lines first as comments.
func Encode(obj runtime.Object, header ...string) ([]byte, error) {
	data, err := yaml.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	b.Write(data)
	return b.Bytes(), nil
}

// Decode reads one object into obj strictly, as the API server's strict field validation
// would: a field obj's type does not have, or one given twice, is an error; so is another
// apiVersion or kind than obj's (PrometheusRule, PodMonitor, ConfigMap).
func Decode(data []byte, obj runtime.Object) error {
	if err := yaml.UnmarshalStrict(data, obj); err != nil {
		return err
	}
	var want metav1.TypeMeta
	switch obj.(type) {
	case *monitoringv1.PrometheusRule:
		want = metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PrometheusRuleKind}
	case *monitoringv1.PodMonitor:
		want = metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PodMonitorsKind}
	case *corev1.ConfigMap:
		want = metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"}
	default:
		return fmt.Errorf("kube: cannot decode %T", obj)
	}
	gvk := obj.GetObjectKind().GroupVersionKind()
	if got := (metav1.TypeMeta{APIVersion: gvk.GroupVersion().String(), Kind: gvk.Kind}); got != want {
		return fmt.Errorf("apiVersion %q, kind %q: want %q, %q", got.APIVersion, got.Kind, want.APIVersion, want.Kind)
	}
	return check(obj)
}
