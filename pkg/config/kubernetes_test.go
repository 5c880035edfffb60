package config

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/stack"
)

func TestKubernetes(t *testing.T) {
	c, err := Parse("finobs.yaml", []byte(`
clusters: [prod-eu]
kubernetes:
  namespace: monitoring
  cluster: prod-eu
  ruleLabels: {release: monitoring, team: kafka}
  dashboards: {folder: finobs, datasourceUID: thanos}
  podMonitors:
    namespaces: [kafka, payments]
    portName: http-metrics
    selectors:
      stream-driver: {app: payments-stream}
    ports: {stream-driver: web}
    skip: [prometheus]
  strimzi: {configMapName: kafka-metrics, key: jmx.yml}
`), known)
	if err != nil {
		t.Fatal(err)
	}
	k := c.Kubernetes
	if k == nil || k.Namespace != "monitoring" || k.Cluster != "prod-eu" || !maps.Equal(k.RuleLabels, map[string]string{"release": "monitoring", "team": "kafka"}) {
		t.Fatalf("kubernetes: %+v", k)
	}
	if d := k.Dashboards; d.Folder != "finobs" || d.DatasourceUID != "thanos" || d.Label != DefaultDashboardLabel || d.LabelValue != "1" || d.FolderAnnotation != DefaultFolderAnnotation {
		t.Errorf("dashboards: %+v", d)
	}
	if k.Strimzi != (Strimzi{Namespace: "monitoring", ConfigMapName: "kafka-metrics", Key: "jmx.yml"}) {
		t.Errorf("strimzi: %+v", k.Strimzi)
	}
	pm := k.PodMonitors
	if !maps.Equal(pm.Labels, DefaultLabels()) || !slices.Equal(pm.Namespaces, []string{"kafka", "payments"}) || !slices.Equal(pm.Skip, []stack.Component{stack.Prometheus}) {
		t.Errorf("podMonitors: %+v", pm)
	}
	for _, tc := range []struct {
		c, pods  stack.Component
		selector map[string]string
		port     string
	}{
		{stack.StreamDriver, stack.StreamDriver, map[string]string{"app": "payments-stream"}, "web"},
		{stack.Producer, stack.Producer, map[string]string{"app.kubernetes.io/name": "producer"}, "http-metrics"},
		{stack.KafkaBroker, stack.KafkaBroker, map[string]string{"strimzi.io/broker-role": "true", "strimzi.io/controller-role": "false"}, "tcp-prometheus"},
		// Metrics served by another component's pods: its selector and port.
		{stack.SparkExecutors, stack.StreamDriver, map[string]string{"app": "payments-stream"}, "web"},
	} {
		if got := pm.Selector(tc.c, tc.pods); !maps.Equal(got, tc.selector) {
			t.Errorf("selector of %s: %v, want %v", tc.c, got, tc.selector)
		}
		if got := pm.Port(tc.c, tc.pods); got != tc.port {
			t.Errorf("port of %s: %q, want %q", tc.c, got, tc.port)
		}
	}

	// Defaults: kube-prometheus-stack's and Strimzi's.
	c, err = Parse("finobs.yaml", []byte("kubernetes: {namespace: monitoring, cluster: c1}\n"), known)
	if err != nil {
		t.Fatal(err)
	}
	k = c.Kubernetes
	if !maps.Equal(k.RuleLabels, map[string]string{"release": "kube-prometheus-stack"}) || k.Dashboards.DatasourceUID != "prometheus" ||
		k.PortName != "metrics" || !slices.Equal(k.Skip, DefaultSkip) || k.Strimzi.Key != DefaultStrimziKey {
		t.Errorf("defaults: %+v", k)
	}
	// No section: nothing for Kubernetes.
	if c, err := Parse("finobs.yaml", []byte("clusterLabel: c\n"), known); err != nil || c.Kubernetes != nil {
		t.Errorf("no kubernetes section: %+v, %v", c.Kubernetes, err)
	}
}

