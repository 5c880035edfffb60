// Package config reads finobs.yaml: how a deployment's own clusters differ from finobs's
// demo stacks (the label that tells clusters apart, each component's job names or label
// matchers, components it does not run, alerts it turns off, thresholds it moves, its
// consumer groups and their levels, and the teams that receive which clusters', components',
// topics' and consumer groups' alerts), and how the objects
// for a Kubernetes cluster running the kube-prometheus stack are written.
// Every error names the file, the line and the key path.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// Config is a validated finobs.yaml.
type Config struct {
	File         string
	ClusterLabel string // "cluster" when the file sets none
	Components   map[stack.Component]promql.ComponentSelector
	Disable      []Disabled
	Thresholds   []Threshold
	Clusters     []string // the clusters the teams may name; empty: any
	Teams        []Team
	// ConsumerGroups are the deployment's consumer groups and default levels.
	ConsumerGroups ConsumerGroups
	// GrafanaURL starts each alert's dashboard_url (the panel's path follows); empty: the
	// path alone. RunbookURL is the runbook_url of each alert, {alert} standing for its name;
	// empty: the runbook page's path in the output.
	GrafanaURL string
	RunbookURL string
	Kubernetes *Kubernetes // nil: no kubernetes: section
}

// Runbook is the runbook_url of alert, or "" when the config sets no template.
func (c *Config) Runbook(alert string) string {
	if c.RunbookURL == "" {
		return ""
	}
	return strings.ReplaceAll(c.RunbookURL, "{alert}", alert)
}

// Disabled is an alert turned off, with why.
type Disabled struct {
	Name, Reason string
}

// Threshold moves one signal level: the level an alert fires on (Alert), or a signal's
// level of a severity (Signal, Severity).
type Threshold struct {
	Alert    string
	Signal   string
	Severity signal.Severity
	Value    float64
}

// Known is what a config may name: the components, alerts and signals (with the
// severities of their levels) of the declarations it applies to.
type Known struct {
	Components      []stack.Component
	Alerts          map[string]bool
	Signals         map[string][]signal.Severity
	AlertComponents []string          // the values of the alerts' component label
	Scraped         []stack.Component // the components finobs scrapes: what a PodMonitor may select
}

// Error is a config error: the file, line and key path it is at.
type Error struct {
	File string
	Line int
	Key  string
	Err  error
}

func (e *Error) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %s: %v", e.File, e.Line, e.Key, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads and validates file.
func Load(file string, k Known) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, data, k)
}

type decoder struct {
	file    string
	k       Known
	errs    []error
	pending []func() // checks that need the whole file read
}

func (d *decoder) fail(n *yaml.Node, key string, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: n.Line, Key: key, Err: fmt.Errorf(format, args...)})
}

// mapping calls f for each key of mapping node n, refusing keys not in allowed.
func (d *decoder) mapping(n *yaml.Node, path string, allowed []string, f func(key string, k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", kind(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := join(path, k.Value)
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			d.fail(k, key, "unknown key (known: %s)", strings.Join(allowed, ", "))
			continue
		}
		if seen[k.Value] {
			d.fail(k, key, "given twice")
			continue
		}
		seen[k.Value] = true
		f(k.Value, k, v)
	}
}

func (d *decoder) sequence(n *yaml.Node, path string, f func(i int, v *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.fail(n, path, "want a list, got %s", kind(n))
		return
	}
	for i, v := range n.Content {
		f(i, v)
	}
}

func (d *decoder) str(n *yaml.Node, path string) string {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Tag != "!!int" {
		d.fail(n, path, "want a string, got %s", kind(n))
		return ""
	}
	return n.Value
}

