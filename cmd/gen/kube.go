package main

import (
	"fmt"
	"path"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/internal/jmx"
	"github.com/finobs/finobs/internal/promconfig"
	"github.com/finobs/finobs/pkg/config"
	"github.com/finobs/finobs/pkg/generate"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/kube"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/stack"
)

// The tree `gen -config` writes under DIR for Kubernetes, when finobs.yaml has a
// kubernetes: section: one object a file, `kubectl apply -R -f DIR/kubernetes`.
const (
	kubeDir            = "kubernetes"
	kubeRulesDir       = kubeDir + "/prometheusrules"
	kubeDashboardsDir  = kubeDir + "/dashboards"
	kubePodMonitorsDir = kubeDir + "/podmonitors"
	kubeStrimziDir     = kubeDir + "/strimzi"
)

// kubeName is the name of finobs's object of a rule group, a dashboard's being its uid.
func kubeName(name string) string { return "finobs-" + name }

// kubeOutput renders the config's objects for the kube-prometheus stack: a PrometheusRule
// per rule group, from the groups the rule files are written from (rules), a dashboard
// ConfigMap per board, a PodMonitor per scraped component present and not skipped, and the
// Kafka nodes' JMX exporter config for Strimzi.
func kubeOutput(c *config.Config, rules generate.RulesOptions, boards []grafana.Board, source string) generate.Output {
	k := c.Kubernetes
	header := []string{"Generated from " + source + "; do not edit."}
	return generate.Output{
		Name: "kubernetes",
		Owns: []string{kubeDir},
		Render: func() ([]render.File, []render.Count, error) {
			var files []render.File
			add := func(dir, name string, obj runtime.Object, err error, notes ...string) error {
				if err != nil {
					return err
				}
				data, err := kube.Encode(obj, append(slices.Clone(header), notes...)...)
				files = append(files, render.File{Path: path.Join(dir, name+".yaml"), Data: data})
				return err
			}
			groups, err := rules.RuleGroups()
			if err != nil {
				return nil, nil, err
			}
			ruleMeta := kube.Meta{Namespace: k.Namespace, Labels: k.RuleLabels}
			for _, g := range groups {
				pr, err := kube.PrometheusRule(kubeName(g.Name), g, ruleMeta)
				if err := add(kubeRulesDir, g.Name, pr, err); err != nil {
					return nil, nil, err
				}
			}
			n, err := kubeDashboards(c, boards, add)
			if err != nil {
				return nil, nil, err
			}
			monitors, err := kubePodMonitors(c, add)
			if err != nil {
				return nil, nil, err
			}
			strimzi, err := kubeStrimzi(c, source, add)
			if err != nil {
				return nil, nil, err
			}
			return files, []render.Count{{N: len(groups), What: "PrometheusRules"}, {N: n, What: "dashboard ConfigMaps"},
				{N: monitors, What: "PodMonitors"}, {N: strimzi, What: "Strimzi metricsConfig ConfigMaps"}}, nil
		},
	}
}

// addFunc adds an object's file to the output: dir/name.yaml, notes after the header.
type addFunc func(dir, name string, obj runtime.Object, err error, notes ...string) error

// kubeDashboards: each board as a ConfigMap of the Grafana sidecar, every datasource
// reference pinned to the config's uids.
func kubeDashboards(c *config.Config, boards []grafana.Board, add addFunc) (int, error) {
	d := c.Kubernetes.Dashboards
	uids := map[string]string{grafana.KindPrometheus: d.DatasourceUID}
	if d.ElasticsearchUID != "" {
		uids[grafana.KindElasticsearch] = d.ElasticsearchUID
	}
	opts := kube.Dashboards{Label: d.Label, LabelValue: d.LabelValue, FolderAnnotation: d.FolderAnnotation, Folder: d.Folder, Datasources: uids}
	for _, b := range boards {
		built, err := grafana.Build(b)
		if err != nil {
			return 0, err
		}
		if b.Logs && d.ElasticsearchUID == "" {
			return 0, &config.Error{File: c.File, Line: c.Kubernetes.Line, Key: "kubernetes.dashboards.elasticsearchUID",
				Err: fmt.Errorf("missing: dashboard %s reads Elasticsearch (or mark components.%s absent)", b.Name, stack.Elasticsearch)}
		}
		cm, err := kube.DashboardConfigMap(built, opts, kube.Meta{Namespace: c.Kubernetes.Namespace})
		if err := add(kubeDashboardsDir, b.Name, cm, err); err != nil {
			return 0, err
		}
	}
	return len(boards), nil
}

