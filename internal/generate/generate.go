// Package generate assembles every generated asset of finobs from the typed definitions:
// rules, tests, runbooks, JMX exporter, Prometheus and Alertmanager configs, dashboards.
// It renders all of it in memory and fails as a whole, so nothing partial is written.
package generate

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/jmx"
	"github.com/finobs/finobs/internal/lint"
	"github.com/finobs/finobs/internal/promconfig"
	"github.com/finobs/finobs/internal/render"
	"github.com/finobs/finobs/internal/rules"
	"github.com/finobs/finobs/internal/topology"
)

// Owned are the directories whose every file is generated: a file there that no generator
// produces is stale.
var Owned = []string{"deploy/prometheus", "deploy/alertmanager", "deploy/jmx", "deploy/runbooks", "deploy/grafana"}

// Paths of the deployment configs.
const (
	PrometheusCompose   = "deploy/prometheus/prometheus.yml"
	PrometheusLocal     = "deploy/local/prometheus.yml"
	PrometheusLocal3    = "deploy/local/prometheus-kafka3.yml" // KAFKA_NODES=3
	AlertmanagerCompose = "deploy/alertmanager/alertmanager.yml"
	AlertmanagerLocal   = "deploy/local/alertmanager.yml"
)

// Counts summarise what was generated.
type Counts struct {
	Groups, Alerts, Recording, TestCases, Inhibitions, RouteTests, Runbooks, Dashboards, Metrics int
}

func (c Counts) String() string {
	return fmt.Sprintf("%d metrics, %d rule groups, %d alerts, %d recording rules, %d promtool test cases, %d runbooks, %d inhibitions, %d routing tests, %d dashboards",
		c.Metrics, c.Groups, c.Alerts, c.Recording, c.TestCases, c.Runbooks, c.Inhibitions, c.RouteTests, c.Dashboards)
}

// Checker is the lint every rule and dashboard expression goes through.
func Checker() (lint.Checker, error) {
	cat, err := catalog.Default()
	if err != nil {
		return lint.Checker{}, err
	}
	return lint.Checker{Catalog: cat, Recorded: rules.Recorded(alerts.Groups())}, nil
}

