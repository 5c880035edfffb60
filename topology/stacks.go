package topology

import "fmt"

// Spark's driver serves its PrometheusServlet at /metrics/prometheus/ (without the slash
// it answers a redirect) and executor metrics at /metrics/executors/prometheus.
const sparkDriverPath = "/metrics/prometheus/"

var sparkExecutors = []Scrape{{Job: SparkExecutors, Path: "/metrics/executors/prometheus"}}

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

// Ports of the logging pipeline: the exporter's default, and Filebeat's HTTP endpoint
// (JSON stats, not Prometheus metrics: it is not scraped).
const (
	ElasticsearchExporterPort = 9114
	FilebeatHTTPPort          = 5066
)

// JMXPort is where the JMX exporter java agent serves /metrics inside each Kafka container.
const JMXPort = 7071

// Compose is the Docker Compose deployment: 3 KRaft controllers, 3 brokers, Spark master
// and 3 workers, and the monitoring and logging services. Hosts are Compose service names.
func Compose() Stack {
	s := Stack{Name: "compose"}
	add := func(i Instance) { s.Instances = append(s.Instances, i) }
	for n := 1; n <= 3; n++ {
		add(Instance{Component: KafkaController, Name: fmt.Sprintf("kafka-controller-%d", n), Host: fmt.Sprintf("kafka-controller-%d", n),
			NodeID: n, Ports: []Port{{PortController, 9093}, {PortMetrics, JMXPort}}})
	}
	for n := 1; n <= 3; n++ {
		add(Instance{Component: KafkaBroker, Name: fmt.Sprintf("kafka-broker-%d", n), Host: fmt.Sprintf("kafka-broker-%d", n),
			NodeID: 3 + n, Ports: []Port{{PortBroker, 9092}, {PortHost, 29091 + n}, {PortMetrics, JMXPort}}})
	}
	add(Instance{Component: SchemaRegistry, Name: "schema-registry", Host: "schema-registry",
		Ports: []Port{{PortHTTP, RegistryHTTPPort}, {PortMetrics, RegistryManagementPort}}})
	add(Instance{Component: SparkMaster, Name: "spark-master", Host: "spark-master",
		Ports: []Port{{PortSpark, 7077}, {PortMetrics, 8080}}, MetricsPath: sparkMasterPath})
	for n := 1; n <= 3; n++ {
		add(Instance{Component: SparkWorker, Name: fmt.Sprintf("spark-worker-%d", n), Host: fmt.Sprintf("spark-worker-%d", n),
			Ports: []Port{{PortMetrics, 8081}}, MetricsPath: sparkWorkerPath, Cores: 2, MemoryMB: 2048})
	}
	add(Instance{Component: SparkConnect, Name: "spark-connect", Host: "spark-connect",
		Ports: []Port{{PortGRPC, 15002}, {PortMetrics, 4040}}, MetricsPath: sparkDriverPath, Extra: sparkExecutors})
	add(Instance{Component: Producer, Name: "producer", Host: "producer", Ports: []Port{{PortMetrics, 9400}}})
	add(Instance{Component: StreamDriver, Name: "stream-driver", Host: "stream-driver", Ports: []Port{{PortMetrics, 9401}}})
	add(Instance{Component: NodeExporter, Name: "node-exporter", Host: "node-exporter", Ports: []Port{{PortMetrics, 9100}}})
	add(Instance{Component: Prometheus, Name: "prometheus", Host: "prometheus", Ports: []Port{{PortMetrics, 9090}}})
	add(Instance{Component: Alertmanager, Name: "alertmanager", Host: "alertmanager", Ports: []Port{{PortMetrics, 9093}}})
	add(Instance{Component: Grafana, Name: "grafana", Host: "grafana", Ports: []Port{{PortHTTP, 3000}}})
	add(Instance{Component: Runbooks, Name: "runbooks", Host: "runbooks", Ports: []Port{{PortHTTP, 9095}}})
	add(Instance{Component: Elasticsearch, Name: "elasticsearch", Host: "elasticsearch", Ports: []Port{{PortHTTP, 9200}}})
	add(Instance{Component: ElasticsearchExporter, Name: "elasticsearch-exporter", Host: "elasticsearch-exporter", Ports: []Port{{PortMetrics, ElasticsearchExporterPort}}})
	add(Instance{Component: Logstash, Name: "logstash", Host: "logstash", Ports: []Port{{PortBeats, 5044}, {PortHTTP, 9600}}})
	add(Instance{Component: Filebeat, Name: "filebeat", Host: "filebeat", Ports: []Port{{PortHTTP, FilebeatHTTPPort}}})
	add(Instance{Component: Kibana, Name: "kibana", Host: "kibana", Ports: []Port{{PortHTTP, 5601}}})
	return s
}

