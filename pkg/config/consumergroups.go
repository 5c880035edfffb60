package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/pkg/consumergroup"
)

// ConsumerGroups is the consumerGroups: section: the deployment's groups, declared beside
// finobs's (one of the same name replaces finobs's declaration), and the levels of the groups
// nobody declares (a level left out keeps finobs's default).
type ConsumerGroups struct {
	Default consumergroup.Levels // 0: finobs's
	Groups  []consumergroup.Group
}

// consumerGroups decodes
//
//	consumerGroups:
//	  default: {lagRecords: N, lagSeconds: S}
//	  groups: [{name, team, lagRecords, lagSeconds, members}]
//
// A group's levels left out are the default's; members left out is true (a group of
// consumers). Teams are checked once the whole file is read (teams: may come after).
func (d *decoder) consumerGroups(c *Config, n *yaml.Node) {
	const path = "consumerGroups"
	d.mapping(n, path, []string{"default", "groups"}, func(key string, _, v *yaml.Node) {
		p := join(path, key)
		switch key {
		case "default":
			d.mapping(v, p, []string{"lagRecords", "lagSeconds"}, func(k string, _, v *yaml.Node) {
				d.levels(&c.ConsumerGroups.Default, k, v, join(p, k))
			})
		case "groups":
			d.sequence(v, p, func(i int, v *yaml.Node) { d.consumerGroup(c, v, fmt.Sprintf("%s[%d]", p, i)) })
		}
	})
}

func (d *decoder) consumerGroup(c *Config, n *yaml.Node, path string) {
	g := consumergroup.Group{Members: true}
	var teamNode *yaml.Node
	named := false
	d.mapping(n, path, []string{"name", "team", "lagRecords", "lagSeconds", "members"}, func(key string, _, v *yaml.Node) {
		p := join(path, key)
		switch key {
		case "name":
			named = true
			g.Name = d.str(v, p)
			if g.Name != "" && slices.ContainsFunc(c.ConsumerGroups.Groups, func(o consumergroup.Group) bool { return o.Name == g.Name }) {
				d.fail(v, p, "consumer group %q given twice", g.Name)
				g.Name = ""
			}
		case "team":
			g.Team, teamNode = d.str(v, p), v
		case "lagRecords", "lagSeconds":
			d.levels(&g.Lag, key, v, p)
		case "members":
			b, err := strconv.ParseBool(v.Value)
			if v.Kind != yaml.ScalarNode || err != nil {
				d.fail(v, p, "want true or false, got %s", kind(v))
			}
			g.Members = b
		}
	})
	if n.Kind != yaml.MappingNode {
		return
	}
	if !named {
		d.fail(n, join(path, "name"), "missing: the group's name (its group.id)")
	}
	if g.Name == "" {
		return
	}
	c.ConsumerGroups.Groups = append(c.ConsumerGroups.Groups, g)
	if g.Team == "" {
		return
	}
	d.pending = append(d.pending, func() {
		i := slices.IndexFunc(c.Teams, func(t Team) bool { return t.Name == g.Team })
		if i < 0 {
			names := make([]string, len(c.Teams))
			for j, t := range c.Teams {
				names[j] = t.Name
			}
			d.fail(teamNode, join(path, "team"), "unknown team %q (teams: %s)", g.Team, strings.Join(names, ", "))
			return
		}
		c.Teams[i].ConsumerGroups = append(c.Teams[i].ConsumerGroups, g.Name)
	})
}

// levels sets the level key (lagRecords or lagSeconds) of l: a number above 0.
func (d *decoder) levels(l *consumergroup.Levels, key string, v *yaml.Node, path string) {
	f, err := strconv.ParseFloat(v.Value, 64)
	switch {
	case v.Kind != yaml.ScalarNode || v.Tag == "!!str" || err != nil || math.IsNaN(f) || math.IsInf(f, 0):
		d.fail(v, path, "want a number, got %s", kind(v))
		return
	case f <= 0:
		d.fail(v, path, "%s: want a level above 0", v.Value)
		return
	}
	if key == "lagRecords" {
		l.Records = f
	} else {
		l.Seconds = f
	}
}
