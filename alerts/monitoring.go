package alerts

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

var (
	prometheusTarget   = rules.Target(stack.Prometheus, "prometheus")
	alertmanagerTarget = rules.Target(stack.Alertmanager, "alertmanager")
	producerTarget     = rules.Target(stack.Producer, "producer")
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
			Mitigation: []string{"Restart the component; fix the port in topology/ if it moved."},
		},
		Tests: []rules.Test{
			{Name: "the producer stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: producerTarget.Expect(), Value: 0}}, Series: []rules.Series{
					producerTarget.Series(catalog.Up, "1 0x9"),
				}},
			{Name: "all up", At: 5 * minute, Series: []rules.Series{
				producerTarget.Series(catalog.Up, "1x10"),
			}},
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
			{Name: "a group fails", At: 5 * minute,
				Fires: []rules.Firing{{Labels: kafkaRuleGroup.Keep("instance", "rule_group"), Value: 1}}, Series: []rules.Series{
					kafkaRuleGroup.Series(catalog.RuleEvaluationFailures, "0 0 0 1x7"),
				}},
			{Name: "no failures", At: 5 * minute, Series: []rules.Series{
				kafkaRuleGroup.Series(catalog.RuleEvaluationFailures, "0x10"),
			}},
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
			{Name: "none discovered", At: 10 * minute,
				Fires: []rules.Firing{{Labels: prometheusTarget.Keep("instance"), Value: 0}}, Series: []rules.Series{
					prometheusTarget.Series(catalog.PromAlertmanagersDiscovered, "0x15"),
				}},
			{Name: "one discovered", At: 10 * minute, Series: []rules.Series{
				prometheusTarget.Series(catalog.PromAlertmanagersDiscovered, "1x15"),
			}},
		},
	}
	PrometheusNotificationsFailing = rules.Alert{
		// 5m, not 15: Prometheus does not retry a batch that failed, its alerts reach
		// Alertmanager only with the next resend a minute later, so errors that last 5 minutes
		// are alerts minutes late. One failed batch holds the 5m ratio above zero for less
		// than a window and does not fire. A total outage is the Watchdog's to tell.
		Name: "PrometheusNotificationsFailing", When: signals.NotificationsFailing, For: 5 * minute, Panel: dashboards.NotificationErrorsPanel,
		Summary:     "Prometheus fails to send alerts to Alertmanager.",
		Description: "{{ $value | humanizePercentage }} of the alerts {{ $labels.instance }} sends to {{ $labels.alertmanager }} fail.",
		Runbook: rules.Runbook{
			Meaning:    "Posting alerts to Alertmanager returns errors.",
			Impact:     "Alerts reach on-call late or never.",
			Diagnosis:  []string{"Check Alertmanager is up and reachable at the address in prometheus.yml.", "If the Watchdog's heartbeats also stopped at the dead man's switch, no alert reaches anyone: see the Watchdog runbook."},
			Mitigation: []string{"Restart Alertmanager or fix the address."},
		},
		Tests: []rules.Test{
			{Name: "half the sends fail", At: 10 * minute,
				Fires: []rules.Firing{{Labels: toAlertmanager.Keep("instance", "alertmanager"), Value: 0.5}}, Series: []rules.Series{
					toAlertmanager.Series(catalog.PromNotificationErrors, "0+30x30"),
					toAlertmanager.Series(catalog.PromNotificationsSent, "0+60x30"),
				}},
			{Name: "all sends succeed", At: 25 * minute, Series: []rules.Series{
				toAlertmanager.Series(catalog.PromNotificationErrors, "0x30"),
				toAlertmanager.Series(catalog.PromNotificationsSent, "0+60x30"),
			}},
		},
	}
	AlertmanagerNotificationsFailing = rules.Alert{
		// 1m, not 5: a notification counts as failed only once Alertmanager has retried it for
		// a whole group interval and given up, so the page is already that late; and the
		// 5m rate keeps the condition true between the failed flushes of a group (one every
		// group interval or two: a minute apart for pages on the fault suite), so a short
		// for does not flap.
		Name: "AlertmanagerNotificationsFailing", When: signals.DeliveriesFailing, For: minute, Panel: dashboards.FailedNotificationsPanel,
		Summary:     "Alertmanager fails to deliver notifications.",
		Description: "{{ $labels.instance }} fails {{ $value | humanize }} {{ $labels.integration }} notifications per second to receiver {{ $labels.receiver_name }}.",
		Runbook: rules.Runbook{
			Meaning:    "A receiver integration (PagerDuty, Slack, webhook) rejects or cannot be reached, after Alertmanager's retries for a group interval.",
			Impact:     "Notifications to that receiver are late, and lost if the alert resolves before a retry succeeds. This alert is routed to another receiver than the failing one (alerts/routing.go).",
			Diagnosis:  []string{"Read Alertmanager's log for the integration error (bad key file, expired URL, network).", "The receiver_name label says which receiver; `alertmanager_notification_requests_failed_total` counts every failed attempt."},
			Mitigation: []string{"Fix the secret file or the endpoint; Alertmanager retries on its own and sends what is still firing once it is reachable."},
		},
		Tests: []rules.Test{
			{Name: "webhook failing", At: 15 * minute,
				Fires: []rules.Firing{{Labels: webhookIntegration.Keep("instance", "receiver_name", "integration"), Value: 0.1}}, Series: []rules.Series{
					webhookIntegration.Series(catalog.AMNotificationsFailed, "0+6x20"),
				}},
			// A receiver cut off: Alertmanager gives up on a page after a group interval's
			// retries and tries again with the group's next flush: even a failure only every
			// two minutes (a slower route's, or a flush that waited) fires.
			// The 5m rate holds between them: the alert fires, and stays.
			{Name: "a failure every two minutes", At: 10 * minute,
				Fires: []rules.Firing{{Labels: webhookIntegration.Keep("instance", "receiver_name", "integration"), Value: 1.0 / 120}}, Series: []rules.Series{
					webhookIntegration.Series(catalog.AMNotificationsFailed, "0 0 1 1 2 2 3 3 4 4 5 5 6 6 7 7"),
				}},
			{Name: "all delivered", At: 15 * minute, Series: []rules.Series{
				webhookIntegration.Series(catalog.AMNotificationsFailed, "2x20"),
			}},
		},
	}
	// Watchdog always fires. Alertmanager sends it to the heartbeat receiver every minute: in
	// production a dead man's switch service that pages, through its own path, when the
	// heartbeats stop. Nothing inhibits it (alerts/routing.go tests that no rule can).
	Watchdog = rules.Alert{
		Name: "Watchdog", When: signals.AlwaysFiring, Panel: dashboards.HeartbeatPanel,
		Summary:     "The alerting path's heartbeat: always firing.",
		Description: "Prometheus evaluates rules and its alerts reach Alertmanager, which sends this one to the heartbeat receiver every minute.",
		Runbook: rules.Runbook{
			Meaning: "This alert always fires; it is not a problem. Its ABSENCE is: the dead man's switch (the heartbeat receiver) " +
				"pages when no Watchdog notification arrived for a few minutes, because then no alert can reach anyone.",
			Impact: "When the heartbeats stop, every other alert is silent too: Prometheus is down or evaluates no rules, " +
				"cannot reach Alertmanager, or Alertmanager is down or cannot reach its receivers.",
			Diagnosis: []string{
				"Is Prometheus up and evaluating (its /rules page, `prometheus_rule_evaluation_failures_total`)?",
				"Does Prometheus reach Alertmanager (`prometheus_notifications_errors_total`, PrometheusNotificationsFailing on Prometheus' /alerts page)?",
				"Is Alertmanager up (`/-/ready`) and does it reach the heartbeat receiver (`alertmanager_notifications_failed_total{receiver_name=\"heartbeat\"}`)? Locally: GET /heartbeat on the webhook gives the last heartbeat and its age.",
			},
			Mitigation: []string{"Restart whichever of Prometheus or Alertmanager is stuck; once heartbeats resume, Prometheus resends what is firing and nothing that still fires is lost.", "Never silence or inhibit this alert: a muted heartbeat is a dead man's switch that pages for nothing."},
		},
		Tests: []rules.Test{
			{Name: "fires on an empty Prometheus", At: minute,
				Fires: []rules.Firing{{Value: 1}}},
			{Name: "fires while every target is down", At: 5 * minute,
				Fires: []rules.Firing{{Value: 1}}, Series: []rules.Series{
					prometheusTarget.Series(catalog.Up, "0x10"),
				}},
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
			{Name: "reload failed", At: 15 * minute,
				Fires: []rules.Firing{{Labels: prometheusTarget.Expect(), Value: 0}}, Series: []rules.Series{
					prometheusTarget.Series(catalog.PromConfigReloadOK, "0x20"),
				}},
			{Name: "reload ok", At: 15 * minute, Series: []rules.Series{
				prometheusTarget.Series(catalog.PromConfigReloadOK, "1x20"),
			}},
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
			{Name: "reload failed", At: 15 * minute,
				Fires: []rules.Firing{{Labels: alertmanagerTarget.Expect(), Value: 0}}, Series: []rules.Series{
					alertmanagerTarget.Series(catalog.AMConfigReloadOK, "0x20"),
				}},
			{Name: "reload ok", At: 15 * minute, Series: []rules.Series{
				alertmanagerTarget.Series(catalog.AMConfigReloadOK, "1x20"),
			}},
		},
	}
)

var (
	kafkaRuleGroup     = prometheusTarget.With("rule_group", "kafka.yml;kafka")
	toAlertmanager     = prometheusTarget.With("alertmanager", "http://alertmanager:9093/api/v2/alerts")
	webhookIntegration = alertmanagerTarget.With("integration", "webhook").With("receiver_name", "paging").With("reason", "other")
)

// Monitoring: the monitoring stack watching itself.
var Monitoring = rules.Group{
	Name:      "monitoring",
	Component: "monitoring",
	Alerts: []rules.Alert{
		TargetDown, PrometheusRuleEvaluationFailures, PrometheusAlertmanagerMissing, PrometheusNotificationsFailing,
		AlertmanagerNotificationsFailing, PrometheusConfigReloadFailed, AlertmanagerConfigReloadFailed, Watchdog,
	},
}
