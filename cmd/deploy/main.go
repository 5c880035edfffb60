// Command deploy applies finobs' declarations to a running stack: the Kafka topics of
// topics/, the generated Prometheus and Alertmanager configs (reloaded and checked),
// and Elasticsearch's index templates and lifecycle. Run with -help for every flag.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/deploy/provision"
)

const usageText = `usage: deploy [flags]

Provision a running finobs stack from the declarations in this repository:

  topics         the Kafka topics of topics/ (partitions, replication factor,
                 min.insync.replicas, retention time and bytes, segment bytes, cleanup
                 policy; replication from the stack's broker count): missing topics are
                 created, more partitions added, differing configs set
  prometheus     POST /-/reload, then its running config (GET /api/v1/status/config) must
                 be the generated one, compared as Prometheus loads both
  alertmanager   the same with /api/v2/status and the generated alertmanager.yml
  elasticsearch  index templates and lifecycle policies of deploy/elasticsearch

It prints a plan first, one line per object: create, change (old → new per setting),
put or unchanged. Nothing is applied until every step has planned. A change that cannot be
made safely stops the run before anything is applied, naming the topic and the setting:
fewer partitions, another replication factor, a lower retention.ms or retention.bytes (the
brokers would delete data; -allow-retention-decrease accepts it), cleanup.policy from
compact to delete. A second run plans every object unchanged and changes nothing.

-stack local is the native stack (go run ./cmd/stack up; its size from the running stack,
else KAFKA_NODES; FINOBS_LOGS=0 leaves out elasticsearch); -stack compose is the Compose
stack through its ports published on 127.0.0.1. -bootstrap, -prometheus, -alertmanager
and -elasticsearch override the addresses.

Exit status: 0 applied (or planned, with -dry-run); 1 failure (a server unreachable, a
request refused, a reload that left another config running); 2 bad flags; 3 an unsafe
change refused, nothing applied.

flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("deploy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usageText); fs.PrintDefaults() }
	which := fs.String("stack", "local", "the running stack: local (native) or compose")
	bootstrap := fs.String("bootstrap", "", "Kafka bootstrap servers (default: the stack's, from topology/)")
	prom := fs.String("prometheus", "", "Prometheus URL (default: the stack's)")
	am := fs.String("alertmanager", "", "Alertmanager URL (default: the stack's)")
	es := fs.String("elasticsearch", "", "Elasticsearch URL (default: the stack's)")
	promDir := fs.String("prometheus-config-dir", "", "directory of Prometheus' config file where Prometheus runs (its rule file paths are relative to it); default: deploy/local locally, /etc/prometheus under Compose")
	steps := fs.String("steps", "", "comma-separated steps to run, of "+strings.Join(provision.StepNames, ", ")+" (default: all; locally without elasticsearch when FINOBS_LOGS=0)")
	dryRun := fs.Bool("dry-run", false, "print the plan and apply nothing")
	allowDecrease := fs.Bool("allow-retention-decrease", false, "apply a lower retention.ms or retention.bytes (the brokers delete what falls outside it)")
	timeout := fs.Duration("timeout", 2*time.Minute, "bound on the whole run")
	level := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "deploy: unexpected arguments %q\n", fs.Args())
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "deploy: -log-level %q: want debug, info, warn or error\n", *level)
		return 2
	}
	only := map[string]bool{}
	if *steps != "" {
		for _, s := range strings.Split(*steps, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(provision.StepNames, s) {
				fmt.Fprintf(stderr, "deploy: -steps: unknown step %q; want some of %s\n", s, strings.Join(provision.StepNames, ", "))
				return 2
			}
			only[s] = true
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	p, err := native.FindPaths()
	if err != nil {
		fmt.Fprintln(stderr, "deploy:", err)
		return 1
	}
	var t provision.Target
	switch *which {
	case "local":
		st, err := (&native.Stack{P: p, Log: log}).Topology()
		if err != nil {
			fmt.Fprintln(stderr, "deploy:", err)
			return 2
		}
		t = provision.LocalTarget(p.Repo, st)
		if *steps == "" && (!native.LogsEnabled() || !native.RegistryEnabled()) {
			for _, s := range provision.StepNames {
				only[s] = (s != "elasticsearch" || native.LogsEnabled()) && (s != "schemas" || native.RegistryEnabled())
			}
		}
	case "compose":
		t = provision.ComposeTarget(p.Repo)
	default:
		fmt.Fprintf(stderr, "deploy: -stack %q: want local or compose\n", *which)
		return 2
	}
	for _, o := range []struct{ flag, into *string }{{bootstrap, &t.Bootstrap}, {prom, &t.Prometheus}, {am, &t.Alertmanager}, {es, &t.Elasticsearch}, {promDir, &t.PrometheusConfigDir}} {
		if *o.flag != "" {
			*o.into = *o.flag
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	log.Info("provisioning", "stack", t.Stack, "bootstrap", t.Bootstrap, "topics", len(t.Topics), "dry_run", *dryRun)
	_, err = provision.Deploy(ctx, t, provision.Config{DryRun: *dryRun, AllowRetentionDecrease: *allowDecrease, Only: only, Out: stdout, Log: log})
	switch {
	case provision.IsUnsafe(err):
		log.Error("unsafe change refused", "err", err)
		return 3
	case err != nil:
		log.Error("failed", "err", err)
		return 1
	}
	log.Info("done", "stack", t.Stack, "dry_run", *dryRun)
	return 0
}
