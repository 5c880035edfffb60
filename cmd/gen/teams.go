package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/deploy"
	am "github.com/finobs/finobs/internal/alertmanager"
	"github.com/finobs/finobs/pkg/config"
	"github.com/finobs/finobs/pkg/consumergroup"
	"github.com/finobs/finobs/pkg/signal"
)

// teamRouting is finobs's routing tree with the config's teams: a route per team, in the
// file's order, after the heartbeat's and the notification failures' and before the severity
// routes, and before it the route of the team's consumer groups (of groups, the set in
// force: finobs's with the config's), where the team owns any. A team's critical alerts go
// to its paging receiver, the others to its chat, with the timings of finobs's own paging and
// chat routes. Its tests say, per team, that an alert of each severity reaches its receiver
// and one of a cluster, component or consumer group it does not own goes elsewhere; where,
// the config's order says (config.Team.Owns), not the tree.
func teamRouting(c *config.Config, groups consumergroup.Set) (am.Config, error) {
	routing := alerts.Routing
	routing.Tests = nil
	if len(c.Teams) == 0 {
		return routing, nil
	}
	teams := make([]config.Team, len(c.Teams))
	for i, t := range c.Teams {
		t.ConsumerGroups = groups.Owned(t.Name)
		teams[i] = t
	}
	paging, pagingAt := severityRoute(signal.Critical)
	chat, _ := severityRoute(signal.Warning)
	if pagingAt < 0 || chat.Receiver == "" {
		return am.Config{}, fmt.Errorf("alerts.Routing has no %s or %s route to put the teams before", signal.Critical, signal.Warning)
	}
	var routes []am.Route
	receivers := slices.Clone(routing.Receivers)
	for _, t := range teams {
		pr, cr := teamReceiver(t.Name, "paging"), teamReceiver(t.Name, "chat")
		receivers = append(receivers, receiver(pr, t.Paging), receiver(cr, t.Chat))
		p, w := paging, chat
		p.Receiver, w.Receiver = pr, cr
		w.Matchers = []string{`severity!="critical"`}
		if len(t.ConsumerGroups) > 0 {
			routes = append(routes, am.Route{Receiver: cr, Matchers: groupMatchers(t, c.ClusterLabel), Routes: []am.Route{p, w}})
		}
		if !t.GroupsOnly() {
			routes = append(routes, am.Route{Receiver: cr, Matchers: teamMatchers(t, c.ClusterLabel), Routes: []am.Route{p, w}})
		}
	}
	routing.Route.Routes = slices.Concat(routing.Route.Routes[:pagingAt], routes, routing.Route.Routes[pagingAt:])
	routing.Receivers = receivers
	// A paging receiver that fails cannot carry the alert saying so: a team's, like finobs's
	// own, goes to chat.
	failing := `receiver_name="` + alerts.PagingReceiver + `"`
	found := false
	for i, r := range routing.Route.Routes[:pagingAt] {
		if j := slices.Index(r.Matchers, failing); j >= 0 {
			names := []string{alerts.PagingReceiver}
			for _, t := range teams {
				names = append(names, teamReceiver(t.Name, "paging"))
			}
			r.Matchers = slices.Clone(r.Matchers)
			r.Matchers[j] = fmt.Sprintf("receiver_name=~%q", strings.Join(names, "|"))
			routing.Route.Routes[i], found = r, true
		}
	}
	if !found {
		return am.Config{}, fmt.Errorf("alerts.Routing has no route for the failures of receiver %s (%s)", alerts.PagingReceiver, failing)
	}
	routing.Tests = teamTests(c, teams, paging.Receiver, chat.Receiver)
	return routing, nil
}

// severityRoute is finobs's route of one severity and its place in the tree.
func severityRoute(s signal.Severity) (am.Route, int) {
	for i, r := range alerts.Routing.Route.Routes {
		if slices.Equal(r.Matchers, []string{`severity="` + string(s) + `"`}) {
			return r, i
		}
	}
	return am.Route{}, -1
}

func teamReceiver(team, kind string) string { return "team-" + team + "-" + kind }

func receiver(name string, r config.Receiver) am.Receiver {
	switch {
	case r.PagerDutyKeyFile != "":
		return am.Receiver{Name: name, PagerDuty: &am.PagerDuty{RoutingKeyFile: r.PagerDutyKeyFile}}
	case r.SlackURLFile != "":
		return am.Receiver{Name: name, Slack: &am.Slack{APIURLFile: r.SlackURLFile, Channel: r.SlackChannel}}
	}
	return am.Receiver{Name: name, Webhook: &am.Webhook{URLFile: r.WebhookURLFile}}
}

// teamMatchers match the team's clusters, components and topics; a list left out, any.
func teamMatchers(t config.Team, clusterLabel string) []string {
	return matchers(labelValues{clusterLabel, t.Clusters}, labelValues{"component", t.Components}, labelValues{"topic", t.Topics})
}

