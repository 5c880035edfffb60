package rules

import (
	"fmt"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/finobs/finobs/pkg/promql"
)

// EvaluationInterval is the rule evaluation interval of Prometheus.
// As often as the stack is scraped: an alert then fires within its for plus two scrape
// intervals of the fault (one to see it, one to evaluate it), the bound the fault suite checks.
const EvaluationInterval = 10 * time.Second

// TestInterval is the step of test input series and of rule evaluation in unit tests:
// "0+60x20" reads as one sample a minute for twenty minutes.
const TestInterval = time.Minute

// RuleGroup is the group in Prometheus' own rule model, with each alert's runbook_url from
// runbookURL: what every rule format is written from (RuleFile writes rulefmt's YAML).
func (g Group) RuleGroup(runbookURL func(alert string) string) (rulefmt.RuleGroup, error) {
	rg := rulefmt.RuleGroup{Name: g.Name, Interval: model.Duration(g.Interval)}
	for _, r := range g.Recording {
		expr, err := r.Rendered()
		if err != nil {
			return rulefmt.RuleGroup{}, &Error{Group: g.Name, Kind: "recording rule", Rule: r.Record, Err: fmt.Errorf("%w: %v", ErrExpr, err)}
		}
		if err := ClusterKept(expr); err != nil {
			return rulefmt.RuleGroup{}, &Error{Group: g.Name, Kind: "recording rule", Rule: r.Record, Err: err}
		}
		rg.Rules = append(rg.Rules, rulefmt.Rule{Record: r.Record, Expr: expr, Labels: r.Labels})
	}
	for _, a := range g.Alerts {
		expr, err := a.Expr()
		if err != nil {
			return rulefmt.RuleGroup{}, &Error{Group: g.Name, Kind: "alert", Rule: a.Name, Err: fmt.Errorf("%w: %v", ErrExpr, err)}
		}
		if err := ClusterKept(expr); err != nil {
			return rulefmt.RuleGroup{}, &Error{Group: g.Name, Kind: "alert", Rule: a.Name, Err: err}
		}
		rg.Rules = append(rg.Rules, rulefmt.Rule{
			Alert:       a.Name,
			Expr:        expr,
			For:         model.Duration(a.For),
			Labels:      a.allLabels(g),
			Annotations: a.annotations(runbookURL),
		})
	}
	return rg, nil
}

func (a Alert) allLabels(g Group) map[string]string {
	l := map[string]string{"severity": string(a.Severity())}
	if g.Component != "" {
		l["component"] = g.Component
	}
	for k, v := range a.Labels {
		l[k] = v
	}
	return l
}

// annotations are the alert's annotations. Where the alert keeps the cluster label (every
// alert but one on no series, such as the heartbeat's vector), its summary starts with the
// cluster, [{{ $labels.cluster }}], and so does its description: one Alertmanager may
// receive the alerts of several clusters, and a page must say which one is broken.
func (a Alert) annotations(runbookURL func(string) string) map[string]string {
	summary, description := a.Summary, a.Description
	if a.keepsCluster() {
		cluster := "{{ $labels." + promql.ClusterLabel + " }}"
		summary = "[" + cluster + "] " + summary
		description = "Cluster " + cluster + ": " + description
	}
	an := map[string]string{
		"summary":     summary,
		"description": description,
		"runbook_url": runbookURL(a.Name),
	}
	if a.Dashboard != "" {
		an["dashboard_url"] = a.Dashboard
	}
	return an
}
