package topology

import (
	"fmt"

	"github.com/finobs/finobs/pkg/stack"
)

// Spark's driver serves its PrometheusServlet at /metrics/prometheus/ (without the slash
// it answers a redirect) and executor metrics at /metrics/executors/prometheus.
const sparkDriverPath = "/metrics/prometheus/"

var sparkExecutors = []stack.Scrape{{Job: stack.SparkExecutors, Path: "/metrics/executors/prometheus"}}

// The standalone master's and workers' servlets, trailing slash included for the same reason.
const (
	sparkMasterPath = "/metrics/master/prometheus/"
	sparkWorkerPath = "/metrics/prometheus/"
)

// The native stack's Spark cluster: one worker offering both cores of a 2-core machine
// (fewer would leave the streaming job's tasks queueing behind one slot), and room for one
// executor of spark.executor.memory (deploy/spark/spark-defaults.conf).
const (
	LocalSparkWorkers        = 1
	LocalSparkWorkerCores    = 2
	LocalSparkWorkerMemoryMB = 2048
)

// LagExporterPort is kafka_exporter's default port, which our lag exporter takes its place on.
const LagExporterPort = 9308

// Ports of the logging pipeline: the exporter's default, and Filebeat's HTTP endpoint
// (JSON stats, not Prometheus metrics: it is not scraped).
const (
	ElasticsearchExporterPort = 9114
	FilebeatHTTPPort          = 5066
)

// port is a named port of an instance.
func port(name string, n int) stack.Port { return stack.Port{Name: name, Port: n} }

// published is a Compose port published on the host at another number.
func published(name string, n, host int) stack.Port {
	return stack.Port{Name: name, Port: n, Published: host}
}

// LocalSparkMasterUIPort is the native master's web UI (and metrics) port, and the host port
// Compose publishes its master's UI on: in their containers the master and the registry both
// listen on 8080, on the host each takes the native stack's port.
const LocalSparkMasterUIPort = 8090

// JMXPort is where the JMX exporter java agent serves /metrics inside each Kafka container.
const JMXPort = 7071

