package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/signals"
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
	Jobs:        signals.ScrapedJobs(),
	Rows: []grafana.Row{
		{Title: "Firing alerts", Panels: []*grafana.Panel{
			grafana.Stat("Critical alerts firing", "Critical alerts firing now: each one pages someone.",
				signals.CriticalAlertsFiring.Show().Legend("critical")).Span(6),
			grafana.Stat("Warnings firing", "Warning alerts firing now; they go to the team channel.",
				signals.WarningAlertsFiring.Show().Legend("warning")).Span(6),
			grafana.TimeSeries("Firing alerts by severity", "Alerts firing over time, by severity label.",
				signals.AlertsFiring.GroupBy("severity").Legend("{{severity}}")).Span(12),
			grafana.TimeSeries("Firing alerts by component", "Alerts firing over time, by the component label every rule group sets (kafka, spark, producer, monitoring).",
				signals.AlertsFiring.GroupBy("component").Legend("{{component}}")).Span(12),
			grafana.Table("Firing alerts", "Every alert firing now with its labels; the runbook and dashboard links are in its annotations in Alertmanager.",
				signals.AlertsFiring.GroupBy("alertname", "severity", "component", "instance")).Span(12),
		}},
		{Title: "Scrape targets", Panels: []*grafana.Panel{
			ScrapeTargets,
			grafana.TimeSeries("Targets up by job", "Targets answering Prometheus, by job, against how many it scrapes.",
				signals.TargetsUp.GroupBy("job").Legend("{{job}} up"),
				signals.TargetsScraped.GroupBy("job").Legend("{{job}} scraped")).Span(24),
		}},
		{Title: "Alerting health", Panels: []*grafana.Panel{
			AlertmanagersPanel, PrometheusConfigPanel, AlertmanagerConfigPanel,
			RuleFailuresPanel, NotificationErrorsPanel, FailedNotificationsPanel, HeartbeatPanel,
		}},
		{Title: "Delivery", Panels: []*grafana.Panel{
			grafana.TimeSeries("Alerts sent to Alertmanager", "Alerts per second Prometheus sends, and the errors doing so, by Alertmanager.",
				signals.NotificationsSent.GroupBy("alertmanager").Legend("sent {{alertmanager}}"),
				signals.NotificationErrors.GroupBy("alertmanager").Legend("errors {{alertmanager}}")),
			grafana.TimeSeries("Notifications by integration", "Notifications per second Alertmanager delivers, and fails to, by integration (webhook, email...).",
				signals.NotificationsDelivered.GroupBy("integration").Legend("{{integration}}"),
				signals.FailedNotifications.GroupBy("integration").Legend("{{integration}} failed")),
			grafana.TimeSeries("Rule group duration vs interval", "Time the last evaluation of each rule group took, against its interval: a group slower than its interval skips evaluations.",
				signals.RuleGroupDuration.GroupBy("group").Legend("{{group}}"),
				signals.RuleGroupInterval.Total().Legend("interval")),
		}},
	},
}