// Local is the native stack on loopback. kafkaNodes is 1 (one combined broker+controller,
// the default) or 3 (3 controllers + 3 brokers, like Compose).
func Local(kafkaNodes int) (Stack, error) {
	const host = "127.0.0.1"
	s := Stack{Name: "local"}
	add := func(i Instance) { s.Instances = append(s.Instances, i) }
	switch kafkaNodes {
	case 1:
		add(Instance{Component: KafkaCombined, Name: "kafka-1", Host: host, NodeID: 1,
			Ports: []Port{{PortBroker, 9092}, {PortController, 19093}, {PortMetrics, 7071}}})
	case 3:
		for n := 1; n <= 3; n++ {
			add(Instance{Component: KafkaController, Name: fmt.Sprintf("kafka-controller-%d", n), Host: host, NodeID: n,
				Ports: []Port{{PortController, 19093 + 100*(n-1)}, {PortMetrics, 7080 + n}}})
		}
		for n := 1; n <= 3; n++ {
			add(Instance{Component: KafkaBroker, Name: fmt.Sprintf("kafka-broker-%d", n), Host: host, NodeID: 3 + n,
				Ports: []Port{{PortBroker, 9092 + 100*(n-1)}, {PortMetrics, 7070 + n}}})
		}
		// One broker keeps two log directories (JBOD), so that one of them can fill up and
		// fail while the broker lives: the fault suite mounts a small file system of its own
		// over the second. Native only: Compose describes what users deploy, and a broker
		// unlike its peers is theirs to choose, not a test rig's.
		s.Instances[len(s.Instances)-1].LogDirs = 2
	default:
		return Stack{}, fmt.Errorf("topology: local stack runs 1 or 3 Kafka nodes, not %d", kafkaNodes)
	}
	// A standalone Spark cluster, as Compose runs it; the Spark Connect server's application
	// runs on it. Web UI ports clear of 8080/8081 (the usual ports of schema registries).
	add(Instance{Component: SparkMaster, Name: "spark-master", Host: host,
		Ports: []Port{{PortSpark, 7077}, {PortMetrics, 8090}}, MetricsPath: sparkMasterPath})
	for n := 1; n <= LocalSparkWorkers; n++ {
		add(Instance{Component: SparkWorker, Name: fmt.Sprintf("spark-worker-%d", n), Host: host,
			Ports:       []Port{{PortSpark, 7077 + n}, {PortMetrics, 8090 + n}},
			MetricsPath: sparkWorkerPath, Cores: LocalSparkWorkerCores, MemoryMB: LocalSparkWorkerMemoryMB})
	}
	add(Instance{Component: SparkConnect, Name: "spark-connect", Host: host,
		Ports: []Port{{PortGRPC, 15002}, {PortMetrics, 4040}}, MetricsPath: sparkDriverPath, Extra: sparkExecutors})
	add(Instance{Component: Producer, Name: "producer", Host: host, Ports: []Port{{PortMetrics, 9400}}})
	add(Instance{Component: StreamDriver, Name: "stream-driver", Host: host, Ports: []Port{{PortMetrics, 9401}}})
	add(Instance{Component: NodeExporter, Name: "node-exporter", Host: host, Ports: []Port{{PortMetrics, 9100}}})
	add(Instance{Component: Prometheus, Name: "prometheus", Host: host, Ports: []Port{{PortMetrics, 9090}}})
	add(Instance{Component: Alertmanager, Name: "alertmanager", Host: host, Ports: []Port{{PortMetrics, 9093}}})
	add(localWebhook(host))
	add(localRegistry(host))
	// The logging pipeline: one Elasticsearch node, its exporter, and Filebeat reading the
	// stack's own log files (no Logstash runs natively: Filebeat ships straight to ES).
	add(Instance{Component: Elasticsearch, Name: "elasticsearch", Host: host, Ports: []Port{{PortHTTP, 9200}, {PortTransport, 9300}, {PortNode, 9201}}})
	add(Instance{Component: ElasticsearchExporter, Name: "elasticsearch-exporter", Host: host, Ports: []Port{{PortMetrics, ElasticsearchExporterPort}}})
	add(Instance{Component: Filebeat, Name: "filebeat", Host: host, Ports: []Port{{PortHTTP, FilebeatHTTPPort}}})
	return s, s.Validate()
}