// kubePodMonitors: a PodMonitor per component finobs scrapes that the config does not
// mark absent nor skip, giving its targets the labels the rules select it by (its job, or
// its matchers' labels: promql.SeriesLabels) and the cluster's, scraped as often as
// finobs's own Prometheus scrapes (the rules' windows and fors assume it), with the metric
// relabelling of finobs's own scrape jobs.
func kubePodMonitors(c *config.Config, add addFunc) (int, error) {
	k := c.Kubernetes
	scrapes, err := deploy.Scrapes()
	if err != nil {
		return 0, err
	}
	cat, err := catalog.Default()
	if err != nil {
		return 0, err
	}
	relabel := deploy.MetricRelabel(cat)
	n := 0
	for _, s := range scrapes {
		if promql.Absent(s.Component) || slices.Contains(k.Skip, s.Component) {
			continue
		}
		labels, err := promql.SeriesLabels(map[string]string{"job": string(s.Component)})
		if err != nil {
			return 0, fmt.Errorf("PodMonitor of %s: %w: give it job names", s.Component, err)
		}
		labels[c.ClusterLabel] = k.Cluster
		pm, err := kube.PodMonitor(kubeName(string(s.Component)), kube.Scrape{
			Selector: k.Selector(s.Component, s.Pods), Namespaces: k.Namespaces,
			Port: k.Port(s.Component, s.Pods), Path: s.Path, Interval: model.Duration(promconfig.ScrapeInterval),
			TargetLabels: labels, MetricRelabelings: relabelConfigs(relabel[s.Component]),
		}, kube.Meta{Namespace: k.Namespace, Labels: k.PodMonitors.Labels})
		if err := add(kubePodMonitorsDir, string(s.Component), pm, err); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// relabelConfigs are finobs's relabel steps as the operator's.
func relabelConfigs(rs []promconfig.Relabel) []monitoringv1.RelabelConfig {
	var out []monitoringv1.RelabelConfig
	for _, r := range rs {
		rc := monitoringv1.RelabelConfig{TargetLabel: r.TargetLabel, Regex: r.Regex, Action: r.Action}
		for _, l := range r.SourceLabels {
			rc.SourceLabels = append(rc.SourceLabels, monitoringv1.LabelName(l))
		}
		if r.Replacement != "" {
			rc.Replacement = &r.Replacement
		}
		out = append(out, rc)
	}
	return out
}

// kubeStrimzi: the JMX exporter config of the Kafka roles present, as the ConfigMap key
// Strimzi's metricsConfig reads.
func kubeStrimzi(c *config.Config, source string, add addFunc) (int, error) {
	var roles []stack.Component
	for _, r := range jmx.Roles {
		if !promql.Absent(r) {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return 0, nil
	}
	cat, err := catalog.Default()
	if err != nil {
		return 0, err
	}
	s := c.Kubernetes.Strimzi
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	data, err := jmx.Merged(cat, fmt.Sprintf(
		"# JMX exporter %s config of the Kafka nodes of a Strimzi cluster: %s.\n"+
			"# One file for every role: Strimzi reads one metricsConfig per Kafka cluster\n"+
			"# (Kafka.spec.kafka.metricsConfig), used by the pods of all its node pools.\n"+
			"# Generated from the catalog, for %s; do not edit.\n", jmx.AgentVersion, strings.Join(names, ", "), source), roles...)
	if err != nil {
		return 0, err
	}
	cm, err := kube.ConfigMap(s.ConfigMapName, map[string]string{s.Key: string(data)}, kube.Meta{Namespace: s.Namespace})
	err = add(kubeStrimziDir, s.ConfigMapName, cm, err,
		"Read by the Kafka resource of this namespace as",
		"  spec.kafka.metricsConfig: {type: jmxPrometheusExporter, valueFrom: {configMapKeyRef: {name: "+s.ConfigMapName+", key: "+s.Key+"}}}")
	if err != nil {
		return 0, err
	}
	return 1, nil
}
