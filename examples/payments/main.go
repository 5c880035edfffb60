// Command payments is finobs's public declaration API used from a module of its own: it
// declares a metric of the payments API, a signal on it, an alert on the signal (with its
// promtool tests and runbook) and a dashboard panel showing the signal (payments.go),
// checks them against its own metric catalog, and renders them with finobs's generator:
//
//	OUT/prometheus/rules/payments-api.yml           the Prometheus rule file
//	OUT/prometheus/tests/payments-api.yml           its promtool unit tests
//	OUT/runbooks/PaymentsAPIFailing.md              the alert's runbook
//	OUT/grafana/dashboards/payments/payments.json   the dashboard
//
// Usage:
//
//	go run . [-out DIR] [-grafana-url URL] [-runbook-url URL]
//
// A definition that breaks a rule exits 1, naming it; nothing is written then.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/finobs/finobs/pkg/generate"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/rules"
)

// Where the files land, below the output directory.
const (
	rulesDir      = "prometheus/rules"
	testsDir      = "prometheus/tests"
	runbooksDir   = "runbooks"
	dashboardsDir = "grafana"
)

func main() {
	out := flag.String("out", "out", "the `directory` to render into")
	grafanaURL := flag.String("grafana-url", "http://localhost:3000", "Grafana's root `URL`, which each alert's dashboard_url starts with")
	runbookURL := flag.String("runbook-url", "", "the `URL` the runbook pages are served at; empty: runbook_url is the page's path below the output directory")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), `Usage: go run . [flags]

Declares the payments API's metric, signal, alert (with its promtool tests and runbook)
and dashboard with finobs's public packages, validates them against its own metric
catalog, and renders them into -out: rule and promtool test files under %s and
%s, a runbook page per alert under %s, the dashboard JSON under %s.
A bad definition exits 1 naming it, and nothing is written. Check the output with
	go tool promtool check rules OUT/%s/*.yml
	go tool promtool test rules OUT/%s/*.yml

Flags:
`, rulesDir, testsDir, runbooksDir, dashboardsDir, rulesDir, testsDir)
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(os.Stdout, *out, *grafanaURL, *runbookURL); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			fmt.Fprintln(os.Stderr, "payments:", line)
		}
		os.Exit(1)
	}
}

// run validates the declarations and renders them into dir, listing what it wrote on w.
func run(w io.Writer, dir, grafanaURL, runbookURL string) error {
	outputs, err := outputs(grafanaURL, runbookURL)
	if err != nil {
		return err
	}
	set, results, err := generate.Run(outputs)
	if err != nil {
		return err
	}
	pruned, err := set.Prune(dir, generate.Owned(outputs)...)
	if err != nil {
		return err
	}
	written, err := set.Write(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "rendered %d files into %s (%d written, %d unchanged, %d stale removed):\n",
		len(set.Paths()), dir, written, len(set.Paths())-written, pruned)
	for _, p := range set.Paths() {
		fmt.Fprintf(w, "  %s\n", filepath.Join(dir, filepath.FromSlash(p)))
	}
	fmt.Fprintln(w, generate.Results(results))
	return nil
}

// outputs checks every declaration, then lists what renders them: an invalid one is an
// error naming it.
func outputs(grafanaURL, runbookURL string) ([]generate.Output, error) {
	cat, err := Catalog()
	if err != nil {
		return nil, err
	}
	groups := []rules.Group{Group}
	boards := []grafana.Board{Board}
	errs := []error{rules.Validate(groups, lint.Checker{Catalog: cat})}
	for _, b := range boards {
		d, err := grafana.Build(b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, grafana.Lint(d, cat, nil)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var url func(string) string
	if runbookURL != "" {
		url = func(alert string) string { return strings.TrimSuffix(runbookURL, "/") + "/" + alert + ".md" }
	}
	return []generate.Output{
		generate.Rules(generate.RulesOptions{
			Groups: groups, RulesDir: rulesDir, TestsDir: testsDir, RunbooksDir: runbooksDir,
			RunbookURL: url, Boards: boards, GrafanaURL: strings.TrimSuffix(grafanaURL, "/"),
			Source: "examples/payments",
		}),
		generate.Dashboards(boards, dashboardsDir),
	}, nil
}