// Compose is the Docker Compose deployment: 3 KRaft controllers, 3 brokers, Spark master
// and 3 workers, and the monitoring and logging services. Hosts are Compose service names.
func Compose() stack.Stack {
	s := stack.Stack{Name: "compose"}
	add := func(i stack.Instance) { s.Instances = append(s.Instances, i) }
	for n := 1; n <= 3; n++ {
		add(stack.Instance{Component: stack.KafkaController, Name: fmt.Sprintf("kafka-controller-%d", n), Host: fmt.Sprintf("kafka-controller-%d", n),
			NodeID: n, Ports: []stack.Port{port(stack.PortController, 9093), port(stack.PortMetrics, JMXPort)}})
	}
	for n := 1; n <= 3; n++ {
		add(stack.Instance{Component: stack.KafkaBroker, Name: fmt.Sprintf("kafka-broker-%d", n), Host: fmt.Sprintf("kafka-broker-%d", n),
			NodeID: 3 + n, Ports: []stack.Port{port(stack.PortBroker, 9092), port(stack.PortHost, 29091+n), port(stack.PortMetrics, JMXPort)}})
	}
	add(stack.Instance{Component: stack.SchemaRegistry, Name: "schema-registry", Host: "schema-registry",
		Ports: []stack.Port{published(stack.PortHTTP, RegistryHTTPPort, LocalRegistryHTTPPort), port(stack.PortMetrics, RegistryManagementPort)}})
	add(stack.Instance{Component: stack.SparkMaster, Name: "spark-master", Host: "spark-master",
		Ports: []stack.Port{port(stack.PortSpark, 7077), published(stack.PortMetrics, 8080, LocalSparkMasterUIPort)}, MetricsPath: sparkMasterPath})
	for n := 1; n <= 3; n++ {
		add(stack.Instance{Component: stack.SparkWorker, Name: fmt.Sprintf("spark-worker-%d", n), Host: fmt.Sprintf("spark-worker-%d", n),
			Ports: []stack.Port{port(stack.PortMetrics, 8081)}, MetricsPath: sparkWorkerPath, Cores: 2, MemoryMB: 2048})
	}
	add(stack.Instance{Component: stack.SparkConnect, Name: "spark-connect", Host: "spark-connect",
		Ports: []stack.Port{port(stack.PortGRPC, 15002), port(stack.PortMetrics, 4040)}, MetricsPath: sparkDriverPath, Extra: sparkExecutors})
	add(stack.Instance{Component: stack.Producer, Name: "producer", Host: "producer", Ports: []stack.Port{port(stack.PortMetrics, 9400)}})
	add(stack.Instance{Component: stack.StreamDriver, Name: "stream-driver", Host: "stream-driver", Ports: []stack.Port{port(stack.PortMetrics, 9401)}})
	add(stack.Instance{Component: stack.KafkaLagExporter, Name: "kafka-lag-exporter", Host: "kafka-lag-exporter", Ports: []stack.Port{port(stack.PortMetrics, LagExporterPort)}})
	add(stack.Instance{Component: stack.NodeExporter, Name: "node-exporter", Host: "node-exporter", Ports: []stack.Port{port(stack.PortMetrics, 9100)}})
	add(stack.Instance{Component: stack.Prometheus, Name: "prometheus", Host: "prometheus", Ports: []stack.Port{port(stack.PortMetrics, 9090)}})
	add(stack.Instance{Component: stack.Alertmanager, Name: "alertmanager", Host: "alertmanager", Ports: []stack.Port{port(stack.PortMetrics, 9093)}})
	add(stack.Instance{Component: stack.Grafana, Name: "grafana", Host: "grafana", Ports: []stack.Port{port(stack.PortHTTP, 3000)}})
	add(stack.Instance{Component: stack.Runbooks, Name: "runbooks", Host: "runbooks", Ports: []stack.Port{port(stack.PortHTTP, 9095)}})
	add(stack.Instance{Component: stack.Elasticsearch, Name: "elasticsearch", Host: "elasticsearch", Ports: []stack.Port{port(stack.PortHTTP, 9200)}})
	add(stack.Instance{Component: stack.ElasticsearchExporter, Name: "elasticsearch-exporter", Host: "elasticsearch-exporter", Ports: []stack.Port{port(stack.PortMetrics, ElasticsearchExporterPort)}})
	add(stack.Instance{Component: stack.Logstash, Name: "logstash", Host: "logstash", Ports: []stack.Port{port(stack.PortBeats, 5044), port(stack.PortHTTP, 9600)}})
	add(stack.Instance{Component: stack.Filebeat, Name: "filebeat", Host: "filebeat", Ports: []stack.Port{port(stack.PortHTTP, FilebeatHTTPPort)}})
	add(stack.Instance{Component: stack.Kibana, Name: "kibana", Host: "kibana", Ports: []stack.Port{port(stack.PortHTTP, 5601)}})
	return s
}

