package dashboards

import (
	"strings"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
	"github.com/finobs/finobs/topology"
)

// firing selects alerts that fire, not those still pending their for: duration.
var firing = promql.Eq("alertstate", "firing")

// everyJob scopes up to the jobs Prometheus scrapes in any stack.
var everyJob = promql.Re("job", strings.Join(names(scrapedJobs()), "|"))

// Alerts-overview signals that no alert fires on.
var (
	alertsFiring = func(ms ...promql.Matcher) promql.Expr {
		return promql.Select(catalog.Alerts, append([]promql.Matcher{firing}, ms...)...)
	}
	criticalFiring = &signal.Signal{Name: "critical", Unit: signal.Count, Resolution: 1,
		Expr: promql.Count(alertsFiring(promql.Eq("severity", "critical"))).Or(promql.Vector(0))}
	warningsFiring = &signal.Signal{Name: "warning", Unit: signal.Count, Resolution: 1,
		Expr: promql.Count(alertsFiring(promql.Eq("severity", "warning"))).Or(promql.Vector(0))}
	_        = criticalFiring.Above(signal.Critical, 0) // each one pages someone
	_        = warningsFiring.Above(signal.Warning, 0)
	firingBy = &signal.Signal{Name: "firing", Unit: signal.Count, Expr: promql.Count(alertsFiring(), promql.Grouped)}

	targetsScraped = &signal.Signal{Name: "scraped", Unit: signal.Count, Expr: promql.Count(promql.Select(catalog.Up, everyJob), promql.Grouped)}
	targetsUp      = &signal.Signal{Name: "up", Unit: signal.Count, Expr: promql.Sum(promql.Select(catalog.Up, everyJob), promql.Grouped)}

	notificationsSent = &signal.Signal{Name: "sent", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.PromNotificationsSent), promql.Window), promql.Grouped)}
	notificationErrors = &signal.Signal{Name: "errors", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.PromNotificationErrors), promql.Window), promql.Grouped)}
	notifications = &signal.Signal{Name: "delivered", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.AMNotifications), promql.Window), promql.Grouped)}
	ruleGroupDuration = &signal.Signal{Name: "duration", Unit: signal.Seconds,
		Expr: promql.Max(promql.LabelReplace(promql.Select(catalog.RuleGroupLastDuration), "group", "$1", "rule_group", ".*;(.*)"), promql.Grouped)}
	ruleGroupInterval = &signal.Signal{Name: "interval", Unit: signal.Seconds,
		Expr: promql.Max(promql.Select(catalog.RuleGroupInterval), promql.Grouped)}
)

// Panels of the alerts overview that alerts link to.
var (
	ScrapeTargets = grafana.Stat("Scrape targets up",
		"Every target Prometheus scrapes, one tile each: a target that fails its scrapes turns the colour of TargetDown. Its metrics, and every alert on them, are blind.",
		signals.TargetUp.Show().Legend("{{job}} {{instance}}")).Span(24).Height(4)
	RuleFailuresPanel = grafana.Stat("Rule evaluation failures",
		"Rule evaluations that failed in the last rate interval, all groups.",
		signals.RuleEvaluationFailures.Total().Legend("failures"))
	AlertmanagersPanel = grafana.Stat("Alertmanagers discovered",
		"Alertmanagers Prometheus sends alerts to, on the Prometheus that knows fewest; 0 means alerts go nowhere.",
		signals.AlertmanagersDiscovered.Min().Legend("discovered"))
	PrometheusConfigPanel = grafana.Stat("Prometheus config loaded",
		"1 when Prometheus' last configuration reload succeeded.",
		signals.PrometheusConfigLoaded.Min().Legend("ok"))
	AlertmanagerConfigPanel = grafana.Stat("Alertmanager config loaded",
		"1 when Alertmanager's last configuration reload succeeded.",
		signals.AlertmanagerConfigLoaded.Min().Legend("ok"))
	NotificationErrorsPanel = grafana.Stat("Notification errors",
		"Share of the alerts Prometheus sends to Alertmanager that fail.",
		signals.NotificationErrorRatio.Total().Legend("errors"))
	HeartbeatPanel = grafana.Stat("Heartbeat",
		"Always 1 while Prometheus evaluates rules: the Watchdog alert on it goes to the heartbeat receiver (a dead man's switch) every minute. No data here means Prometheus is not evaluating; the switch pages when the heartbeats stop for any reason.",
		signals.Heartbeat.Show().Legend("heartbeat"))
	FailedNotificationsPanel = grafana.Stat("Failed notifications",
		"Notifications per second Alertmanager fails to deliver, all integrations.",
		signals.FailedNotifications.Total().Legend("failed"))
)

