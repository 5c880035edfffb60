package catalog

import (
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

var (
	prom  = []stack.Component{stack.Prometheus}
	am    = []stack.Component{stack.Alertmanager}
	nodes = []stack.Component{stack.NodeExporter}
)

// Series Prometheus writes for every scrape, and its own health.
var (
	Up = declare(&metric.Metric{
		Name: "up", Type: metric.Gauge, Exporter: prom, Labels: []string{"job", "instance"},
		Help: "1 when the last scrape of the target succeeded.",
	})
	Alerts = declare(&metric.Metric{
		Name: "ALERTS", Type: metric.Gauge, Exporter: prom, Labels: []string{"alertname", "alertstate", "severity", "component"},
		Help: "One series per pending or firing alert; Prometheus writes it while alerts are active.", Presence: metric.OnFault,
	})
	RuleEvaluationFailures = declare(&metric.Metric{
		Name: "prometheus_rule_evaluation_failures_total", Type: metric.Counter, Exporter: prom, Labels: []string{"rule_group"},
		Help: "Rule evaluations that failed.",
	})
	RuleGroupLastDuration = declare(&metric.Metric{
		Name: "prometheus_rule_group_last_duration_seconds", Type: metric.Gauge, Exporter: prom, Labels: []string{"rule_group"},
		Help: "How long the last evaluation of a rule group took.",
	})
	RuleGroupInterval = declare(&metric.Metric{
		Name: "prometheus_rule_group_interval_seconds", Type: metric.Gauge, Exporter: prom, Labels: []string{"rule_group"},
		Help: "The evaluation interval of a rule group.",
	})
	PromNotificationErrors = declare(&metric.Metric{
		Name: "prometheus_notifications_errors_total", Type: metric.Counter, Exporter: prom, Labels: []string{"alertmanager"},
		Help: "Errors sending alerts to an Alertmanager.",
	})
	PromNotificationsSent = declare(&metric.Metric{
		Name: "prometheus_notifications_sent_total", Type: metric.Counter, Exporter: prom, Labels: []string{"alertmanager"},
		Help: "Alerts sent to an Alertmanager.",
	})
	PromAlertmanagersDiscovered = declare(&metric.Metric{
		Name: "prometheus_notifications_alertmanagers_discovered", Type: metric.Gauge, Exporter: prom,
		Help: "Alertmanagers Prometheus sends alerts to.",
	})
	PromConfigReloadOK = declare(&metric.Metric{
		Name: "prometheus_config_last_reload_successful", Type: metric.Gauge, Exporter: prom,
		Help: "1 when the last configuration reload succeeded.",
	})
	AMNotifications = declare(&metric.Metric{
		Name: "alertmanager_notifications_total", Type: metric.Counter, Exporter: am, Labels: []string{"integration", "receiver_name"},
		Help: "Notification attempts, by integration (and receiver: --enable-feature=receiver-name-in-metrics).",
	})
	AMNotificationsFailed = declare(&metric.Metric{
		Name: "alertmanager_notifications_failed_total", Type: metric.Counter, Exporter: am, Labels: []string{"integration", "receiver_name", "reason"},
		Help: "Notifications that failed after Alertmanager's retries, by integration, receiver (--enable-feature=receiver-name-in-metrics) and reason.",
	})
	AMConfigReloadOK = declare(&metric.Metric{
		Name: "alertmanager_config_last_reload_successful", Type: metric.Gauge, Exporter: am,
		Help: "1 when the last configuration reload succeeded.",
	})
)

// Host metrics from node_exporter.
var (
	NodeFilesystemAvail = declare(&metric.Metric{
		Name: "node_filesystem_avail_bytes", Type: metric.Gauge, Exporter: nodes, Labels: []string{"device", "fstype", "mountpoint"},
		Help: "Filesystem space available to unprivileged users.",
	})
	NodeFilesystemSize = declare(&metric.Metric{
		Name: "node_filesystem_size_bytes", Type: metric.Gauge, Exporter: nodes, Labels: []string{"device", "fstype", "mountpoint"},
		Help: "Filesystem size.",
	})
	NodeCPU = declare(&metric.Metric{
		Name: "node_cpu_seconds_total", Type: metric.Counter, Exporter: nodes, Labels: []string{"cpu", "mode"},
		Help: "CPU time by mode.",
	})
	NodeMemAvailable = declare(&metric.Metric{
		Name: "node_memory_MemAvailable_bytes", Type: metric.Gauge, Exporter: nodes,
		Help: "Memory available for new work without swapping.",
	})
)