// Lint validates every definition: catalog, rules with their tests and runbooks, routing,
// dashboards. Each error names the definition and the problem.
func Lint() error {
	chk, err := Checker()
	if err != nil {
		return err
	}
	var errs []error
	if err := rules.Validate(alerts.Groups(), chk); err != nil {
		errs = append(errs, err)
	}
	for _, e := range dashboards.Lint() {
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// All renders every generated file.
func All() (*render.Set, Counts, error) {
	var c Counts
	if err := Lint(); err != nil {
		return nil, c, err
	}
	cat, err := catalog.Default()
	if err != nil {
		return nil, c, err
	}
	c.Metrics = len(cat.Metrics())
	set := &render.Set{}
	add := func(files ...render.File) {
		if err == nil {
			err = set.Add(files...)
		}
	}

	groups, err := linkDashboards(alerts.Groups())
	if err != nil {
		return nil, c, err
	}
	var ruleFiles []string
	for _, g := range groups {
		ruleFiles = append(ruleFiles, "../rules/"+g.Name+".yml")
	}
	var runbookIndex bytes.Buffer
	runbookIndex.WriteString("# Runbooks\n\nOne page per alert, generated from `alerts/` by `go run ./cmd/gen`.\n\n| Alert | Severity | Component | Summary |\n|---|---|---|---|\n")
	for _, g := range groups {
		data, rerr := g.RuleFile(alerts.RunbookURL)
		if rerr != nil {
			return nil, c, rerr
		}
		add(render.File{Path: path.Join(rules.RulesDir, g.Name+".yml"), Data: withHeader(data, "Rules of group "+g.Name)})
		tests, terr := g.TestFile(ruleFiles, alerts.RunbookURL)
		if terr != nil {
			return nil, c, terr
		}
		add(render.File{Path: path.Join(rules.TestsDir, g.Name+".yml"), Data: withHeader(tests, "promtool unit tests of group "+g.Name)})
		c.Groups++
		c.Recording += len(g.Recording)
		for _, a := range g.Alerts {
			c.Alerts++
			c.TestCases += len(a.Tests)
			add(render.File{Path: path.Join(rules.RunbooksDir, a.Name+".md"), Data: a.RunbookPage(g)})
			c.Runbooks++
			fmt.Fprintf(&runbookIndex, "| [%s](%s.md) | %s | %s | %s |\n", a.Name, a.Name, a.Severity(), g.Component, a.Summary)
		}
	}
	add(render.File{Path: path.Join(rules.RunbooksDir, "README.md"), Data: runbookIndex.Bytes()})

	for _, role := range jmx.Roles {
		data, jerr := jmx.Config(cat, role)
		if jerr != nil {
			return nil, c, jerr
		}
		add(render.File{Path: jmx.Path(role), Data: data})
	}

	local, lerr := topology.Local(1)
	if lerr != nil {
		return nil, c, lerr
	}
	local3, lerr := topology.Local(3)
	if lerr != nil {
		return nil, c, lerr
	}
	for _, d := range []struct {
		path  string
		stack topology.Stack
		rules string
	}{
		{PrometheusCompose, topology.Compose(), "rules/*.yml"},
		{PrometheusLocal, local, "../prometheus/rules/*.yml"},
		{PrometheusLocal3, local3, "../prometheus/rules/*.yml"},
	} {
		data, perr := promconfig.Render(d.stack, promconfig.Options{
			RuleFiles:          []string{d.rules},
			EvaluationInterval: rules.EvaluationInterval,
			MetricRelabel:      promconfig.FromCatalog(cat),
		})
		if perr != nil {
			return nil, c, perr
		}
		add(render.File{Path: d.path, Data: data})
	}

	amHeader := "Alertmanager config. Generated by `go run ./cmd/gen` from alerts/routing.go; do not edit.\n"
	compose, aerr := alerts.Routing.Render(amHeader + "Receivers read their secrets from files under " + alerts.SecretsDir + ", mounted by the deployment.")
	if aerr != nil {
		return nil, c, aerr
	}
	add(render.File{Path: AlertmanagerCompose, Data: compose})
	webhook := "http://" + local.One(topology.Webhook).Addr(topology.PortHTTP)
	localAM, aerr := alerts.Routing.WithWebhooks(webhook).Render(amHeader + "Local stack: every receiver posts to the recording webhook at " + webhook + ".")
	if aerr != nil {
		return nil, c, aerr
	}
	add(render.File{Path: AlertmanagerLocal, Data: localAM})
	c.Inhibitions = len(alerts.Routing.Inhibit)
	c.RouteTests = len(alerts.Routing.Tests)

	boards, derr := dashboards.Render()
	if derr != nil {
		return nil, c, derr
	}
	add(boards...)
	for _, f := range boards {
		if strings.HasSuffix(f.Path, ".json") {
			c.Dashboards++
		}
	}
	if err != nil {
		return nil, c, err
	}
	return set, c, nil
}

// linkDashboards sets each alert's dashboard_url from the panel it names; a panel that
// does not exist is an error naming the alert.
func linkDashboards(groups []rules.Group) ([]rules.Group, error) {
	out := make([]rules.Group, len(groups))
	var errs []error
	for i, g := range groups {
		g.Alerts = append([]rules.Alert(nil), g.Alerts...)
		for j, a := range g.Alerts {
			if a.Panel == nil {
				continue // Validate names the alert
			}
			u, err := dashboards.PanelURL(a.Panel)
			if err != nil {
				errs = append(errs, fmt.Errorf("group %s, alert %s: %w", g.Name, a.Name, err))
				continue
			}
			g.Alerts[j].Dashboard = alerts.GrafanaURL + u
		}
		out[i] = g
	}
	return out, errors.Join(errs...)
}

func withHeader(data []byte, what string) []byte {
	return append([]byte("# "+what+". Generated by `go run ./cmd/gen` from alerts/; do not edit.\n"), data...)
}

// RouteTests are the routing expectations, as amtool arguments: the receivers expected
// (comma-joined) and the label pairs.
func RouteTests() [][2]string {
	var out [][2]string
	for _, t := range alerts.Routing.Tests {
		keys := make([]string, 0, len(t.Labels))
		for k := range t.Labels {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		pairs := make([]string, len(keys))
		for i, k := range keys {
			pairs[i] = k + "=" + t.Labels[k]
		}
		out = append(out, [2]string{strings.Join(t.Receivers, ","), strings.Join(pairs, " ")})
	}
	return out
}
