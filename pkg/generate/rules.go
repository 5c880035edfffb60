package generate

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"path/filepath"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/render"
	"github.com/finobs/finobs/pkg/rules"
)

// RulesOptions says which rule groups Rules renders and where their files land.
type RulesOptions struct {
	Groups []rules.Group

	// RulesDir, TestsDir and RunbooksDir are where the rule files, the promtool test files
	// and the runbook pages land: slash-separated, relative to the output root, distinct.
	// The output owns them: a file there that it does not write is stale.
	RulesDir, TestsDir, RunbooksDir string

	// RunbookURL is the runbook_url annotation of an alert. Nil: the runbook page's path,
	// RunbooksDir/<alert>.md.
	RunbookURL func(alert string) string

	// Boards, when set, resolve each alert's Panel to its dashboard_url annotation:
	// GrafanaURL followed by the path that opens the panel on the board listing it. An
	// alert whose panel no board lists is an error naming it.
	Boards     []grafana.Board
	GrafanaURL string

	// Source, when set, heads every rule and test file with a comment saying it is
	// generated from Source.
	Source string

	// Notes are comment lines heading the rule file of a group, by group name: what a
	// deployment left out of it and why.
	Notes map[string][]string
}

// Rules is the output of rule groups: one Prometheus rule file and one promtool test file
// per group (RulesDir/<group>.yml, TestsDir/<group>.yml) and one runbook page per alert
// (RunbooksDir/<alert>.md). The test file of a group holds its alerts' declared tests and
// the two-cluster case generated for each alert that aggregates across instances
// (rules.Alert.ClusterCase). Each test file loads every group's rule file, by a path
// relative to itself, so an alert may read another group's recording rules; promtool runs
// it from any directory.
func Rules(o RulesOptions) Output {
	return Output{
		Name:   "rules",
		Owns:   []string{o.RulesDir, o.TestsDir, o.RunbooksDir},
		Render: o.render,
	}
}

func (o RulesOptions) render() ([]render.File, []render.Count, error) {
	if o.RulesDir == "" || o.TestsDir == "" || o.RunbooksDir == "" {
		return nil, nil, errors.New("RulesDir, TestsDir and RunbooksDir must all be set")
	}
	runbookURL := o.runbookURL()
	groups, err := o.linked()
	if err != nil {
		return nil, nil, err
	}
	toRules, err := filepath.Rel(filepath.FromSlash(o.TestsDir), filepath.FromSlash(o.RulesDir))
	if err != nil {
		return nil, nil, err
	}
	ruleFile := func(group string) string { return path.Join(filepath.ToSlash(toRules), group+".yml") }
	var files []render.File
	var nAlerts, nRecording, nTests, nClusterCases int
	for _, g := range groups {
		data, err := g.RuleFile(runbookURL)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, render.File{Path: path.Join(o.RulesDir, g.Name+".yml"), Data: o.notes(g.Name, o.header(data, "Rules of group "+g.Name))})
		tests, err := g.TestFiles(rules.TestRuleFiles(g, data, groups, ruleFile), runbookURL)
		if err != nil {
			return nil, nil, fmt.Errorf("group %s: %w", g.Name, err)
		}
		for _, tf := range tests {
			files = append(files, render.File{Path: path.Join(o.TestsDir, rules.TestFileName(g.Name, tf.Step)), Data: o.header(tf.Data, "promtool unit tests of group "+g.Name)})
		}
		nRecording += len(g.Recording)
		for _, a := range g.Alerts {
			nAlerts++
			tests, err := a.AllTests()
			if err != nil {
				return nil, nil, err
			}
			nTests += len(tests)
			nClusterCases += len(tests) - len(a.Tests)
			files = append(files, render.File{Path: path.Join(o.RunbooksDir, a.Name+".md"), Data: a.RunbookPage(g)})
		}
	}
	return files, []render.Count{
		{N: len(groups), What: "rule groups"}, {N: nAlerts, What: "alerts"}, {N: nRecording, What: "recording rules"},
		{N: nTests, What: "promtool test cases"}, {N: nClusterCases, What: "two-cluster cases among them"}, {N: nAlerts, What: "runbooks"},
	}, nil
}

// RuleGroups are the groups as their rule files hold them, in Prometheus' rule model: what
// another format of the same rules (a PrometheusRule) is written from, so that its rules'
// text is the rule files'.
func (o RulesOptions) RuleGroups() ([]rulefmt.RuleGroup, error) {
	groups, err := o.linked()
	if err != nil {
		return nil, err
	}
	out := make([]rulefmt.RuleGroup, len(groups))
	for i, g := range groups {
		if out[i], err = g.RuleGroup(o.runbookURL()); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (o RulesOptions) runbookURL() func(string) string {
	if o.RunbookURL != nil {
		return o.RunbookURL
	}
	return func(alert string) string { return path.Join(o.RunbooksDir, alert+".md") }
}

// linked is the groups with each alert's Dashboard set from its panel, when Boards are set.
func (o RulesOptions) linked() ([]rules.Group, error) {
	if len(o.Boards) == 0 {
		return append([]rules.Group(nil), o.Groups...), nil
	}
	return LinkPanels(o.Groups, o.Boards, o.GrafanaURL)
}

// LinkPanels is the groups with each alert's dashboard_url set: grafanaURL followed by the
// path that opens its panel on the board listing it. An alert whose panel no board lists is
// an error naming it. The declarations are not modified: the groups and alerts are copies.
func LinkPanels(groups []rules.Group, boards []grafana.Board, grafanaURL string) ([]rules.Group, error) {
	built := map[int]grafana.Dashboard{}
	panelURL := func(p *grafana.Panel) (string, error) {
		for i, b := range boards {
			if !b.Holds(p) {
				continue
			}
			d, ok := built[i]
			if !ok {
				var err error
				if d, err = grafana.Build(b); err != nil {
					return "", err
				}
				built[i] = d
			}
			return grafana.PanelURL(d.Dashboard, p.Title)
		}
		return "", fmt.Errorf("panel %q is on no board", p.Title)
	}
	out := make([]rules.Group, len(groups))
	var errs []error
	for i, g := range groups {
		g.Alerts = append([]rules.Alert(nil), g.Alerts...)
		for j, a := range g.Alerts {
			if a.Panel == nil {
				continue // rules.Validate names the alert
			}
			u, err := panelURL(a.Panel)
			if err != nil {
				errs = append(errs, &rules.Error{Group: g.Name, Kind: "alert", Rule: a.Name, Err: fmt.Errorf("%w: %v", rules.ErrNoPanel, err)})
				continue
			}
			g.Alerts[j].Dashboard = grafanaURL + u
		}
		out[i] = g
	}
	return out, errors.Join(errs...)
}

func (o RulesOptions) header(data []byte, what string) []byte {
	if o.Source == "" {
		return data
	}
	return append([]byte("# "+what+". Generated from "+o.Source+"; do not edit.\n"), data...)
}

func (o RulesOptions) notes(group string, data []byte) []byte {
	lines := o.Notes[group]
	if len(lines) == 0 {
		return data
	}
	var head []byte
	for _, l := range lines {
		head = append(head, "# "+l+"\n"...)
	}
	if o.Source != "" { // after the generated-from line
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			return append(append(append([]byte(nil), data[:i+1]...), head...), data[i+1:]...)
		}
	}
	return append(head, data...)
}
