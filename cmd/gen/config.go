package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/consumergroups"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/pkg/config"
	"github.com/finobs/finobs/pkg/consumergroup"
	"github.com/finobs/finobs/pkg/generate"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// The tree `gen -config FILE -out DIR` writes under DIR.
const (
	configRulesDir      = "rules"
	configTestsDir      = "tests"
	configRunbooksDir   = "runbooks"
	configGrafanaDir    = "grafana"
	configAlertmanager  = "alertmanager/alertmanager.yml"
	configAlertmanagerD = "alertmanager"
)

// knownDeclarations is what a finobs.yaml may name: every component (and those scraped),
// every alert, every signal an alert fires on or a panel shows, with the severities of
// its levels.
func knownDeclarations() (config.Known, error) {
	k := config.Known{Components: stack.Components, Alerts: map[string]bool{}, Signals: map[string][]signal.Severity{}, AlertComponents: alertComponents()}
	for _, s := range declaredSignals() {
		for _, l := range s.Levels() {
			if !slices.Contains(k.Signals[s.Name], l.Severity) {
				k.Signals[s.Name] = append(k.Signals[s.Name], l.Severity)
			}
		}
		if _, ok := k.Signals[s.Name]; !ok {
			k.Signals[s.Name] = nil
		}
	}
	for _, g := range alerts.Groups() {
		for _, a := range g.Alerts {
			k.Alerts[a.Name] = true
		}
	}
	// Those finobs's own groups leave out (no group of its expects members) are there with
	// the config's.
	for _, a := range alerts.ConsumerGroupAlerts() {
		k.Alerts[a.Name] = true
	}
	scrapes, err := deploy.Scrapes()
	for _, s := range scrapes {
		k.Scraped = append(k.Scraped, s.Component)
	}
	return k, err
}

// alertComponents are the values of the alerts' component label.
func alertComponents() []string {
	var out []string
	for _, g := range alerts.Groups() {
		if !slices.Contains(out, g.Component) {
			out = append(out, g.Component)
		}
	}
	return out
}

