package signals

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
)

// The monitoring stack watching itself.
var (
	TargetUp = &signal.Signal{
		Name:        "up",
		Description: "1 when Prometheus' last scrape of the target succeeded, 0 when it failed.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Select(catalog.Up),
	}
	TargetDown = TargetUp.EqualTo(signal.Warning, 0)

	RuleEvaluationFailures = &signal.Signal{
		Name:        "rule evaluation failures",
		Description: "Rule evaluations that failed, by rule group.",
		Unit:        signal.Count, Resolution: 0.001,
		By:   []string{"instance", "rule_group"},
		Expr: promql.Sum(promql.Increase(promql.Select(catalog.RuleEvaluationFailures), window), promql.Grouped),
	}
	RulesFailing = RuleEvaluationFailures.Above(signal.Critical, 0)

	AlertmanagersDiscovered = &signal.Signal{
		Name:        "Alertmanagers discovered",
		Description: "Alertmanagers Prometheus sends alerts to; 0 means alerts go nowhere.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Max(promql.Select(catalog.PromAlertmanagersDiscovered), promql.Grouped),
	}
	NoAlertmanager = AlertmanagersDiscovered.Below(signal.Critical, 1)

	NotificationErrorRatio = &signal.Signal{
		Name:        "notification errors",
		Description: "Share of the alerts Prometheus sends to Alertmanager that fail.",
		Unit:        signal.Ratio,
		By:          []string{"instance", "alertmanager"},
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.PromNotificationErrors), window), promql.Grouped).Div(
			promql.Sum(promql.Rate(promql.Select(catalog.PromNotificationsSent), window), promql.Grouped)),
	}
	NotificationsFailing = NotificationErrorRatio.Above(signal.Warning, 0.01)

	FailedNotifications = &signal.Signal{
		Name:        "failed notifications",
		Description: "Notifications per second Alertmanager fails to deliver, by receiver and integration.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		// receiver_name: Alertmanager runs with --enable-feature=receiver-name-in-metrics, so
		// the alert names the receiver that fails and routing can send it to another one.
		By:   []string{"instance", "receiver_name", "integration"},
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.AMNotificationsFailed), window), promql.Grouped),
	}
	DeliveriesFailing = FailedNotifications.Above(signal.Critical, 0)

	// Heartbeat is 1, always: the Watchdog alert on it proves that Prometheus evaluates rules
	// and that its alerts reach Alertmanager and Alertmanager's reach a receiver. Its absence
	// at an external dead man's switch is the alert.
	Heartbeat = &signal.Signal{
		Name:        "heartbeat",
		Description: "Always 1: the alerting path's heartbeat.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Vector(1),
	}
	AlwaysFiring = Heartbeat.EqualTo(signal.None, 1)

	PrometheusConfigLoaded = &signal.Signal{
		Name:        "config loaded",
		Description: "1 when Prometheus' last configuration reload succeeded.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Select(catalog.PromConfigReloadOK),
	}
	PrometheusConfigStale = PrometheusConfigLoaded.EqualTo(signal.Warning, 0)

	AlertmanagerConfigLoaded = &signal.Signal{
		Name:        "config loaded",
		Description: "1 when Alertmanager's last configuration reload succeeded.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Select(catalog.AMConfigReloadOK),
	}
	AlertmanagerConfigStale = AlertmanagerConfigLoaded.EqualTo(signal.Warning, 0)
)
