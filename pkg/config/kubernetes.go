package config

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/validate/content"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/finobs/finobs/pkg/stack"
)

// Kubernetes is how the objects for a cluster running the kube-prometheus stack are
// written: PrometheusRules, the Grafana sidecar's dashboard ConfigMaps, PodMonitors, and
// the JMX exporter config of Strimzi's metricsConfig. Nil when the file has no
// kubernetes: section.
type Kubernetes struct {
	Line       int    // of the kubernetes: key, for errors found when rendering
	Namespace  string // of every object
	Cluster    string // the cluster label's value on the PodMonitors' targets
	RuleLabels map[string]string
	Dashboards Dashboards
	PodMonitors
	Strimzi Strimzi
}

// Dashboards are the dashboard ConfigMaps as the Grafana sidecar (kiwigrid k8s-sidecar,
// in the grafana chart kube-prometheus-stack uses) reads them.
type Dashboards struct {
	Label, LabelValue string // the sidecar's label and value (chart: sidecar.dashboards.label, labelValue)
	FolderAnnotation  string // the annotation naming the board's folder (chart: sidecar.dashboards.folderAnnotation)
	Folder            string // every board's folder; empty: each board's own
	DatasourceUID     string // the Prometheus datasource every panel and variable reads
	ElasticsearchUID  string // the Elasticsearch datasource of the logs boards
}

// PodMonitors say how the PodMonitors find each scraped component's pods.
type PodMonitors struct {
	Labels     map[string]string // on each PodMonitor: what the Prometheus' podMonitorSelector matches
	Namespaces []string          // where the pods are; empty: the PodMonitors' namespace
	PortName   string            // the pods' metrics port, where Ports names none
	Selectors  map[stack.Component]map[string]string
	Ports      map[stack.Component]string
	Skip       []stack.Component // scraped otherwise: no PodMonitor
}

// Strimzi names the ConfigMap key Strimzi's metricsConfig reads the JMX exporter config
// from, in the Kafka resource's namespace.
type Strimzi struct {
	Namespace, ConfigMapName, Key string
}

// Defaults of the kubernetes: section: kube-prometheus-stack's and Strimzi's own.
const (
	// The grafana chart's sidecar.dashboards.label and labelValue in kube-prometheus-stack's values.
	DefaultDashboardLabel      = "grafana_dashboard"
	DefaultDashboardLabelValue = "1"
	// The chart leaves sidecar.dashboards.folderAnnotation unset; the sidecar then reads
	// this annotation (with the chart's provider.foldersFromFilesStructure on, it names the
	// Grafana folder).
	DefaultFolderAnnotation = "k8s-sidecar-target-directory"
	// kube-prometheus-stack's grafana.sidecar.datasources.uid.
	DefaultDatasourceUID = "prometheus"
	DefaultPortName      = "metrics"
	DefaultStrimziName   = "finobs-kafka-metrics"
	DefaultStrimziKey    = "metrics-config.yml"
	// strimziPort is the name of the port Strimzi's Kafka pods serve the JMX exporter on.
	strimziPort = "tcp-prometheus"
)

// DefaultLabels are the labels of PrometheusRules and PodMonitors left out: the
// ruleSelector and podMonitorSelector of a kube-prometheus-stack release named so.
func DefaultLabels() map[string]string { return map[string]string{"release": "kube-prometheus-stack"} }

// DefaultSkip are the components kube-prometheus-stack scrapes itself (its own
// ServiceMonitors): a PodMonitor of finobs's would scrape them twice.
var DefaultSkip = []stack.Component{stack.Prometheus, stack.Alertmanager, stack.NodeExporter}

// strimziRoles are the labels Strimzi gives the pods of each Kafka role (the roles of
// their KafkaNodePool): finobs renders Strimzi's metricsConfig, so Kafka's pods are
// Strimzi's unless the file says otherwise.
var strimziRoles = map[stack.Component]map[string]string{
	stack.KafkaBroker:     {"strimzi.io/broker-role": "true", "strimzi.io/controller-role": "false"},
	stack.KafkaController: {"strimzi.io/broker-role": "false", "strimzi.io/controller-role": "true"},
	stack.KafkaCombined:   {"strimzi.io/broker-role": "true", "strimzi.io/controller-role": "true"},
}

// Selector is the pod labels the PodMonitor of component c selects. pods is the
// component whose pods serve c's metrics: c itself, or another (Spark's driver serves its
// executors' metrics). The file's selector of c, else of pods, else the default of pods:
// Strimzi's role labels for Kafka nodes, app.kubernetes.io/name: <pods> for the rest.
func (p PodMonitors) Selector(c, pods stack.Component) map[string]string {
	if s, ok := p.Selectors[c]; ok {
		return s
	}
	if s, ok := p.Selectors[pods]; ok {
		return s
	}
	if s, ok := strimziRoles[pods]; ok {
		return maps.Clone(s)
	}
	return map[string]string{"app.kubernetes.io/name": string(pods)}
}

