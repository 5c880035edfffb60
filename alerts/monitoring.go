package alerts

import (
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/internal/catalog"
	"github.com/finobs/finobs/internal/rules"
	"github.com/finobs/finobs/internal/topology"
	"github.com/finobs/finobs/signals"
)

var (
	prometheusTarget   = rules.Target(topology.Prometheus, "prometheus")
	alertmanagerTarget = rules.Target(topology.Alertmanager, "alertmanager")
	producerTarget     = rules.Target(topology.Producer, "producer")
)

// Alerts of the monitoring stack watching itself.
var (
	TargetDown = rules.Alert{
		Name: "TargetDown", When: signals.TargetDown, For: 2 * minute, Panel: dashboards.ScrapeTargets,
		Summary:     "Prometheus cannot scrape a target.",
		Description: "{{ $labels.job }} target {{ $labels.instance }} has been down for 2 minutes.",
		Runbook: rules.Runbook{
			Meaning:    "The last scrapes of this target failed: the process is down, or its metrics port is unreachable.",
			Impact:     "Its metrics, and every alert built on them, are blind.",
			Diagnosis:  []string{"Open Prometheus' targets page for the scrape error.", "Check the process (`make status` locally) and its log."},
			Mitigation: []string{"Restart the component; fix the port in internal/topology if it moved."},
		},
		Tests: []rules.Test{
			rules.Fires("the producer stops", 5*minute, producerTarget.Expect(), 0,
				producerTarget.Series(catalog.Up, "1 0x9")),
			rules.Quiet("all up", 5*minute, producerTarget.Series(catalog.Up, "1x10")),
		},
	}
	PrometheusRuleEvaluationFailures = rules.Alert{
		Name: "PrometheusRuleEvaluationFailures", When: signals.RulesFailing, Panel: dashboards.RuleFailuresPanel,
		Summary:     "Prometheus fails to evaluate rules.",
		Description: "{{ $value | humanize }} evaluations of {{ $labels.rule_group }} failed in 5 minutes: its alerts may not fire.",
		Runbook: rules.Runbook{
			Meaning:    "Rule evaluation returned errors (bad expression at runtime, many-to-many matching, sample limit).",
			Impact:     "Alerts of that group can miss real problems.",
			Diagnosis:  []string{"Open Prometheus' rules page: the failing rule shows its last error.", "Run `make rules-test` on the current rules."},
			Mitigation: []string{"Fix the rule in alerts/ and regenerate (`go run ./cmd/gen`)."},
		},
		Tests: []rules.Test{
			rules.Fires("a group fails", 5*minute, kafkaRuleGroup.Keep("instance", "rule_group"), 1,
				kafkaRuleGroup.Series(catalog.RuleEvaluationFailures, "0 0 0 1x7")),
			rules.Quiet("no failures", 5*minute,
				kafkaRuleGroup.Series(catalog.RuleEvaluationFailures, "0x10")),
		},
	}
	PrometheusAlertmanagerMissing = rules.Alert{
		Name: "PrometheusAlertmanagerMissing", When: signals.NoAlertmanager, For: 5 * minute, Panel: dashboards.AlertmanagersPanel,
		Summary:     "Prometheus has no Alertmanager to send alerts to.",
		Description: "{{ $labels.instance }} knows {{ $value }} Alertmanagers: no alert reaches anyone.",
		Runbook: rules.Runbook{
			Meaning:    "The alerting section of prometheus.yml resolves to no Alertmanager.",
			Impact:     "Every alert stays inside Prometheus.",
			Diagnosis:  []string{"Check `alerting` in the generated prometheus.yml against the topology's Alertmanager port."},
			Mitigation: []string{"Regenerate with `go run ./cmd/gen` and reload Prometheus."},
		},
		Tests: []rules.Test{
			rules.Fires("none discovered", 10*minute, prometheusTarget.Keep("instance"), 0,
				prometheusTarget.Series(catalog.PromAlertmanagersDiscovered, "0x15")),
			rules.Quiet("one discovered", 10*minute,
				prometheusTarget.Series(catalog.PromAlertmanagersDiscovered, "1x15")),
		},
	}
	PrometheusNotificationsFailing = rules.Alert{
		Name: "PrometheusNotificationsFailing", When: signals.NotificationsFailing, For: 15 * minute, Panel: dashboards.NotificationErrorsPanel,
		Summary:     "Prometheus fails to send alerts to Alertmanager.",
		Description: "{{ $value | humanizePercentage }} of the alerts {{ $labels.instance }} sends to {{ $labels.alertmanager }} fail.",
		Runbook: rules.Runbook{
			Meaning:    "Posting alerts to Alertmanager returns errors.",
			Impact:     "Alerts reach on-call late or never.",
			Diagnosis:  []string{"Check Alertmanager is up and reachable at the address in prometheus.yml."},
			Mitigation: []string{"Restart Alertmanager or fix the address."},
		},
		Tests: []rules.Test{
			rules.Fires("half the sends fail", 25*minute, toAlertmanager.Keep("instance", "alertmanager"), 0.5,
				toAlertmanager.Series(catalog.PromNotificationErrors, "0+30x30"),
				toAlertmanager.Series(catalog.PromNotificationsSent, "0+60x30")),
			rules.Quiet("all sends succeed", 25*minute,
				toAlertmanager.Series(catalog.PromNotificationErrors, "0x30"),
				toAlertmanager.Series(catalog.PromNotificationsSent, "0+60x30")),
		},
	}
	AlertmanagerNotificationsFailing = rules.Alert{
		Name: "AlertmanagerNotificationsFailing", When: signals.DeliveriesFailing, For: 5 * minute, Panel: dashboards.FailedNotificationsPanel,
		Summary:     "Alertmanager fails to deliver notifications.",
		Description: "{{ $labels.instance }} fails {{ $value | humanize }} {{ $labels.integration }} notifications per second.",
		Runbook: rules.Runbook{
			Meaning:    "A receiver integration (PagerDuty, Slack, webhook) rejects or cannot be reached.",
			Impact:     "Pages and chat messages are lost; this alert itself may only be visible on dashboards.",
			Diagnosis:  []string{"Read Alertmanager's log for the integration error (bad key file, expired URL, network)."},
			Mitigation: []string{"Fix the secret file or the endpoint; Alertmanager retries on its own."},
		},
		Tests: []rules.Test{
			rules.Fires("webhook failing", 15*minute, webhookIntegration.Keep("instance", "integration"), 0.1,
				webhookIntegration.Series(catalog.AMNotificationsFailed, "0+6x20")),
			rules.Quiet("all delivered", 15*minute,
				webhookIntegration.Series(catalog.AMNotificationsFailed, "2x20")),
		},
	}
	PrometheusConfigReloadFailed = rules.Alert{
		Name: "PrometheusConfigReloadFailed", When: signals.PrometheusConfigStale, For: 10 * minute, Panel: dashboards.PrometheusConfigPanel,
		Summary:     "Prometheus failed to reload its configuration.",
		Description: "{{ $labels.instance }} runs an older configuration than the one on disk.",
		Runbook: rules.Runbook{
			Meaning:    "The last reload of prometheus.yml or the rule files failed.",
			Impact:     "New scrape targets or rules are not in effect.",
			Diagnosis:  []string{"Run `make rules-test` and `go tool promtool check config` on the deployed files."},
			Mitigation: []string{"Fix the definitions, regenerate and reload."},
		},
		Tests: []rules.Test{
			rules.Fires("reload failed", 15*minute, prometheusTarget.Expect(), 0,
				prometheusTarget.Series(catalog.PromConfigReloadOK, "0x20")),
			rules.Quiet("reload ok", 15*minute, prometheusTarget.Series(catalog.PromConfigReloadOK, "1x20")),
		},
	}
	AlertmanagerConfigReloadFailed = rules.Alert{
		Name: "AlertmanagerConfigReloadFailed", When: signals.AlertmanagerConfigStale, For: 10 * minute, Panel: dashboards.AlertmanagerConfigPanel,
		Summary:     "Alertmanager failed to reload its configuration.",
		Description: "{{ $labels.instance }} runs an older routing configuration than the one on disk.",
		Runbook: rules.Runbook{
			Meaning:    "The last reload of alertmanager.yml failed.",
			Impact:     "Routing or receiver changes are not in effect.",
			Diagnosis:  []string{"Run `make am-test` on the deployed file."},
			Mitigation: []string{"Fix alerts/routing.go, regenerate and reload."},
		},
		Tests: []rules.Test{
			rules.Fires("reload failed", 15*minute, alertmanagerTarget.Expect(), 0,
				alertmanagerTarget.Series(catalog.AMConfigReloadOK, "0x20")),
			rules.Quiet("reload ok", 15*minute, alertmanagerTarget.Series(catalog.AMConfigReloadOK, "1x20")),
		},
	}
)

var (
	kafkaRuleGroup     = prometheusTarget.With("rule_group", "kafka.yml;kafka")
	toAlertmanager     = prometheusTarget.With("alertmanager", "http://alertmanager:9093/api/v2/alerts")
	webhookIntegration = alertmanagerTarget.With("integration", "webhook")
)

// Monitoring: the monitoring stack watching itself.
var Monitoring = rules.Group{
	Name:      "monitoring",
	Component: "monitoring",
	Alerts: []rules.Alert{
		TargetDown, PrometheusRuleEvaluationFailures, PrometheusAlertmanagerMissing, PrometheusNotificationsFailing,
		AlertmanagerNotificationsFailing, PrometheusConfigReloadFailed, AlertmanagerConfigReloadFailed,
	},
}
