package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/pkg/consumergroup"
)

// Team receives the alerts of its clusters, components and topics (a list left out: any),
// and those of its consumer groups in its clusters: critical ones through Paging, warnings
// and info through Chat. A team that lists consumer groups and nothing else receives only
// theirs. Teams are tried in the order the file lists them; an alert of no team goes the
// default way.
type Team struct {
	Name       string
	Clusters   []string // values of the cluster label
	Components []string // values of the alerts' component label (kafka, spark, producer, ...)
	Topics     []string // values of the topic label, for alerts that carry one
	// ConsumerGroups are the values of the consumergroup label of the groups it owns
	// (consumerGroups.groups[].team).
	ConsumerGroups []string
	Paging         Receiver
	Chat           Receiver
}

// Receiver is one integration. Its secret is a file the deployment mounts, never a value in
// the config: PagerDuty's routing key, Slack's incoming-webhook URL, a webhook's URL.
type Receiver struct {
	PagerDutyKeyFile string
	SlackURLFile     string
	SlackChannel     string
	WebhookURLFile   string
}

// Owns says whether an alert with these labels is the team's; clusterLabel names the
// cluster label.
func (t Team) Owns(labels map[string]string, clusterLabel string) bool {
	in := func(list []string, label string) bool {
		return len(list) == 0 || slices.Contains(list, labels[label])
	}
	if !in(t.Clusters, clusterLabel) {
		return false
	}
	if g := labels[ConsumerGroupLabel]; g != "" && slices.Contains(t.ConsumerGroups, g) {
		return true
	}
	return !t.GroupsOnly() && in(t.Components, "component") && in(t.Topics, "topic")
}

// GroupsOnly says whether the team owns its consumer groups' alerts and nothing else: it
// lists groups, and no cluster, component or topic.
func (t Team) GroupsOnly() bool {
	return len(t.ConsumerGroups) > 0 && len(t.Clusters)+len(t.Components)+len(t.Topics) == 0
}

// ConsumerGroupLabel is the label that names an alert's consumer group.
const ConsumerGroupLabel = consumergroup.Label

// teamName is what a team's receivers are named after (team-<name>-paging).
var teamName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

func (d *decoder) clusters(c *Config, n *yaml.Node) {
	d.sequence(n, "clusters", func(i int, v *yaml.Node) {
		p := fmt.Sprintf("clusters[%d]", i)
		name := d.str(v, p)
		switch {
		case name == "" && v.Kind == yaml.ScalarNode:
			d.fail(v, p, "empty")
		case slices.Contains(c.Clusters, name):
			d.fail(v, p, "%q given twice", name)
		case name != "":
			c.Clusters = append(c.Clusters, name)
		}
	})
}

// teams decodes the teams; clusters are checked against the clusters list after the whole
// file is read (the list may come after the teams).
func (d *decoder) teams(c *Config, n *yaml.Node) {
	d.sequence(n, "teams", func(i int, v *yaml.Node) {
		p := fmt.Sprintf("teams[%d]", i)
		var t Team
		var hasPaging, hasChat bool
		d.mapping(v, p, []string{"name", "clusters", "components", "topics", "paging", "chat"}, func(key string, _, v *yaml.Node) {
			kp := join(p, key)
			switch key {
			case "name":
				t.Name = d.str(v, kp)
				switch {
				case t.Name != "" && !teamName.MatchString(t.Name):
					d.fail(v, kp, "%q: lower case letters, digits and dashes (it names the team's receivers)", t.Name)
				case slices.ContainsFunc(c.Teams, func(o Team) bool { return o.Name == t.Name }):
					d.fail(v, kp, "team %q given twice", t.Name)
				}
			case "clusters":
				t.Clusters = d.list(v, kp)
				eachScalar(v, func(j int, e *yaml.Node) {
					d.pending = append(d.pending, func() {
						if len(c.Clusters) > 0 && !slices.Contains(c.Clusters, e.Value) {
							d.fail(e, fmt.Sprintf("%s[%d]", kp, j), "unknown cluster %q (clusters: %s)", e.Value, strings.Join(c.Clusters, ", "))
						}
					})
				})
			case "components":
				t.Components = d.list(v, kp)
				eachScalar(v, func(j int, e *yaml.Node) {
					if !slices.Contains(d.k.AlertComponents, e.Value) {
						d.fail(e, fmt.Sprintf("%s[%d]", kp, j), "unknown component label %q (alerts carry: %s)", e.Value, strings.Join(d.k.AlertComponents, ", "))
					}
				})
			case "topics":
				t.Topics = d.list(v, kp)
			case "paging":
				hasPaging = true
				t.Paging = d.receiver(v, kp)
			case "chat":
				hasChat = true
				t.Chat = d.receiver(v, kp)
			}
		})
		if v.Kind != yaml.MappingNode {
			return
		}
		if t.Name == "" {
			d.fail(v, join(p, "name"), "missing: the team's name")
		}
		if !hasPaging {
			d.fail(v, join(p, "paging"), "missing: where the team's critical alerts go")
		}
		if !hasChat {
			d.fail(v, join(p, "chat"), "missing: where the team's warnings go")
		}
		c.Teams = append(c.Teams, t)
	})
}

