// Command gen renders every monitoring asset of finobs from the typed definitions in
// alerts/, dashboards/ and catalog/, and checks them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/deploy/deployment"
	"github.com/finobs/finobs/internal/live"
	"github.com/finobs/finobs/internal/preview"
	"github.com/finobs/finobs/internal/sizing"
	"github.com/finobs/finobs/pkg/generate"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
)

const usage = `gen renders every monitoring asset of finobs from its typed Go definitions.

Usage:
  go run ./cmd/gen [--root DIR]            write everything under DIR/deploy (default: .)
  go run ./cmd/gen --check [--root DIR]    fail, naming the files, if committed output is stale
  go run ./cmd/gen -config FILE -out DIR   render the rules, promtool tests, runbooks, Alertmanager
                                           config and dashboards of your own clusters (finobs.yaml),
                                           and with its kubernetes: section, the objects of the
                                           kube-prometheus stack and Strimzi under DIR/kubernetes
  go run ./cmd/gen lint                    validate every rule, test, runbook and dashboard
  go run ./cmd/gen routes-test             check the routing expectations with amtool
  go run ./cmd/gen routes-test -config FILE -out DIR
                                           check the routes of FILE's teams with amtool, in the
                                           Alertmanager config gen -config wrote under DIR
  go run ./cmd/gen kube-check -out DIR     decode the Kubernetes objects gen -config wrote under DIR
                                           strictly, compare the PrometheusRules' groups with the rule
                                           files, and run promtool check rules on them
  go run ./cmd/gen check --prometheus URL [--elasticsearch URL]
                                           run every catalog metric, rule and dashboard query
                                           against a live Prometheus (and the log panels' queries
                                           against Elasticsearch); list those with no data
  go run ./cmd/gen preview --prometheus URL --out DIR
                                           render every dashboard to a PNG from live data
  go run ./cmd/gen capacity [-scenario NAME] [--units si|iec] [--prometheus URL [--window D]]
                                           print the capacity plan of a scenario (capacity/);
                                           with --prometheus, bytes per record, compression,
                                           per-partition throughput and log volume measured
                                           from the running stack replace the declared ones

Exit codes: 0 ok, 1 a check failed or a definition is invalid, 2 bad usage.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("gen "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage, deploymentHelp(), "\nFlags:\n")
		fs.PrintDefaults()
	}
	root := fs.String("root", ".", "repository root the deploy/ tree lives under")
	check := fs.Bool("check", false, "compare with the files on disk instead of writing")
	promURL := fs.String("prometheus", "http://127.0.0.1:9090", "Prometheus base URL (check, preview)")
	esURL := fs.String("elasticsearch", "http://127.0.0.1:9200", `Elasticsearch base URL of the dashboards' log queries (check; "" skips them)`)
	out := fs.String("out", ".stack/preview", "output directory of preview images")
	timeout := fs.Duration("timeout", 2*time.Minute, "overall time limit of check, preview and capacity")
	scenario := fs.String("scenario", "original", "capacity scenario to plan (capacity)")
	unitsFlag := fs.String("units", "si", "capacity: si (kB, MB, GB: powers of 1000) or iec (KiB, MiB, GiB: powers of 1024)")
	window := fs.Duration("window", time.Minute, "capacity: range of the rates measured with --prometheus")
	configFile := fs.String("config", "", "a finobs.yaml describing your own clusters: render their rules, tests, Alertmanager config and dashboards (and Kubernetes objects) into --out")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gen: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	var err error
	switch cmd {
	case "":
		if *configFile != "" {
			outSet := false
			fs.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
			if !outSet || *check {
				fmt.Fprintln(stderr, "gen: -config needs -out DIR (and no --check)")
				return 2
			}
			err = generateConfig(*configFile, *out, stdout)
			break
		}
		err = generateAll(*root, *check, stdout)
	case "lint":
		err = lintAll(stdout)
	case "routes-test":
		if *configFile != "" {
			// The teams' routes of a finobs.yaml, against the config gen -config wrote under -out.
			err = configRoutesTest(ctx, *configFile, *out, stdout)
			break
		}
		err = routesTest(ctx, []string{filepath.Join(*root, deploy.AlertmanagerCompose), filepath.Join(*root, deploy.AlertmanagerLocal)}, deploy.RouteTests(), stdout)
	case "kube-check":
		outSet := false
		fs.Visit(func(f *flag.Flag) { outSet = outSet || f.Name == "out" })
		if !outSet {
			fmt.Fprintln(stderr, "gen: kube-check needs -out DIR (where gen -config wrote)")
			return 2
		}
		err = kubeCheck(ctx, *out, stdout)
	case "check":
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		var d live.Declarations
		if d, err = liveDeclarations(); err != nil {
			break
		}
		err = live.Check(ctx, *promURL, d, stdout)
		if *esURL != "" {
			err = errors.Join(err, live.CheckLogs(ctx, *esURL, d, stdout))
		}
	case "preview":
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		var ds []grafana.Dashboard
		if ds, err = dashboards.All(); err != nil {
			break
		}
		err = preview.Render(ctx, *promURL, *out, ds)
		if err == nil {
			fmt.Fprintf(stdout, "preview images written to %s\n", *out)
		}
	case "capacity":
		measure := false
		fs.Visit(func(f *flag.Flag) { measure = measure || f.Name == "prometheus" })
		ctx, cancel := context.WithTimeout(ctx, *timeout)
		defer cancel()
		var u sizing.System
		if u, err = sizing.ParseSystem(*unitsFlag); err != nil {
			fmt.Fprintf(stderr, "gen: --units: %v\n", err)
			return 2
		}
		opts := capacityOptions{Scenario: *scenario, Units: u, Window: *window}
		if measure {
			opts.Prometheus = *promURL
		}
		err = printCapacity(ctx, opts, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "gen: unknown command %q\n\n", cmd)
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "gen: %v\n", err)
		return 1
	}
	return 0
}