// Local is the native stack on loopback. kafkaNodes is 1 (one combined broker+controller,
// the default) or 3 (3 controllers + 3 brokers, like Compose).
func Local(kafkaNodes int) (stack.Stack, error) {
	const host = "127.0.0.1"
	s := stack.Stack{Name: "local"}
	add := func(i stack.Instance) { s.Instances = append(s.Instances, i) }
	switch kafkaNodes {
	case 1:
		add(stack.Instance{Component: stack.KafkaCombined, Name: "kafka-1", Host: host, NodeID: 1,
			Ports: []stack.Port{port(stack.PortBroker, 9092), port(stack.PortController, 19093), port(stack.PortMetrics, 7071)}})
	case 3:
		for n := 1; n <= 3; n++ {
			add(stack.Instance{Component: stack.KafkaController, Name: fmt.Sprintf("kafka-controller-%d", n), Host: host, NodeID: n,
				Ports: []stack.Port{port(stack.PortController, 19093+100*(n-1)), port(stack.PortMetrics, 7080+n)}})
		}
		for n := 1; n <= 3; n++ {
			add(stack.Instance{Component: stack.KafkaBroker, Name: fmt.Sprintf("kafka-broker-%d", n), Host: host, NodeID: 3 + n,
				Ports: []stack.Port{port(stack.PortBroker, 9092+100*(n-1)), port(stack.PortMetrics, 7070+n)}})
		}
		// One broker keeps two log directories (JBOD), so that one of them can fill up and
		// fail while the broker lives: the fault suite mounts a small file system of its own
		// over the second. Native only: Compose describes what users deploy, and a broker
		// unlike its peers is theirs to choose, not a test rig's.
		s.Instances[len(s.Instances)-1].LogDirs = 2
	default:
		return stack.Stack{}, fmt.Errorf("topology: local stack runs 1 or 3 Kafka nodes, not %d", kafkaNodes)
	}
	// A standalone Spark cluster, as Compose runs it; the Spark Connect server's application
	// runs on it. Web UI ports clear of 8080/8081 (the usual ports of schema registries).
	add(stack.Instance{Component: stack.SparkMaster, Name: "spark-master", Host: host,
		Ports: []stack.Port{port(stack.PortSpark, 7077), port(stack.PortMetrics, LocalSparkMasterUIPort)}, MetricsPath: sparkMasterPath})
	for n := 1; n <= LocalSparkWorkers; n++ {
		add(stack.Instance{Component: stack.SparkWorker, Name: fmt.Sprintf("spark-worker-%d", n), Host: host,
			Ports:       []stack.Port{port(stack.PortSpark, 7077+n), port(stack.PortMetrics, 8090+n)},
			MetricsPath: sparkWorkerPath, Cores: LocalSparkWorkerCores, MemoryMB: LocalSparkWorkerMemoryMB})
	}
	add(stack.Instance{Component: stack.SparkConnect, Name: "spark-connect", Host: host,
		Ports: []stack.Port{port(stack.PortGRPC, 15002), port(stack.PortMetrics, 4040)}, MetricsPath: sparkDriverPath, Extra: sparkExecutors})
	add(stack.Instance{Component: stack.Producer, Name: "producer", Host: host, Ports: []stack.Port{port(stack.PortMetrics, 9400)}})
	add(stack.Instance{Component: stack.StreamDriver, Name: "stream-driver", Host: host, Ports: []stack.Port{port(stack.PortMetrics, 9401)}})
	add(stack.Instance{Component: stack.KafkaLagExporter, Name: "kafka-lag-exporter", Host: host, Ports: []stack.Port{port(stack.PortMetrics, LagExporterPort)}})
	add(stack.Instance{Component: stack.NodeExporter, Name: "node-exporter", Host: host, Ports: []stack.Port{port(stack.PortMetrics, 9100)}})
	add(stack.Instance{Component: stack.Prometheus, Name: "prometheus", Host: host, Ports: []stack.Port{port(stack.PortMetrics, 9090)}})
	add(stack.Instance{Component: stack.Alertmanager, Name: "alertmanager", Host: host, Ports: []stack.Port{port(stack.PortMetrics, 9093)}})
	add(localWebhook(host))
	add(localRegistry(host))
	// The logging pipeline: one Elasticsearch node, its exporter, and Filebeat reading the
	// stack's own log files (no Logstash runs natively: Filebeat ships straight to ES).
	add(stack.Instance{Component: stack.Elasticsearch, Name: "elasticsearch", Host: host, Ports: []stack.Port{port(stack.PortHTTP, 9200), port(stack.PortTransport, 9300), port(stack.PortNode, 9201)}})
	add(stack.Instance{Component: stack.ElasticsearchExporter, Name: "elasticsearch-exporter", Host: host, Ports: []stack.Port{port(stack.PortMetrics, ElasticsearchExporterPort)}})
	add(stack.Instance{Component: stack.Filebeat, Name: "filebeat", Host: host, Ports: []stack.Port{port(stack.PortHTTP, FilebeatHTTPPort)}})
	return s, s.Validate()
}