var alertsOverview = grafana.Board{
	Name: AlertsOverview, Folder: folderOps, Title: "Alerts overview",
	Description: "Whether alerting works end to end: every target scraped, rules evaluated, alerts sent by Prometheus, notifications delivered by Alertmanager.",
	Jobs:        scrapedJobs(),
	Rows: []grafana.Row{
		{Title: "Firing alerts", Panels: []*grafana.Panel{
			grafana.Stat("Critical alerts firing", "Critical alerts firing now: each one pages someone.",
				criticalFiring.Show().Legend("critical")).Span(6),
			grafana.Stat("Warnings firing", "Warning alerts firing now; they go to the team channel.",
				warningsFiring.Show().Legend("warning")).Span(6),
			grafana.TimeSeries("Firing alerts by severity", "Alerts firing over time, by severity label.",
				firingBy.GroupBy("severity").Legend("{{severity}}")).Span(12),
			grafana.TimeSeries("Firing alerts by component", "Alerts firing over time, by the component label every rule group sets (kafka, spark, producer, monitoring).",
				firingBy.GroupBy("component").Legend("{{component}}")).Span(12),
			grafana.Table("Firing alerts", "Every alert firing now with its labels; the runbook and dashboard links are in its annotations in Alertmanager.",
				firingBy.GroupBy("alertname", "severity", "component", "instance")).Span(12),
		}},
		{Title: "Scrape targets", Panels: []*grafana.Panel{
			ScrapeTargets,
			grafana.TimeSeries("Targets up by job", "Targets answering Prometheus, by job, against how many it scrapes.",
				targetsUp.GroupBy("job").Legend("{{job}} up"),
				targetsScraped.GroupBy("job").Legend("{{job}} scraped")).Span(24),
		}},
		{Title: "Alerting health", Panels: []*grafana.Panel{
			AlertmanagersPanel, PrometheusConfigPanel, AlertmanagerConfigPanel,
			RuleFailuresPanel, NotificationErrorsPanel, FailedNotificationsPanel, HeartbeatPanel,
		}},
		{Title: "Delivery", Panels: []*grafana.Panel{
			grafana.TimeSeries("Alerts sent to Alertmanager", "Alerts per second Prometheus sends, and the errors doing so, by Alertmanager.",
				notificationsSent.GroupBy("alertmanager").Legend("sent {{alertmanager}}"),
				notificationErrors.GroupBy("alertmanager").Legend("errors {{alertmanager}}")),
			grafana.TimeSeries("Notifications by integration", "Notifications per second Alertmanager delivers, and fails to, by integration (webhook, email...).",
				notifications.GroupBy("integration").Legend("{{integration}}"),
				signals.FailedNotifications.GroupBy("integration").Legend("{{integration}} failed")),
			grafana.TimeSeries("Rule group duration vs interval", "Time the last evaluation of each rule group took, against its interval: a group slower than its interval skips evaluations.",
				ruleGroupDuration.GroupBy("group").Legend("{{group}}"),
				ruleGroupInterval.Total().Legend("interval")),
		}},
	},
}

// scrapedJobs are the jobs Prometheus scrapes in any stack, in topology order.
func scrapedJobs() []stack.Component {
	stacks := []stack.Stack{topology.Compose()}
	for _, n := range []int{1, 3} {
		if s, err := topology.Local(n); err == nil {
			stacks = append(stacks, s)
		}
	}
	var out []stack.Component
	seen := map[stack.Component]bool{}
	add := func(c stack.Component) {
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

func names(cs []stack.Component) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}