// Port is the name of the port the PodMonitor of c scrapes on the pods of pods (see
// Selector): the file's for c, else for pods, else Strimzi's for Kafka nodes, else PortName.
func (p PodMonitors) Port(c, pods stack.Component) string {
	if n, ok := p.Ports[c]; ok {
		return n
	}
	if n, ok := p.Ports[pods]; ok {
		return n
	}
	if _, ok := strimziRoles[pods]; ok {
		return strimziPort
	}
	return p.PortName
}

// grafanaUID is what Grafana accepts as a uid.
var grafanaUID = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,40}$`)

func (d *decoder) kubernetes(c *Config, kn, n *yaml.Node) {
	k := &Kubernetes{
		Line:       kn.Line,
		RuleLabels: DefaultLabels(),
		Dashboards: Dashboards{Label: DefaultDashboardLabel, LabelValue: DefaultDashboardLabelValue,
			FolderAnnotation: DefaultFolderAnnotation, DatasourceUID: DefaultDatasourceUID},
		PodMonitors: PodMonitors{Labels: DefaultLabels(), PortName: DefaultPortName, Skip: DefaultSkip},
		Strimzi:     Strimzi{ConfigMapName: DefaultStrimziName, Key: DefaultStrimziKey},
	}
	const p = "kubernetes"
	given := map[string]bool{}
	d.mapping(n, p, []string{"namespace", "cluster", "ruleLabels", "dashboards", "podMonitors", "strimzi"}, func(key string, _, v *yaml.Node) {
		kp := join(p, key)
		given[key] = true
		switch key {
		case "namespace":
			k.Namespace = d.valid(v, kp, content.IsDNS1123Label)
		case "cluster":
			k.Cluster = d.str(v, kp)
			if k.Cluster == "" && v.Kind == yaml.ScalarNode {
				d.fail(v, kp, "empty")
			}
			d.pending = append(d.pending, func() {
				if k.Cluster != "" && len(c.Clusters) > 0 && !slices.Contains(c.Clusters, k.Cluster) {
					d.fail(v, kp, "unknown cluster %q (clusters: %s)", k.Cluster, strings.Join(c.Clusters, ", "))
				}
			})
		case "ruleLabels":
			k.RuleLabels = d.labels(v, kp)
		case "dashboards":
			d.kubeDashboards(&k.Dashboards, v, kp)
		case "podMonitors":
			d.podMonitors(c, &k.PodMonitors, v, kp)
		case "strimzi":
			d.mapping(v, kp, []string{"namespace", "configMapName", "key"}, func(key string, _, v *yaml.Node) {
				switch key {
				case "namespace":
					k.Strimzi.Namespace = d.valid(v, join(kp, key), content.IsDNS1123Label)
				case "configMapName":
					k.Strimzi.ConfigMapName = d.valid(v, join(kp, key), content.IsDNS1123Subdomain)
				default:
					k.Strimzi.Key = d.valid(v, join(kp, key), validation.IsConfigMapKey)
				}
			})
		}
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	for _, key := range []string{"namespace", "cluster"} {
		if !given[key] {
			d.fail(n, join(p, key), "missing: %s", map[string]string{
				"namespace": "the namespace of the objects",
				"cluster":   "the value of the cluster label on the PodMonitors' targets",
			}[key])
		}
	}
	if k.Strimzi.Namespace == "" {
		k.Strimzi.Namespace = k.Namespace
	}
	c.Kubernetes = k
}

func (d *decoder) kubeDashboards(b *Dashboards, n *yaml.Node, p string) {
	d.mapping(n, p, []string{"label", "labelValue", "folderAnnotation", "folder", "datasourceUID", "elasticsearchUID"}, func(key string, _, v *yaml.Node) {
		kp := join(p, key)
		switch key {
		case "label":
			b.Label = d.valid(v, kp, content.IsLabelKey)
		case "labelValue":
			b.LabelValue = d.valid(v, kp, content.IsLabelValue)
		case "folderAnnotation":
			b.FolderAnnotation = d.valid(v, kp, content.IsLabelKey) // annotation keys are label keys
		case "folder":
			f := d.str(v, kp)
			// The sidecar writes the board under this directory; Grafana names the folder after it.
			if f == "" || path.IsAbs(f) || path.Clean(f) != f || strings.HasPrefix(f, "..") {
				d.fail(v, kp, "%q: want a folder name (a relative path, without ..)", f)
			}
			b.Folder = f
		case "datasourceUID", "elasticsearchUID":
			uid := d.str(v, kp)
			if !grafanaUID.MatchString(uid) {
				d.fail(v, kp, "%q: a Grafana uid is 1 to 40 letters, digits, - or _", uid)
			}
			if key == "datasourceUID" {
				b.DatasourceUID = uid
			} else {
				b.ElasticsearchUID = uid
			}
		}
	})
}

func (d *decoder) podMonitors(c *Config, pm *PodMonitors, n *yaml.Node, p string) {
	d.mapping(n, p, []string{"labels", "namespaces", "portName", "ports", "selectors", "skip"}, func(key string, _, v *yaml.Node) {
		kp := join(p, key)
		switch key {
		case "labels":
			pm.Labels = d.labels(v, kp)
		case "namespaces":
			pm.Namespaces = nil
			for i, e := range d.list(v, kp) {
				if msgs := content.IsDNS1123Label(e); len(msgs) > 0 {
					d.fail(v.Content[i], fmt.Sprintf("%s[%d]", kp, i), "%q: %s", e, strings.Join(msgs, "; "))
				}
				pm.Namespaces = append(pm.Namespaces, e)
			}
		case "portName":
			pm.PortName = d.valid(v, kp, validation.IsValidPortName)
		case "ports":
			pm.Ports = map[stack.Component]string{}
			d.mapping(v, kp, nil, func(name string, kn, v *yaml.Node) {
				if comp, ok := d.scraped(kn, join(kp, name)); ok {
					pm.Ports[comp] = d.valid(v, join(kp, name), validation.IsValidPortName)
					d.monitored(c, pm, comp, kn, join(kp, name))
				}
			})
		case "selectors":
			pm.Selectors = map[stack.Component]map[string]string{}
			d.mapping(v, kp, nil, func(name string, kn, v *yaml.Node) {
				if comp, ok := d.scraped(kn, join(kp, name)); ok {
					pm.Selectors[comp] = d.labels(v, join(kp, name))
					if v.Kind == yaml.MappingNode && len(v.Content) == 0 {
						d.fail(v, join(kp, name), "empty: a PodMonitor selecting every pod")
					}
					d.monitored(c, pm, comp, kn, join(kp, name))
				}
			})
		case "skip":
			pm.Skip = []stack.Component{}
			d.sequence(v, kp, func(i int, e *yaml.Node) {
				if comp, ok := d.scraped(e, fmt.Sprintf("%s[%d]", kp, i)); ok {
					pm.Skip = append(pm.Skip, comp)
				}
			})
		}
	})
}

// monitored checks, once the file is read, that a PodMonitor scrapes comp, which the key
// at n says something of: comp is not skipped, nor absent.
func (d *decoder) monitored(c *Config, pm *PodMonitors, comp stack.Component, n *yaml.Node, path string) {
	d.pending = append(d.pending, func() {
		switch {
		case c.Components[comp].Absent:
			d.fail(n, path, "components.%s is absent: no PodMonitor scrapes it", comp)
		case slices.Contains(pm.Skip, comp):
			d.fail(n, path, "%s is skipped: no PodMonitor scrapes it", comp)
		}
	})
}

// scraped is the component key k names, when finobs scrapes it.
func (d *decoder) scraped(k *yaml.Node, path string) (stack.Component, bool) {
	name := d.str(k, path)
	if name == "" {
		return "", false
	}
	comp := stack.Component(name)
	if !slices.Contains(d.k.Scraped, comp) {
		names := make([]string, len(d.k.Scraped))
		for i, s := range d.k.Scraped {
			names[i] = string(s)
		}
		d.fail(k, path, "not a component finobs scrapes (scraped: %s)", strings.Join(names, ", "))
		return "", false
	}
	return comp, true
}

// labels is a mapping of Kubernetes label names to values.
func (d *decoder) labels(n *yaml.Node, path string) map[string]string {
	out := map[string]string{}
	d.mapping(n, path, nil, func(name string, kn, v *yaml.Node) {
		kp := join(path, name)
		if msgs := content.IsLabelKey(name); len(msgs) > 0 {
			d.fail(kn, kp, "not a label name: %s", strings.Join(msgs, "; "))
			return
		}
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" && v.Tag != "!!int" {
			d.fail(v, kp, "want a string, got %s (quote it)", kind(v))
			return
		}
		if msgs := content.IsLabelValue(v.Value); len(msgs) > 0 {
			d.fail(v, kp, "%q is not a label value: %s", v.Value, strings.Join(msgs, "; "))
			return
		}
		out[name] = v.Value
	})
	return out
}

// valid is the string n holds, when check (a Kubernetes validation) accepts it.
func (d *decoder) valid(n *yaml.Node, path string, check func(string) []string) string {
	before := len(d.errs)
	s := d.str(n, path)
	if len(d.errs) > before {
		return ""
	}
	if msgs := check(s); len(msgs) > 0 {
		d.fail(n, path, "%q: %s", s, strings.Join(msgs, "; "))
		return ""
	}
	return s
}
