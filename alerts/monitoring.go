package alerts

import (
	"github.com/finobs/finobs/dashboards"
	. "github.com/finobs/finobs/internal/catalog"
	. "github.com/finobs/finobs/internal/rules"
)

// Monitoring: the monitoring stack watching itself.
var Monitoring = Group{
	Name:      "monitoring",
	Component: "monitoring",
	Alerts: []Alert{
		{
			Name: "TargetDown", Panel: ShownOn(dashboards.AlertsOverview, "Scrape targets down"), Severity: Warning, For: 2 * minute,
			Expr:        q(`%s == 0`, Up),
			Summary:     "Prometheus cannot scrape a target.",
			Description: "{{ $labels.job }} target {{ $labels.instance }} has been down for 2 minutes.",
			Runbook: Runbook{
				Meaning:    "The last scrapes of this target failed: the process is down, or its metrics port is unreachable.",
				Impact:     "Its metrics, and every alert built on them, are blind.",
				Diagnosis:  []string{"Open Prometheus' targets page for the scrape error.", "Check the process (`make status` locally) and its log."},
				Mitigation: []string{"Restart the component; fix the port in internal/topology if it moved."},
			},
			Tests: []Test{
				Fires("the producer stops", 5*minute, L("job", "producer", "instance", "producer"), 0,
					in(Up, `job="producer",instance="producer"`, "1 0x9")),
				Quiet("all up", 5*minute, in(Up, `job="producer",instance="producer"`, "1x10")),
			},
		},
		{
			Name: "PrometheusRuleEvaluationFailures", Panel: ShownOn(dashboards.AlertsOverview, "Rule evaluation failures"), Severity: Critical,
			Expr:        q(`sum by (instance, rule_group) (increase(%s[5m])) > 0`, RuleEvaluationFailures),
			Summary:     "Prometheus fails to evaluate rules.",
			Description: "{{ $value | humanize }} evaluations of {{ $labels.rule_group }} failed in 5 minutes: its alerts may not fire.",
			Runbook: Runbook{
				Meaning:    "Rule evaluation returned errors (bad expression at runtime, many-to-many matching, sample limit).",
				Impact:     "Alerts of that group can miss real problems.",
				Diagnosis:  []string{"Open Prometheus' rules page: the failing rule shows its last error.", "Run `make rules-test` on the current rules."},
				Mitigation: []string{"Fix the rule in alerts/ and regenerate (`go run ./cmd/gen`)."},
			},
			Tests: []Test{
				Fires("a group fails", 5*minute, L("instance", "prometheus", "rule_group", "kafka.yml;kafka"), 1,
					in(RuleEvaluationFailures, `job="prometheus",instance="prometheus",rule_group="kafka.yml;kafka"`, "0 0 0 1x7")),
				Quiet("no failures", 5*minute,
					in(RuleEvaluationFailures, `job="prometheus",instance="prometheus",rule_group="kafka.yml;kafka"`, "0x10")),
			},
		},
		{
			Name: "PrometheusAlertmanagerMissing", Panel: ShownOn(dashboards.AlertsOverview, "Alertmanagers discovered"), Severity: Critical, For: 5 * minute,
			Expr:        q(`max by (instance) (%s) < 1`, PromAlertmanagersDiscovered),
			Summary:     "Prometheus has no Alertmanager to send alerts to.",
			Description: "{{ $labels.instance }} knows {{ $value }} Alertmanagers: no alert reaches anyone.",
			Runbook: Runbook{
				Meaning:    "The alerting section of prometheus.yml resolves to no Alertmanager.",
				Impact:     "Every alert stays inside Prometheus.",
				Diagnosis:  []string{"Check `alerting` in the generated prometheus.yml against the topology's Alertmanager port."},
				Mitigation: []string{"Regenerate with `go run ./cmd/gen` and reload Prometheus."},
			},
			Tests: []Test{
				Fires("none discovered", 10*minute, L("instance", "prometheus"), 0,
					in(PromAlertmanagersDiscovered, `job="prometheus",instance="prometheus"`, "0x15")),
				Quiet("one discovered", 10*minute,
					in(PromAlertmanagersDiscovered, `job="prometheus",instance="prometheus"`, "1x15")),
			},
		},
		{
			Name: "PrometheusNotificationsFailing", Panel: ShownOn(dashboards.AlertsOverview, "Notification errors"), Severity: Warning, For: 15 * minute,
			Expr: q(`sum by (instance, alertmanager) (rate(%s[5m])) / sum by (instance, alertmanager) (rate(%s[5m])) > 0.01`,
				PromNotificationErrors, PromNotificationsSent),
			Summary:     "Prometheus fails to send alerts to Alertmanager.",
			Description: "{{ $value | humanizePercentage }} of the alerts {{ $labels.instance }} sends to {{ $labels.alertmanager }} fail.",
			Runbook: Runbook{
				Meaning:    "Posting alerts to Alertmanager returns errors.",
				Impact:     "Alerts reach on-call late or never.",
				Diagnosis:  []string{"Check Alertmanager is up and reachable at the address in prometheus.yml."},
				Mitigation: []string{"Restart Alertmanager or fix the address."},
			},
			Tests: []Test{
				Fires("half the sends fail", 25*minute, L("instance", "prometheus", "alertmanager", "http://alertmanager:9093/api/v2/alerts"), 0.5,
					in(PromNotificationErrors, `job="prometheus",instance="prometheus",alertmanager="http://alertmanager:9093/api/v2/alerts"`, "0+30x30"),
					in(PromNotificationsSent, `job="prometheus",instance="prometheus",alertmanager="http://alertmanager:9093/api/v2/alerts"`, "0+60x30")),
				Quiet("all sends succeed", 25*minute,
					in(PromNotificationErrors, `job="prometheus",instance="prometheus",alertmanager="http://alertmanager:9093/api/v2/alerts"`, "0x30"),
					in(PromNotificationsSent, `job="prometheus",instance="prometheus",alertmanager="http://alertmanager:9093/api/v2/alerts"`, "0+60x30")),
			},
		},
		{
			Name: "AlertmanagerNotificationsFailing", Panel: ShownOn(dashboards.AlertsOverview, "Failed notifications"), Severity: Critical, For: 5 * minute,
			Expr:        q(`sum by (instance, integration) (rate(%s[5m])) > 0`, AMNotificationsFailed),
			Summary:     "Alertmanager fails to deliver notifications.",
			Description: "{{ $labels.instance }} fails {{ $value | humanize }} {{ $labels.integration }} notifications per second.",
			Runbook: Runbook{
				Meaning:    "A receiver integration (PagerDuty, Slack, webhook) rejects or cannot be reached.",
				Impact:     "Pages and chat messages are lost; this alert itself may only be visible on dashboards.",
				Diagnosis:  []string{"Read Alertmanager's log for the integration error (bad key file, expired URL, network)."},
				Mitigation: []string{"Fix the secret file or the endpoint; Alertmanager retries on its own."},
			},
			Tests: []Test{
				Fires("webhook failing", 15*minute, L("instance", "alertmanager", "integration", "webhook"), 0.1,
					in(AMNotificationsFailed, `job="alertmanager",instance="alertmanager",integration="webhook"`, "0+6x20")),
				Quiet("all delivered", 15*minute,
					in(AMNotificationsFailed, `job="alertmanager",instance="alertmanager",integration="webhook"`, "2x20")),
			},
		},
		{
			Name: "PrometheusConfigReloadFailed", Panel: ShownOn(dashboards.AlertsOverview, "Prometheus config loaded"), Severity: Warning, For: 10 * minute,
			Expr:        q(`%s == 0`, PromConfigReloadOK),
			Summary:     "Prometheus failed to reload its configuration.",
			Description: "{{ $labels.instance }} runs an older configuration than the one on disk.",
			Runbook: Runbook{
				Meaning:    "The last reload of prometheus.yml or the rule files failed.",
				Impact:     "New scrape targets or rules are not in effect.",
				Diagnosis:  []string{"Run `make rules-test` and `go tool promtool check config` on the deployed files."},
				Mitigation: []string{"Fix the definitions, regenerate and reload."},
			},
			Tests: []Test{
				Fires("reload failed", 15*minute, L("job", "prometheus", "instance", "prometheus"), 0,
					in(PromConfigReloadOK, `job="prometheus",instance="prometheus"`, "0x20")),
				Quiet("reload ok", 15*minute, in(PromConfigReloadOK, `job="prometheus",instance="prometheus"`, "1x20")),
			},
		},
		{
			Name: "AlertmanagerConfigReloadFailed", Panel: ShownOn(dashboards.AlertsOverview, "Alertmanager config loaded"), Severity: Warning, For: 10 * minute,
			Expr:        q(`%s == 0`, AMConfigReloadOK),
			Summary:     "Alertmanager failed to reload its configuration.",
			Description: "{{ $labels.instance }} runs an older routing configuration than the one on disk.",
			Runbook: Runbook{
				Meaning:    "The last reload of alertmanager.yml failed.",
				Impact:     "Routing or receiver changes are not in effect.",
				Diagnosis:  []string{"Run `make am-test` on the deployed file."},
				Mitigation: []string{"Fix alerts/routing.go, regenerate and reload."},
			},
			Tests: []Test{
				Fires("reload failed", 15*minute, L("job", "alertmanager", "instance", "alertmanager"), 0,
					in(AMConfigReloadOK, `job="alertmanager",instance="alertmanager"`, "0x20")),
				Quiet("reload ok", 15*minute, in(AMConfigReloadOK, `job="alertmanager",instance="alertmanager"`, "1x20")),
			},
		},
	},
}
