package dashboards

import (
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

// firing selects alerts that fire, not those still pending their for: duration.
const firing = `alertstate="firing"`

func alertsOverview() *dashboard.DashboardBuilder {
	jobs := scrapedJobs()
	every := `job=~"` + strings.Join(names(jobs), "|") + `"`
	return g.NewDashboard(UID(AlertsOverview), "Alerts overview",
		"Whether alerting works end to end: every target scraped, rules evaluated, alerts sent by Prometheus, notifications delivered by Alertmanager.",
		jobs).
		WithRow(g.Row("Firing alerts")).
		WithPanel(g.Stat("Critical alerts firing", "short",
			"Critical alerts firing now: each one pages someone.",
			g.Prom("count("+g.S(catalog.Alerts, firing, `severity="critical"`)+") or vector(0)", "critical"), g.BadAbove(1)...).Span(6)).
		WithPanel(g.Stat("Warnings firing", "short",
			"Warning alerts firing now; they go to the team channel.",
			g.Prom("count("+g.S(catalog.Alerts, firing, `severity="warning"`)+") or vector(0)", "warning"), g.BadAbove(1)...).Span(6)).
		WithPanel(g.TimeSeries("Firing alerts by severity", "short",
			"Alerts firing over time, by severity label.",
			g.Prom("count by (severity) ("+g.S(catalog.Alerts, firing)+")", "{{severity}}")).Span(12)).
		WithPanel(g.TimeSeries("Firing alerts by component", "short",
			"Alerts firing over time, by the component label every rule group sets (kafka, spark, producer, monitoring).",
			g.Prom("count by (component) ("+g.S(catalog.Alerts, firing)+")", "{{component}}")).Span(12)).
		WithPanel(g.Table("Firing alerts", "short",
			"Every alert firing now with its labels; the runbook and dashboard links are in its annotations in Alertmanager.",
			g.PromTable("count by (alertname, severity, component, instance) ("+g.S(catalog.Alerts, firing)+")")).Span(12)).
		WithRow(g.Row("Scrape targets")).
		WithPanel(g.Stat("Scrape targets down", "short",
			"Targets Prometheus fails to scrape: their metrics, and every alert on them, are blind.",
			g.Prom("count("+g.S(catalog.Up, every)+" == 0) or vector(0)", "down"), g.BadAbove(1)...).Height(8)).
		WithPanel(g.TimeSeries("Targets up by job", "short",
			"Targets answering Prometheus, by job, against how many it scrapes.",
			g.Prom(g.Sum("job", g.S(catalog.Up, every)), "{{job}} up"),
			g.Prom("count by (job) ("+g.S(catalog.Up, every)+")", "{{job}} scraped")).Span(20)).
		WithRow(g.Row("Alerting health")).
		WithPanel(g.Stat("Alertmanagers discovered", "short",
			"Alertmanagers Prometheus sends alerts to; 0 means alerts go nowhere.",
			g.Prom(g.Min("", g.S(catalog.PromAlertmanagersDiscovered)), "discovered"), g.BadBelow(1)...)).
		WithPanel(g.Stat("Prometheus config loaded", "short",
			"1 when Prometheus' last configuration reload succeeded.",
			g.Prom(g.Min("", g.S(catalog.PromConfigReloadOK)), "ok"), g.BadBelow(1)...)).
		WithPanel(g.Stat("Alertmanager config loaded", "short",
			"1 when Alertmanager's last configuration reload succeeded.",
			g.Prom(g.Min("", g.S(catalog.AMConfigReloadOK)), "ok"), g.BadBelow(1)...)).
		WithPanel(g.Stat("Rule evaluation failures", "cps",
			"Rule evaluations failing per second, all groups.",
			g.Prom(g.Sum("", g.Rate(catalog.RuleEvaluationFailures)), "failures"), g.BadAbove(0.0001)...)).
		WithPanel(g.Stat("Notification errors", "cps",
			"Alerts per second Prometheus failed to send to Alertmanager.",
			g.Prom(g.Sum("", g.Rate(catalog.PromNotificationErrors)), "errors"), g.BadAbove(0.0001)...)).
		WithPanel(g.Stat("Failed notifications", "cps",
			"Notifications per second Alertmanager failed to deliver, all integrations.",
			g.Prom(g.Sum("", g.Rate(catalog.AMNotificationsFailed)), "failed"), g.BadAbove(0.0001)...)).
		WithRow(g.Row("Delivery")).
		WithPanel(g.TimeSeries("Alerts sent to Alertmanager", "cps",
			"Alerts per second Prometheus sends, and the errors doing so, by Alertmanager.",
			g.Prom(g.Sum("alertmanager", g.Rate(catalog.PromNotificationsSent)), "sent {{alertmanager}}"),
			g.Prom(g.Sum("alertmanager", g.Rate(catalog.PromNotificationErrors)), "errors {{alertmanager}}"))).
		WithPanel(g.TimeSeries("Notifications by integration", "cps",
			"Notifications per second Alertmanager delivers, and fails to, by integration (webhook, email...).",
			g.Prom(g.Sum("integration", g.Rate(catalog.AMNotifications)), "{{integration}}"),
			g.Prom(g.Sum("integration", g.Rate(catalog.AMNotificationsFailed)), "{{integration}} failed"))).
		WithPanel(g.TimeSeries("Rule group duration vs interval", "s",
			"Time the last evaluation of each rule group took, against its interval: a group slower than its interval skips evaluations.",
			g.Prom(g.Max("group", `label_replace(`+g.S(catalog.RuleGroupLastDuration)+`, "group", "$1", "rule_group", ".*;(.*)")`), "{{group}}"),
			g.Prom(g.Max("", g.S(catalog.RuleGroupInterval)), "interval")))
}

// scrapedJobs are the jobs Prometheus scrapes in any stack, in topology order.
func scrapedJobs() []topology.Component {
	stacks := []topology.Stack{topology.Compose()}
	for _, n := range []int{1, 3} {
		if s, err := topology.Local(n); err == nil {
			stacks = append(stacks, s)
		}
	}
	var out []topology.Component
	seen := map[topology.Component]bool{}
	add := func(c topology.Component) {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for _, s := range stacks {
		for _, i := range s.Scraped() {
			add(i.Component)
			for _, e := range i.Extra {
				add(e.Job)
			}
		}
	}
	return out
}

func names(cs []topology.Component) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