// TestBadKubernetes: each error names the file, the line and the key.
func TestBadKubernetes(t *testing.T) {
	const head = "kubernetes:\n  namespace: monitoring\n  cluster: prod-eu\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown key", head + "  labels: {release: x}\n",
			`finobs.yaml:4: kubernetes.labels: unknown key (known: namespace, cluster, ruleLabels, dashboards, podMonitors, strimzi)`},
		{"no namespace", "kubernetes:\n  cluster: prod-eu\n",
			`finobs.yaml:2: kubernetes.namespace: missing: the namespace of the objects`},
		{"no cluster", "kubernetes:\n  namespace: monitoring\n",
			`finobs.yaml:2: kubernetes.cluster: missing: the value of the cluster label`},
		{"bad namespace", "kubernetes:\n  namespace: Monitoring\n  cluster: prod-eu\n",
			`finobs.yaml:2: kubernetes.namespace: "Monitoring": a lowercase RFC 1123 label`},
		{"unknown cluster", "clusters: [prod-eu]\nkubernetes:\n  namespace: monitoring\n  cluster: prod-us\n",
			`finobs.yaml:4: kubernetes.cluster: unknown cluster "prod-us" (clusters: prod-eu)`},
		{"label value not a string", head + "  ruleLabels:\n    release: true\n",
			`finobs.yaml:5: kubernetes.ruleLabels.release: want a string, got "true" (quote it)`},
		{"bad label name", head + "  ruleLabels: {\"release name\": x}\n",
			`finobs.yaml:4: kubernetes.ruleLabels.release name: not a label name`},
		{"bad dashboard label value", head + "  dashboards:\n    labelValue: \"a b\"\n",
			`finobs.yaml:5: kubernetes.dashboards.labelValue: "a b": a valid label must be`},
		{"bad datasource uid", head + "  dashboards: {datasourceUID: \"prom/1\"}\n",
			`finobs.yaml:4: kubernetes.dashboards.datasourceUID: "prom/1": a Grafana uid is 1 to 40 letters`},
		{"folder outside", head + "  dashboards:\n    folder: ../etc\n",
			`finobs.yaml:5: kubernetes.dashboards.folder: "../etc": want a folder name`},
		{"unknown dashboards key", head + "  dashboards:\n    datasource: prometheus\n",
			`finobs.yaml:5: kubernetes.dashboards.datasource: unknown key`},
		{"selector of a component not scraped", head + "  podMonitors:\n    selectors:\n      grafana: {app: grafana}\n",
			`finobs.yaml:6: kubernetes.podMonitors.selectors.grafana: not a component finobs scrapes (scraped: kafka-broker, kafka-controller, stream-driver, prometheus)`},
		{"empty selector", head + "  podMonitors:\n    selectors:\n      stream-driver: {}\n",
			`finobs.yaml:6: kubernetes.podMonitors.selectors.stream-driver: empty: a PodMonitor selecting every pod`},
		{"selector of an absent component", head + "  podMonitors:\n    selectors:\n      kafka-controller: {app: kraft}\ncomponents:\n  kafka-controller: {absent: true}\n",
			`finobs.yaml:6: kubernetes.podMonitors.selectors.kafka-controller: components.kafka-controller is absent: no PodMonitor scrapes it`},
		{"port of a skipped component", head + "  podMonitors:\n    ports: {prometheus: web}\n",
			`finobs.yaml:5: kubernetes.podMonitors.ports.prometheus: prometheus is skipped: no PodMonitor scrapes it`},
		{"bad port name", head + "  podMonitors:\n    portName: prometheus-metrics\n",
			`finobs.yaml:5: kubernetes.podMonitors.portName: "prometheus-metrics": must be no more than 15 characters`},
		{"bad pod namespace", head + "  podMonitors:\n    namespaces: [kafka, Payments]\n",
			`finobs.yaml:5: kubernetes.podMonitors.namespaces[1]: "Payments": a lowercase RFC 1123 label`},
		{"bad strimzi key", head + "  strimzi: {key: \"metrics/config.yml\"}\n",
			`finobs.yaml:4: kubernetes.strimzi.key: "metrics/config.yml": a valid config key must consist of`},
		{"not a mapping", "kubernetes: [monitoring]\n",
			`finobs.yaml:1: kubernetes: want a mapping, got a list`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("finobs.yaml", []byte(tc.yaml), known)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
			t.Log(err)
		})
	}
}