// url is an absolute http(s) URL.
func (d *decoder) url(n *yaml.Node, path string) string {
	s := d.str(n, path)
	if s == "" {
		return ""
	}
	u, err := url.Parse(strings.ReplaceAll(s, "{alert}", "A"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.fail(n, path, "%q: want an absolute http or https URL", s)
		return ""
	}
	return s
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	}
	return "nothing"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Parse validates data, read from file.
func Parse(file string, data []byte, k Known) (*Config, error) {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c := &Config{File: file, ClusterLabel: "cluster", Components: map[stack.Component]promql.ComponentSelector{}}
	if len(doc.Content) == 0 {
		return c, nil
	}
	d := &decoder{file: file, k: k}
	d.mapping(doc.Content[0], "", []string{"clusterLabel", "clusters", "components", "alerts", "thresholds", "consumerGroups", "teams", "urls", "kubernetes"}, func(key string, kn, v *yaml.Node) {
		switch key {
		case "clusterLabel":
			l := d.str(v, key)
			if l != "" && !model_LabelName(l) {
				d.fail(v, key, "%q is not a label name", l)
			} else if l != "" {
				c.ClusterLabel = l
			}
		case "components":
			d.components(c, v)
		case "alerts":
			d.mapping(v, key, []string{"disable"}, func(_ string, _, v *yaml.Node) { d.disable(c, v) })
		case "thresholds":
			d.thresholds(c, v)
		case "clusters":
			d.clusters(c, v)
		case "teams":
			d.teams(c, v)
		case "consumerGroups":
			d.consumerGroups(c, v)
		case "kubernetes":
			d.kubernetes(c, kn, v)
		case "urls":
			d.mapping(v, key, []string{"grafana", "runbook"}, func(k string, _, v *yaml.Node) {
				p := join(key, k)
				u := d.url(v, p)
				switch {
				case k == "grafana":
					c.GrafanaURL = strings.TrimSuffix(u, "/")
				case u != "" && !strings.Contains(u, "{alert}"):
					d.fail(v, p, "%q names no alert: put {alert} where the alert's name goes", u)
				default:
					c.RunbookURL = u
				}
			})
		}
	})
	for _, check := range d.pending {
		check()
	}
	if err := errors.Join(d.errs...); err != nil {
		return nil, err
	}
	return c, nil
}

func model_LabelName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (d *decoder) components(c *Config, n *yaml.Node) {
	names := make([]string, len(d.k.Components))
	for i, k := range d.k.Components {
		names[i] = string(k)
	}
	d.mapping(n, "components", nil, func(name string, kn, v *yaml.Node) {
		path := "components." + name
		if !slices.Contains(d.k.Components, stack.Component(name)) {
			d.fail(kn, path, "unknown component (known: %s)", strings.Join(names, ", "))
			return
		}
		var sel promql.ComponentSelector
		before := len(d.errs)
		d.mapping(v, path, []string{"jobs", "matchers", "absent"}, func(key string, _, v *yaml.Node) {
			p := join(path, key)
			switch key {
			case "jobs":
				d.sequence(v, p, func(i int, v *yaml.Node) {
					if j := d.str(v, fmt.Sprintf("%s[%d]", p, i)); j != "" {
						sel.Jobs = append(sel.Jobs, j)
					}
				})
			case "matchers":
				d.sequence(v, p, func(i int, v *yaml.Node) {
					ip := fmt.Sprintf("%s[%d]", p, i)
					s := d.str(v, ip)
					if s == "" {
						return
					}
					ms, err := parser.NewParser(parser.Options{}).ParseMetricSelector("{" + s + "}")
					if err != nil || len(ms) != 1 {
						d.fail(v, ip, "bad matcher %q: %v", s, errOr(err, "want one matcher"))
						return
					}
					sel.Matchers = append(sel.Matchers, ms[0])
				})
			case "absent":
				b, err := strconv.ParseBool(v.Value)
				if v.Kind != yaml.ScalarNode || err != nil {
					d.fail(v, p, "want true or false, got %s", kind(v))
				}
				sel.Absent = b
			}
		})
		switch {
		case len(d.errs) > before: // said already
		case sel.Absent && (len(sel.Jobs) > 0 || len(sel.Matchers) > 0):
			d.fail(kn, path, "absent with jobs or matchers: say one")
		case len(sel.Jobs) > 0 && len(sel.Matchers) > 0:
			d.fail(kn, path, "jobs and matchers both given: say one")
		case !sel.Absent && len(sel.Jobs) == 0 && len(sel.Matchers) == 0:
			d.fail(kn, path, "give jobs, matchers or absent: true")
		}
		c.Components[stack.Component(name)] = sel
	})
}

func errOr(err error, s string) error {
	if err != nil {
		return err
	}
	return errors.New(s)
}

func (d *decoder) disable(c *Config, n *yaml.Node) {
	d.sequence(n, "alerts.disable", func(i int, v *yaml.Node) {
		p := fmt.Sprintf("alerts.disable[%d]", i)
		var dis Disabled
		d.mapping(v, p, []string{"name", "reason"}, func(key string, _, v *yaml.Node) {
			switch key {
			case "name":
				dis.Name = d.str(v, join(p, key))
				if dis.Name != "" && !d.k.Alerts[dis.Name] {
					d.fail(v, join(p, key), "unknown alert %q", dis.Name)
				}
			case "reason":
				dis.Reason = strings.TrimSpace(d.str(v, join(p, key)))
			}
		})
		if v.Kind != yaml.MappingNode {
			return
		}
		if dis.Name == "" {
			d.fail(v, join(p, "name"), "missing: the alert to turn off")
		}
		if dis.Reason == "" {
			d.fail(v, join(p, "reason"), "missing: say why %s is turned off", dis.Name)
		}
		c.Disable = append(c.Disable, dis)
	})
}

func (d *decoder) thresholds(c *Config, n *yaml.Node) {
	d.sequence(n, "thresholds", func(i int, v *yaml.Node) {
		p := fmt.Sprintf("thresholds[%d]", i)
		var t Threshold
		hasValue := false
		d.mapping(v, p, []string{"alert", "signal", "severity", "value"}, func(key string, _, v *yaml.Node) {
			kp := join(p, key)
			switch key {
			case "alert":
				t.Alert = d.str(v, kp)
				if t.Alert != "" && !d.k.Alerts[t.Alert] {
					d.fail(v, kp, "unknown alert %q", t.Alert)
				}
			case "signal":
				t.Signal = d.str(v, kp)
				if _, ok := d.k.Signals[t.Signal]; t.Signal != "" && !ok {
					d.fail(v, kp, "unknown signal %q", t.Signal)
				}
			case "severity":
				t.Severity = signal.Severity(d.str(v, kp))
			case "value":
				hasValue = true
				f, err := strconv.ParseFloat(v.Value, 64)
				if v.Kind != yaml.ScalarNode || v.Tag == "!!str" || err != nil {
					d.fail(v, kp, "want a number, got %s", kind(v))
					return
				}
				t.Value = f
			}
		})
		if v.Kind != yaml.MappingNode {
			return
		}
		switch {
		case t.Alert != "" && (t.Signal != "" || t.Severity != ""):
			d.fail(v, p, "give alert, or signal and severity, not both")
		case t.Alert == "" && t.Signal == "":
			d.fail(v, p, "give alert, or signal and severity")
		case t.Signal != "":
			if sevs, ok := d.k.Signals[t.Signal]; ok && !slices.Contains(sevs, t.Severity) {
				d.fail(v, join(p, "severity"), "signal %q has no %q level (it has %v)", t.Signal, t.Severity, sevs)
			}
		}
		if !hasValue {
			d.fail(v, join(p, "value"), "missing")
		}
		c.Thresholds = append(c.Thresholds, t)
	})
}
