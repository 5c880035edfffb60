package signals

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
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

// The alerts firing, the targets and the delivery of alerts, as the alerts overview shows
// them; no alert fires on these.
var (
	// CriticalAlertsFiring and WarningAlertsFiring are 0, not absent, when none fires: one
	// number over every cluster the dashboard shows (AcrossClusters), as vector(0) has no
	// cluster to be matched with. No alert fires on them.
	CriticalAlertsFiring = &signal.Signal{
		Name:        "critical",
		Description: "Critical alerts firing now.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.AcrossClusters(promql.Count(firingAlerts(promql.Eq("severity", "critical")))).Or(promql.Vector(0)),
	}
	WarningAlertsFiring = &signal.Signal{
		Name:        "warning",
		Description: "Warning alerts firing now.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.AcrossClusters(promql.Count(firingAlerts(promql.Eq("severity", "warning")))).Or(promql.Vector(0)),
	}
	_ = CriticalAlertsFiring.Above(signal.Critical, 0) // colours the panel: each one pages someone
	_ = WarningAlertsFiring.Above(signal.Warning, 0)

	AlertsFiring = &signal.Signal{
		Name:        "firing",
		Description: "Alerts firing now (not those pending their for: duration).",
		Unit:        signal.Count,
		Expr:        promql.Count(firingAlerts(), promql.Grouped),
	}

	// TargetsScraped and TargetsUp count the targets of every job Prometheus scrapes in any
	// stack (ScrapedJobs); TargetUp is each target's own.
	TargetsScraped = &signal.Signal{
		Name:        "scraped",
		Description: "Targets Prometheus scrapes.",
		Unit:        signal.Count,
		Expr:        promql.Count(promql.Select(catalog.Up, everyJob), promql.Grouped),
	}
	TargetsUp = &signal.Signal{
		Name:        "up",
		Description: "Targets whose last scrape succeeded.",
		Unit:        signal.Count,
		Expr:        promql.Sum(promql.Select(catalog.Up, everyJob), promql.Grouped),
	}

	NotificationsSent = &signal.Signal{
		Name:        "sent",
		Description: "Alerts per second Prometheus sends to Alertmanager.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.PromNotificationsSent), window), promql.Grouped),
	}
	NotificationErrors = &signal.Signal{
		Name:        "errors",
		Description: "Alerts per second Prometheus fails to send to Alertmanager.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.PromNotificationErrors), window), promql.Grouped),
	}
	NotificationsDelivered = &signal.Signal{
		Name:        "delivered",
		Description: "Notifications per second Alertmanager delivers.",
		Unit:        signal.PerSecond,
		Expr:        promql.Sum(promql.Rate(promql.Select(catalog.AMNotifications), window), promql.Grouped),
	}
	RuleGroupDuration = &signal.Signal{
		Name:        "duration",
		Description: "Time the last evaluation of each rule group took, by group (the rule file cut off).",
		Unit:        signal.Seconds,
		Expr:        promql.Max(promql.LabelReplace(promql.Select(catalog.RuleGroupLastDuration), "group", "$1", "rule_group", ".*;(.*)"), promql.Grouped),
	}
	RuleGroupInterval = &signal.Signal{
		Name:        "interval",
		Description: "Evaluation interval of the rule groups.",
		Unit:        signal.Seconds,
		Expr:        promql.Max(promql.Select(catalog.RuleGroupInterval), promql.Grouped),
	}
)

// firingAlerts selects the alerts that fire, not those still pending their for: duration,
// narrowed by ms.
func firingAlerts(ms ...promql.Matcher) promql.Expr {
	return promql.Select(catalog.Alerts, append([]promql.Matcher{promql.Eq("alertstate", "firing")}, ms...)...)
}

// everyJob scopes up to the jobs Prometheus scrapes in any stack.
var everyJob = promql.Jobs(ScrapedJobs()...)

// ScrapedJobs are the jobs Prometheus scrapes in any stack, in topology order.
func ScrapedJobs() []stack.Component {
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