// deploymentHelp lists the variables that change what a deployment's assets link to.
func deploymentHelp() string {
	return "\nDeployment settings (environment; defaults: the addresses on the machine running the stack):\n" +
		"The URLs alerts and notifications link to, per stack (rules are rendered per stack):\n" + deployment.Help() +
		fmt.Sprintf("  %-34s address the Compose stack publishes its ports on (default %s)\n", deploy.PublishHostEnv, stack.PublishedHost) +
		"Output rendered with other values differs from the committed one: commit it (gen --check compares with it).\n"
}

func generateAll(root string, check bool, stdout io.Writer) error {
	set, results, err := deploy.All()
	if err != nil {
		return fmt.Errorf("invalid definitions, nothing written:\n%w", err)
	}
	if check {
		stale, err := set.Stale(root, deploy.Owned()...)
		if err != nil {
			return err
		}
		if len(stale) > 0 {
			lines := make([]string, len(stale))
			for i, s := range stale {
				lines[i] = s.String()
			}
			return fmt.Errorf("%d generated files are stale; run `go run ./cmd/gen`:\n  %s", len(stale), strings.Join(lines, "\n  "))
		}
		fmt.Fprintf(stdout, "up to date: %d files\n%s\n", len(set.Paths()), generate.Results(results))
		return nil
	}
	n, err := set.Write(root)
	if err != nil {
		return err
	}
	removed, err := set.Prune(root, deploy.Owned()...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d of %d files under %s, removed %d stale\n%s\n", n, len(set.Paths()), filepath.Join(root, "deploy"), removed, generate.Results(results))
	return nil
}

func lintAll(stdout io.Writer) error {
	_, results, err := deploy.All()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "lint ok:\n%s\n", generate.Results(results))
	return nil
}

// routesTest runs `amtool config routes test` for every routing expectation against both
// rendered Alertmanager configs.
func routesTest(ctx context.Context, configs []string, tests [][2]string, stdout io.Writer) error {
	failed := 0
	for _, cfg := range configs {
		for _, t := range tests {
			args := append([]string{"tool", "amtool", "config", "routes", "test",
				"--config.file=" + cfg, "--verify.receivers=" + t[0]}, strings.Fields(t[1])...)
			out, err := exec.CommandContext(ctx, "go", args...).CombinedOutput()
			status := "ok  "
			if err != nil {
				status = "FAIL"
				failed++
			}
			fmt.Fprintf(stdout, "%s %s: {%s} -> %s (amtool: %s)\n", status, cfg, t[1], t[0], strings.TrimSpace(string(out)))
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d routing tests failed", failed)
	}
	fmt.Fprintf(stdout, "%d routing tests passed on %d configs\n", len(tests), len(configs))
	return nil
}

// liveDeclarations are what `gen check` runs against a live stack: finobs's own.
func liveDeclarations() (live.Declarations, error) {
	cat, err := catalog.Default()
	if err != nil {
		return live.Declarations{}, err
	}
	qs, err := dashboards.Queries()
	if err != nil {
		return live.Declarations{}, err
	}
	return live.Declarations{Catalog: cat, Groups: alerts.Groups(), Queries: qs, LogIndex: dashboards.LogIndex}, nil
}
