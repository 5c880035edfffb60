package deploy

// Every path the outputs write, relative to the repository root: the one place a path of
// the generated tree is named.
const (
	PrometheusCompose   = "deploy/prometheus/prometheus.yml"
	PrometheusLocal     = "deploy/local/prometheus.yml"
	PrometheusLocal3    = "deploy/local/prometheus-kafka3.yml" // KAFKA_NODES=3
	AlertmanagerCompose = "deploy/alertmanager/alertmanager.yml"
	AlertmanagerLocal   = "deploy/local/alertmanager.yml"

	// The Compose stack's rules, their promtool tests and the runbooks, and the native
	// stack's rules (the same, with its URLs).
	RulesDir      = "deploy/prometheus/rules"
	TestsDir      = "deploy/prometheus/tests"
	RunbooksDir   = "deploy/runbooks"
	LocalRulesDir = "deploy/local/rules"

	JMXDir     = "deploy/jmx"     // one JMX exporter config per Kafka role
	GrafanaDir = "deploy/grafana" // dashboards/<folder>/<name>.json and provisioning/

	Log4jDir         = "deploy/log4j2"
	FilebeatCompose  = "deploy/filebeat/compose.yml"
	FilebeatLocal    = "deploy/filebeat/local.yml"
	LogstashPipeline = "deploy/logstash/pipeline/finobs.conf"
	ESTemplatesDir   = "deploy/elasticsearch/index-templates"
	ESPoliciesDir    = "deploy/elasticsearch/ilm"

	ComposeFile  = "deploy/compose.yaml"
	CapacityFile = "deploy/capacity.md"
)
