package stack

// Pinned versions of everything the local stack installs. Changing one reinstalls that part
// on the next `up` (each install step keeps a stamp of what it installed).
const (
	KafkaVersion       = "4.1.1"
	Log4jVersion       = "2.25.3"
	SLF4JVersion       = "2.0.17" // log4j-slf4j2-impl needs the 2.x API; Kafka alone pulls 1.7.36
	JMXExporterVersion = "1.0.1"

	SparkVersion = "4.1.1" // pyspark wheel; its jars hold the Spark Connect server
	// The Kafka source of Spark 4.1.1, at the versions its pom asks for.
	SparkKafkaClientsVersion = "3.9.1"
	CommonsPool2Version      = "2.12.1"

	AlertmanagerDebian = "prometheus-alertmanager" // Debian 12 ships 0.25
	MinJavaMajor       = 17                        // Kafka 4 brokers and Spark 4 both need 17+
)

// Go tools built from go.mod (their versions are go.mod's).
const (
	PrometheusPkg   = "github.com/prometheus/prometheus/cmd/prometheus"
	NodeExporterPkg = "github.com/prometheus/node_exporter"
)
