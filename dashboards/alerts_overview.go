package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

func alertsOverview() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(AlertsOverview), "Alerts overview",
		"Whether alerting works end to end: rules evaluated, alerts sent by Prometheus, notifications delivered by Alertmanager.",
		[]topology.Component{topology.Prometheus, topology.Alertmanager}).
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