// groupMatchers match the team's consumer groups, in its clusters.
func groupMatchers(t config.Team, clusterLabel string) []string {
	return matchers(labelValues{clusterLabel, t.Clusters}, labelValues{config.ConsumerGroupLabel, t.ConsumerGroups})
}

type labelValues struct {
	label  string
	values []string
}

// matchers match each label against its values; a label of no values, any.
func matchers(ms ...labelValues) []string {
	var out []string
	for _, m := range ms {
		if len(m.values) == 0 {
			continue
		}
		quoted := make([]string, len(m.values))
		for i, v := range m.values {
			quoted[i] = regexp.QuoteMeta(v)
		}
		out = append(out, fmt.Sprintf("%s=~%q", m.label, strings.Join(quoted, "|")))
	}
	return out
}

// teamTests: for each team (teams are the config's with their consumer groups), an alert it
// owns of each severity, and one in a cluster and one of a component it does not own; of a
// team owning consumer groups, an alert of its first group of each severity, and one of a
// group it does not own. Each is expected where the first team owning it (or, of none,
// finobs's severity routes) sends it.
func teamTests(c *config.Config, teams []config.Team, paging, chat string) []am.RouteTest {
	components := alertComponents()
	expect := func(labels map[string]string) []string {
		for _, t := range teams {
			if t.Owns(labels, c.ClusterLabel) {
				if labels["severity"] == string(signal.Critical) {
					return []string{teamReceiver(t.Name, "paging")}
				}
				return []string{teamReceiver(t.Name, "chat")}
			}
		}
		if labels["severity"] == string(signal.Critical) {
			return []string{paging}
		}
		return []string{chat}
	}
	first := func(list, or []string) string {
		if len(list) > 0 {
			return list[0]
		}
		if len(or) > 0 {
			return or[0]
		}
		return "any"
	}
	other := func(list, from []string) string {
		for _, v := range from {
			if !slices.Contains(list, v) {
				return v
			}
		}
		return "not-" + list[0]
	}
	var out []am.RouteTest
	add := func(labels map[string]string) {
		for _, sev := range []signal.Severity{signal.Critical, signal.Warning} {
			l := map[string]string{"alertname": "FinobsRouteProbe", "severity": string(sev)}
			for k, v := range labels {
				l[k] = v
			}
			out = append(out, am.RouteTest{Labels: l, Receivers: expect(l)})
		}
	}
	for _, t := range teams {
		// What comes before the teams stays there: the heartbeat, and a team's failing
		// paging receiver reported through chat.
		cluster := first(t.Clusters, c.Clusters)
		out = append(out,
			am.RouteTest{Labels: map[string]string{"alertname": alerts.Watchdog.Name, "severity": string(alerts.Watchdog.Severity()), "component": alerts.Monitoring.Component, c.ClusterLabel: cluster},
				Receivers: []string{alerts.HeartbeatReceiver}},
			am.RouteTest{Labels: map[string]string{"alertname": alerts.AlertmanagerNotificationsFailing.Name, "severity": string(alerts.AlertmanagerNotificationsFailing.Severity()),
				"component": alerts.Monitoring.Component, c.ClusterLabel: cluster, "receiver_name": teamReceiver(t.Name, "paging")},
				Receivers: []string{chat}})
		owned := map[string]string{c.ClusterLabel: cluster, "component": first(t.Components, components)}
		if len(t.Topics) > 0 {
			owned["topic"] = t.Topics[0]
		}
		add(owned)
		if len(t.Clusters) > 0 {
			add(with(owned, c.ClusterLabel, other(t.Clusters, c.Clusters)))
		}
		if len(t.Components) > 0 {
			add(with(owned, "component", other(t.Components, components)))
		}
		if len(t.Topics) > 0 {
			add(with(owned, "topic", "not-"+t.Topics[0]))
		}
		if len(t.ConsumerGroups) > 0 {
			group := map[string]string{c.ClusterLabel: cluster, "component": alerts.ConsumerGroups().Component, config.ConsumerGroupLabel: t.ConsumerGroups[0]}
			add(group)
			add(with(group, config.ConsumerGroupLabel, "not-"+t.ConsumerGroups[0]))
		}
	}
	return out
}

func with(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for kk, vv := range m {
		if kk != k {
			out[kk] = vv
		}
	}
	return out
}

// configRoutesTest checks the teams' routes of file with amtool, in the Alertmanager
// config gen -config wrote under out.
func configRoutesTest(ctx context.Context, file, out string, stdout io.Writer) error {
	c, err := loadConfig(file)
	if err != nil {
		return err
	}
	groups, err := consumerGroupSet(c)
	if err != nil {
		return err
	}
	routing, err := teamRouting(c, groups)
	if err != nil {
		return err
	}
	if len(routing.Tests) == 0 {
		fmt.Fprintf(stdout, "%s declares no teams: no routes of its own to test\n", file)
		return nil
	}
	return routesTest(ctx, []string{filepath.Join(out, configAlertmanager)}, deploy.RouteCases(routing.Tests), stdout)
}