// eachScalar calls f for each non-empty scalar of sequence n.
func eachScalar(n *yaml.Node, f func(i int, e *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		return
	}
	for i, e := range n.Content {
		if e.Kind == yaml.ScalarNode && e.Value != "" {
			f(i, e)
		}
	}
}

// list is a list of non-empty strings.
func (d *decoder) list(n *yaml.Node, path string) []string {
	var out []string
	d.sequence(n, path, func(i int, v *yaml.Node) {
		p := fmt.Sprintf("%s[%d]", path, i)
		if s := d.str(v, p); s != "" {
			out = append(out, s)
		} else if v.Kind == yaml.ScalarNode {
			d.fail(v, p, "empty")
		}
	})
	if n.Kind == yaml.SequenceNode && len(n.Content) == 0 {
		d.fail(n, path, "empty: leave the key out to mean any")
	}
	return out
}

// receiver is one of pagerduty: {routingKeyFile}, slack: {apiURLFile, channel} or
// webhook: {urlFile}; files are absolute paths (where the deployment mounts them).
func (d *decoder) receiver(n *yaml.Node, path string) Receiver {
	var r Receiver
	given := 0
	file := func(v *yaml.Node, p string) string {
		f := d.str(v, p)
		if f != "" && !strings.HasPrefix(f, "/") {
			d.fail(v, p, "%q: an absolute path, where the deployment mounts the secret", f)
		}
		return path_Clean(f)
	}
	d.mapping(n, path, []string{"pagerduty", "slack", "webhook"}, func(key string, _, v *yaml.Node) {
		given++
		kp := join(path, key)
		var need []string
		switch key {
		case "pagerduty":
			need = []string{"routingKeyFile"}
			d.mapping(v, kp, need, func(_ string, _, v *yaml.Node) { r.PagerDutyKeyFile = file(v, join(kp, "routingKeyFile")) })
			if r.PagerDutyKeyFile != "" {
				need = nil
			}
		case "slack":
			need = []string{"apiURLFile", "channel"}
			d.mapping(v, kp, need, func(k string, _, v *yaml.Node) {
				if k == "apiURLFile" {
					r.SlackURLFile = file(v, join(kp, k))
				} else {
					r.SlackChannel = d.str(v, join(kp, k))
				}
			})
			need = slices.DeleteFunc(need, func(k string) bool {
				return k == "apiURLFile" && r.SlackURLFile != "" || k == "channel" && r.SlackChannel != ""
			})
		case "webhook":
			need = []string{"urlFile"}
			d.mapping(v, kp, need, func(_ string, _, v *yaml.Node) { r.WebhookURLFile = file(v, join(kp, "urlFile")) })
			if r.WebhookURLFile != "" {
				need = nil
			}
		}
		if v.Kind == yaml.MappingNode {
			for _, k := range need {
				d.fail(v, join(kp, k), "missing")
			}
		}
	})
	if n.Kind == yaml.MappingNode && given != 1 {
		d.fail(n, path, "give one of pagerduty, slack or webhook (got %d)", given)
	}
	return r
}

func path_Clean(f string) string {
	if f == "" {
		return ""
	}
	return path.Clean(f)
}