// declaredSignals is every signal an alert fires on or a panel shows, each once.
func declaredSignals() []*signal.Signal {
	var out []*signal.Signal
	add := func(s *signal.Signal) {
		if s != nil && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, g := range alerts.Groups() {
		for _, a := range g.Alerts {
			if a.When != nil && a.When.Level() != nil {
				add(a.When.Level().Signal)
			}
		}
	}
	for _, b := range dashboards.Boards() {
		for _, r := range b.Rows {
			for _, p := range r.Panels {
				for _, v := range p.Views() {
					add(v.Signal)
				}
			}
		}
	}
	return out
}

// applyThresholds moves the levels the config overrides: the signal's level and the
// alert's (a copy where the alert looks over another window), so that the alert and the
// panel colouring by the level move together. undo puts the declared values back.
func applyThresholds(ts []config.Threshold) (undo func(), err error) {
	groups := alerts.Groups()
	old := map[*signal.Level]float64{}
	set := func(l *signal.Level, v float64) {
		if _, ok := old[l]; !ok {
			old[l] = l.Value
		}
		l.Value = v
	}
	undo = func() {
		for l, v := range old {
			l.Value = v
		}
	}
	var errs []error
	for _, t := range ts {
		var sig *signal.Signal
		var sev signal.Severity
		if t.Alert != "" {
			for _, g := range groups {
				for _, a := range g.Alerts {
					if a.Name == t.Alert {
						sig, sev = a.When.Level().Signal, a.When.Level().Severity
						set(a.When.Level(), t.Value)
					}
				}
			}
		} else {
			sev = t.Severity
			for _, s := range declaredSignals() {
				if s.Name == t.Signal {
					sig = s
				}
			}
		}
		if sig == nil {
			errs = append(errs, fmt.Errorf("threshold %+v: no such level", t))
			continue
		}
		for _, l := range sig.Levels() {
			if l.Severity == sev {
				set(l, t.Value)
			}
		}
		for _, g := range groups { // alerts on a copy of the level (Level.Over)
			for _, a := range g.Alerts {
				if l := a.When.Level(); l.Signal == sig && l.Severity == sev {
					set(l, t.Value)
				}
			}
		}
	}
	return undo, errors.Join(errs...)
}

// configBoards is the boards without the panels that read only absent components, and
// without the boards left with no panel or whose variables read only absent components.
func configBoards(notes *[]string) ([]grafana.Board, error) {
	var out []grafana.Board
	for _, b := range dashboards.Boards() {
		if b.Logs && promql.Absent(stack.Elasticsearch) {
			*notes = append(*notes, fmt.Sprintf("dashboard %s: its logs are in Elasticsearch, absent", b.Name))
			continue
		}
		var rows []grafana.Row
		for _, r := range b.Rows {
			var ps []*grafana.Panel
			for _, p := range r.Panels {
				if absentPanel(p) {
					*notes = append(*notes, fmt.Sprintf("panel %q of dashboard %s: reads only absent components", p.Title, b.Name))
					continue
				}
				ps = append(ps, p)
			}
			if len(ps) > 0 {
				rows = append(rows, grafana.Row{Title: r.Title, Panels: ps})
			}
		}
		if len(rows) == 0 {
			*notes = append(*notes, fmt.Sprintf("dashboard %s: every panel reads only absent components", b.Name))
			continue
		}
		b.Rows = rows
		if _, err := grafana.Build(b); errors.Is(err, promql.ErrAbsent) {
			*notes = append(*notes, fmt.Sprintf("dashboard %s: %v", b.Name, err))
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

func absentPanel(p *grafana.Panel) bool {
	for _, v := range p.Views() {
		if _, err := v.Render(promql.Panel); errors.Is(err, promql.ErrAbsent) {
			return true
		}
	}
	return false
}

// configGroups is the rule groups without the disabled alerts and the rules that read only
// absent components (or whose panel does), with the notes heading each group's rule file.
func configGroups(c *config.Config, boards []grafana.Board) ([]rules.Group, map[string][]string, error) {
	disabled := map[string]string{}
	for _, d := range c.Disable {
		disabled[d.Name] = d.Reason
	}
	onBoard := func(p *grafana.Panel) bool {
		for _, b := range boards {
			if b.Holds(p) {
				return true
			}
		}
		return false
	}
	notes := map[string][]string{}
	note := func(g, format string, args ...any) {
		if len(notes[g]) == 0 {
			notes[g] = append(notes[g], "Left out by "+filepath.Base(c.File)+":")
		}
		notes[g] = append(notes[g], "  "+fmt.Sprintf(format, args...))
	}
	var out []rules.Group
	for _, g := range alerts.Groups() {
		var rec []rules.Recording
		for _, r := range g.Recording {
			if _, err := r.Rendered(); errors.Is(err, promql.ErrAbsent) {
				note(g.Name, "recording rule %s: reads only absent components", r.Record)
				continue
			} else if err != nil {
				return nil, nil, fmt.Errorf("recording rule %s: %w", r.Record, err)
			}
			rec = append(rec, r)
		}
		var as []rules.Alert
		for _, a := range g.Alerts {
			if reason, off := disabled[a.Name]; off {
				note(g.Name, "alert %s: disabled: %s", a.Name, reason)
				continue
			}
			if _, err := a.Expr(); errors.Is(err, promql.ErrAbsent) {
				note(g.Name, "alert %s: reads only absent components", a.Name)
				continue
			} else if err != nil {
				return nil, nil, fmt.Errorf("alert %s: %w", a.Name, err)
			}
			if a.Panel != nil && !onBoard(a.Panel) {
				note(g.Name, "alert %s: its panel %q reads only absent components", a.Name, a.Panel.Title)
				continue
			}
			as = append(as, a)
		}
		if len(rec) == 0 && len(as) == 0 {
			continue
		}
		g.Recording, g.Alerts = rec, as
		out = append(out, g)
	}
	return out, notes, nil
}

// consumerGroupSet is finobs's consumer groups with the config's: a group the config declares
// replaces finobs's of the same name, and its default levels replace finobs's where given.
// What the rules, their tests and the dashboards render under gen -config.
func consumerGroupSet(c *config.Config) (consumergroup.Set, error) {
	s := consumergroups.Declared
	if d := c.ConsumerGroups.Default; d.Records > 0 {
		s.Default.Records = d.Records
	}
	if d := c.ConsumerGroups.Default; d.Seconds > 0 {
		s.Default.Seconds = d.Seconds
	}
	for _, g := range c.ConsumerGroups.Groups {
		s = s.With(g)
	}
	var errs []error
	for _, g := range s.Groups {
		if g.Team != "" && !slices.ContainsFunc(c.Teams, func(t config.Team) bool { return t.Name == g.Team }) {
			errs = append(errs, fmt.Errorf("%s: consumer group %s (declared in consumergroups/) is team %s's, which the file does not declare", c.File, g.Name, g.Team))
		}
	}
	if err := s.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", c.File, err))
	}
	return s, errors.Join(errs...)
}

// runbookURL is the config's runbook URL template, or nil: the runbook page's path.
func runbookURL(c *config.Config) func(string) string {
	if c.RunbookURL == "" {
		return nil
	}
	return c.Runbook
}

// loadConfig reads and checks file against finobs's declarations.
func loadConfig(file string) (*config.Config, error) {
	known, err := knownDeclarations()
	if err != nil {
		return nil, err
	}
	return config.Load(file, known)
}

// generateConfig renders the rules, promtool tests, runbooks, Alertmanager config and
// dashboards of the deployment file describes into out, and its Kubernetes objects when
// it has a kubernetes: section.
func generateConfig(file, out string, stdout io.Writer) error {
	c, err := loadConfig(file)
	if err != nil {
		return err
	}
	// The deployment's render options, for this run: put back when it ends, so that what
	// renders after it (tests in one process) is finobs's own output.
	label, components, broken, healthy := promql.ClusterLabel, promql.Components, rules.BrokenCluster, rules.HealthyCluster
	promql.ClusterLabel, promql.Components = c.ClusterLabel, c.Components
	if len(c.Clusters) >= 2 { // the two-cluster cases in the deployment's own clusters
		rules.BrokenCluster, rules.HealthyCluster = c.Clusters[0], c.Clusters[1]
	}
	defer func() {
		promql.ClusterLabel, promql.Components, rules.BrokenCluster, rules.HealthyCluster = label, components, broken, healthy
	}()
	undo, err := applyThresholds(c.Thresholds)
	defer undo()
	if err != nil {
		return err
	}
	groupSet, err := consumerGroupSet(c)
	if err != nil {
		return err
	}
	declared := consumergroups.Declared
	consumergroups.Declared = groupSet
	defer func() { consumergroups.Declared = declared }()
	var boardNotes []string
	boards, err := configBoards(&boardNotes)
	if err != nil {
		return err
	}
	groups, notes, err := configGroups(c, boards)
	if err != nil {
		return err
	}
	chk, err := deploy.Checker()
	if err != nil {
		return err
	}
	if err := rules.Validate(groups, chk); err != nil {
		return fmt.Errorf("%s: the rules it renders are invalid:\n%w", file, err)
	}
	source := filepath.Base(file) + " by `go run ./cmd/gen -config`"
	routing, err := teamRouting(c, groupSet)
	if err != nil {
		return err
	}
	rulesOpts := generate.RulesOptions{
		Groups: groups, RulesDir: configRulesDir, TestsDir: configTestsDir, RunbooksDir: configRunbooksDir,
		Boards: boards, GrafanaURL: c.GrafanaURL, RunbookURL: runbookURL(c), Source: source, Notes: notes,
	}
	outputs := []generate.Output{
		generate.Rules(rulesOpts),
		generate.Dashboards(boards, configGrafanaDir),
		{
			Name: "alertmanager",
			Owns: []string{configAlertmanagerD},
			Render: func() ([]render.File, []render.Count, error) {
				data, err := routing.Render("Alertmanager config. Generated from " + source + "; do not edit.\n" +
					"Receivers read their secrets from files the deployment mounts (finobs's own under " + alerts.SecretsDir + ").")
				return []render.File{{Path: configAlertmanager, Data: data}}, []render.Count{
					{N: len(routing.Receivers), What: "receivers"}, {N: len(c.Teams), What: "teams"}, {N: len(routing.Tests), What: "team routing cases (gen routes-test -config)"},
				}, err
			},
		},
	}
	if c.Kubernetes != nil {
		outputs = append(outputs, kubeOutput(c, rulesOpts, boards, source))
	}
	set, results, err := generate.Run(outputs)
	if err != nil {
		return err
	}
	n, err := set.Write(out)
	if err != nil {
		return err
	}
	removed, err := set.Prune(out, generate.Owned(outputs)...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %d of %d files under %s from %s, removed %d stale\n%s\n", n, len(set.Paths()), out, file, removed, generate.Results(results))
	if len(boardNotes) > 0 {
		fmt.Fprintf(stdout, "left out of the dashboards:\n  %s\n", strings.Join(boardNotes, "\n  "))
	}
	return nil
}
