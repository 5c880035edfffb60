// Package deploy is finobs's generated tree: the one list of its outputs (rules, JMX
// exporter, Prometheus, Alertmanager, Grafana, logs, Compose, capacity), each rendered from
// the declarations by its writer, and every path they write. pkg/generate runs the list;
// `go run ./cmd/gen` writes it, `--check` compares it with what is committed.
package deploy

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	am "github.com/finobs/finobs/internal/alertmanager"
	"github.com/finobs/finobs/pkg/generate"
	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/rules"
)

// Outputs is every output, in the order cmd/gen reports them.
var Outputs = []generate.Output{
	rulesOutput,
	jmxOutput,
	prometheusOutput,
	alertmanagerOutput,
	grafanaOutput,
	logsOutput,
	composeOutput,
	capacityOutput,
}

// Owned are the directories whose every file is generated, over all outputs.
func Owned() []string { return generate.Owned(Outputs) }

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
func All() (*render.Set, []generate.Result, error) {
	// The plan of the deployed scenario sets numbers in the rules and the log lifecycle:
	// when it fails, say why before any lint reports what follows from it.
	if err := capacity.DeployedError(); err != nil {
		return nil, nil, fmt.Errorf("capacity plan of the deployed scenario: %w", err)
	}
	if err := Lint(); err != nil {
		return nil, nil, err
	}
	return generate.Run(Outputs)
}

// RouteTests are the routing expectations, as amtool arguments: the receivers expected
// (comma-joined) and the label pairs.
func RouteTests() [][2]string { return RouteCases(alerts.Routing.Tests) }

// RouteCases are routing expectations as amtool arguments.
func RouteCases(tests []am.RouteTest) [][2]string {
	var out [][2]string
	for _, t := range tests {
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
