// Package generate assembles every generated asset of finobs from the typed definitions. It
// is a list of outputs (rules, JMX exporter, Prometheus, Alertmanager, Grafana), each of
// which names the directories it owns and renders its files in memory; generation fails as
// a whole, so nothing partial is written.
package generate

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pipelines"
	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/rules"
)

// Outputs is every output, in the order cmd/gen reports them.
var Outputs = []render.Output{
	rulesOutput,
	jmxOutput,
	prometheusOutput,
	alertmanagerOutput,
	dashboards.Output,
	pipelines.Output,
	composeOutput,
	capacityOutput,
}

// Owned are the directories whose every file is generated, over all outputs.
func Owned() []string {
	var out []string
	for _, o := range Outputs {
		out = append(out, o.Owns...)
	}
	return out
}

// Paths of the deployment configs.
const (
	PrometheusCompose   = "deploy/prometheus/prometheus.yml"
	PrometheusLocal     = "deploy/local/prometheus.yml"
	PrometheusLocal3    = "deploy/local/prometheus-kafka3.yml" // KAFKA_NODES=3
	AlertmanagerCompose = "deploy/alertmanager/alertmanager.yml"
	AlertmanagerLocal   = "deploy/local/alertmanager.yml"
)

// Result is what one output rendered.
type Result struct {
	Output string
	Files  int
	Counts []render.Count
}

// Results formats the results one output a line.
func Results(rs []Result) string {
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = fmt.Sprintf("  %-12s %3d files: %s", r.Output, r.Files, render.Counts(r.Counts))
	}
	return strings.Join(lines, "\n")
}

// Count is the figure of what in rs, summed over outputs.
func Count(rs []Result, what string) int {
	n := 0
	for _, r := range rs {
		for _, c := range r.Counts {
			if c.What == what {
				n += c.N
			}
		}
	}
	return n
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
	declared := map[string]bool{}
	for _, g := range alerts.Groups() {
		for _, a := range g.Alerts {
			declared[a.Name] = true
		}
	}
	if err := alerts.Routing.CheckAlerts(declared); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, dashboards.Lint()...)
	return errors.Join(errs...)
}

// All lints every definition and renders every output.
func All() (*render.Set, []Result, error) {
	// The plan of the deployed scenario sets numbers in the rules and the log lifecycle:
	// when it fails, say why before any lint reports what follows from it.
	if err := capacity.DeployedError(); err != nil {
		return nil, nil, fmt.Errorf("capacity plan of the deployed scenario: %w", err)
	}
	if err := Lint(); err != nil {
		return nil, nil, err
	}
	set := &render.Set{}
	var results []Result
	for _, o := range Outputs {
		files, counts, err := o.Render()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		if err := set.Add(files...); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		results = append(results, Result{Output: o.Name, Files: len(files), Counts: counts})
	}
	return set, results, nil
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
