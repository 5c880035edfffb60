package capacity

import (
	"time"

	"github.com/finobs/finobs/internal/sizing"
	"github.com/finobs/finobs/topics"
)

const day = 24 * time.Hour

const seed = "seed DESIGN.md, Data Storage Estimation"

// Log retentions, one per index group: how long each keeps its documents. pipelines/ builds its
// index lifecycle from these (through Deployed).
var (
	KafkaLogRetention      = sizing.Declared(14*day, "two weeks: broker incidents are investigated after the fact")
	SparkLogRetention      = sizing.Declared(7*day, "a week: Spark logs are verbose and matter while a job misbehaves")
	PipelineLogRetention   = sizing.Declared(30*day, "a month: the producer and stream driver are the trail of the money path")
	MonitoringLogRetention = sizing.Declared(7*day, "a week: Prometheus and Alertmanager logs")
)

// Index names, as pipelines/ declares them (a generate test checks they agree).
const (
	KafkaLogs      = "finobs-logs-kafka"
	SparkLogs      = "finobs-logs-spark"
	PipelineLogs   = "finobs-logs-pipeline"
	MonitoringLogs = "finobs-logs-monitoring"
)

// logIndices groups per-pipeline volumes into the index groups of pipelines/.
func logIndices(kafka, spark, producer, streamDriver, prometheus, alertmanager sizing.LogVolume) []sizing.LogIndex {
	kafka.Pipeline, spark.Pipeline = "kafka", "spark"
	producer.Pipeline, streamDriver.Pipeline = "producer", "stream-driver"
	prometheus.Pipeline, alertmanager.Pipeline = "prometheus", "alertmanager"
	return []sizing.LogIndex{
		{Index: KafkaLogs, Retention: KafkaLogRetention, Pipelines: []sizing.LogVolume{kafka}},
		{Index: SparkLogs, Retention: SparkLogRetention, Pipelines: []sizing.LogVolume{spark}},
		{Index: PipelineLogs, Retention: PipelineLogRetention, Pipelines: []sizing.LogVolume{producer, streamDriver}},
		{Index: MonitoringLogs, Retention: MonitoringLogRetention, Pipelines: []sizing.LogVolume{prometheus, alertmanager}},
	}
}

func logs(rate float64, bytes sizing.Bytes, note string) sizing.LogVolume {
	return sizing.LogVolume{Rate: sizing.Declared(sizing.PerSecond(rate), note), EventBytes: sizing.Declared(bytes, note)}
}

// Original is the system finobs replaces, with the inputs its design document gives: 1.2
// billion records an hour of about 120 bytes, 5x compression, 3 replicas on 3 brokers, 20%
// growth a year. What it leaves out (retention, disks, log volume) is assumed, and says so.
var Original = sizing.Scenario{
	Name:        "original",
	Description: "The load of the system finobs replaces (" + seed + "), on its 3-broker cluster. Inputs it does not state are assumptions, marked as such.",
	Topics: []sizing.Topic{{
		Name:        topics.Transactions,
		Rate:        sizing.Declared(sizing.PerHour(1.2e9), seed+": 1.2 billion records per hour"),
		RecordBytes: sizing.Declared(120*sizing.Bytes(1), seed+": ~120 bytes per financial transaction record"),
		Compression: sizing.Declared(5.0, seed+": 5x compression"),
		Retention:   sizing.Declared(7*day, "assumption: the seed states none; Kafka's default log.retention.hours=168"),
	}},
	Replication:         sizing.Declared(3, seed+": 3x replication"),
	Brokers:             sizing.Declared(3, "seed DESIGN.md, System Architecture: 3 Kafka brokers"),
	Disk:                sizing.Declared(12*sizing.TB, "assumption: the seed states none; a data disk per broker that holds the plan with headroom for two years of growth"),
	Headroom:            sizing.Declared(0.4, "keep 40% free: KafkaDiskFillingUp warns below 40% free, so a disk at the plan never sits in its warning zone"),
	Growth:              sizing.Declared(0.2, seed+": 20% year-over-year increase"),
	PartitionThroughput: sizing.Declared(10*sizing.MB, "assumption: a common Kafka rule of thumb for the produce one partition takes; measure with --prometheus under make bench-producer"),
	ReactionTime:        sizing.Declared(24*time.Hour, "a day to add disk or lower retention (KafkaDiskFillingUp's runbook)"),
	BrokerSegment:       sizing.Declared(sizing.GiB, "Kafka's default log.segment.bytes"),
	Logs: logIndices(
		logs(30, 400, "assumption: the seed gives no log volume; 6 KRaft nodes at ~5 lines/s"),
		logs(20, 500, "assumption: the seed gives no log volume; Spark master, 3 workers and the Connect server"),
		logs(1, 300, "assumption: progress lines and errors of the producer"),
		logs(1, 300, "assumption: batch progress of the stream driver"),
		logs(0.2, 250, "assumption: Prometheus logs little when healthy"),
		logs(0.1, 250, "assumption: Alertmanager logs little when healthy"),
	),
	ESNodes:    sizing.Declared(1, "Compose runs one Elasticsearch node"),
	ESReplicas: sizing.Declared(0, "one node: no replicas (the index templates set 0)"),
	ESShards:   sizing.Declared(1, "the index templates' number_of_shards"),
	ESMaxShard: sizing.Declared(50*sizing.GB, "the upper end of Elastic's sizing guidance for log shards"),
	ESDisk:     sizing.Declared(500*sizing.GB, "assumption: the seed states none"),
	ESHeadroom: sizing.Declared(0.15, "Elasticsearch's default low disk watermark: 85% used"),
	Claims: []sizing.Claim{
		{What: "raw per hour", Claimed: "216 GB/hour", Planned: func(p sizing.Plan) sizing.Bytes { return p.Flow.Over(time.Hour).Raw },
			Why: "120 B × 1.2 billion is 144 GB; 216 GB is 180 B a record"},
		{What: "compressed and replicated per hour", Claimed: "~129 GB/hour", Planned: func(p sizing.Plan) sizing.Bytes { return p.Flow.Over(time.Hour).Replicated },
			Why: "216 / 5 × 3 = 129.6: the wrong raw figure carried on"},
		{What: "replicated per day", Claimed: "~3.12 TB", Planned: func(p sizing.Plan) sizing.Bytes { return p.Flow.Over(day).Replicated },
			Why: "130 GB × 24 from the wrong hourly figure"},
		{What: "replicated per year", Claimed: "~1,138.8 PB", Planned: func(p sizing.Plan) sizing.Bytes { return p.Flow.Over(365 * day).Replicated },
			Why: "3.12 TB × 365 is 1,138.8 TB, written as PB; from the right inputs 757 TB"},
		{What: "replicated per year, after 2 years of growth", Claimed: "~1,600 PB", Planned: func(p sizing.Plan) sizing.Bytes { return p.After(2).Flow.Over(365 * day).Replicated },
			Why: "1,138.8 × 1.2² = 1,640 TB (rounded down to 1,600), again TB written as PB"},
		{What: "replicated per year, after 5 years of growth", Claimed: "~2,768 PB", Planned: func(p sizing.Plan) sizing.Bytes { return p.After(5).Flow.Over(365 * day).Replicated },
			Why: "1,600 × 1.2³ = 2,765: compounded from the rounded 2-year figure; 1,138.8 × 1.2⁵ would be 2,834 TB"},
	},
}

// Local is the native stack of `make up` under a capacity run of the producer: one
// combined KRaft node, the stack's broker settings (deploy/native: 24 h, 1 GiB per
// partition, 64 MiB segments; the 6 partitions topics/ declares).
var Local = sizing.Scenario{
	Name:        "local",
	Description: "The native stack (`make up`) under `go run ./cmd/produce -rate 2000`: one Kafka node with the stack's broker settings. Run `go run ./cmd/gen capacity -scenario local --prometheus URL` against it to replace the declared sizes with measured ones.",
	Topics: []sizing.Topic{{
		Name:           topics.Transactions,
		Rate:           sizing.Declared(sizing.PerSecond(2000), "go run ./cmd/produce -rate 2000"),
		RecordBytes:    sizing.Declared(260*sizing.Bytes(1), "assumption: a JSON transaction with its record framing; measure with --prometheus"),
		Compression:    sizing.Declared(3.0, "assumption: snappy (the producer's default) on JSON; measure with --prometheus"),
		Retention:      sizing.Declared(24*time.Hour, "deploy/native: log.retention.hours=24"),
		RetentionBytes: sizing.Declared(sizing.GiB, "deploy/native: log.retention.bytes=1 GiB per partition"),
		Partitions:     sizing.Declared(6, "topics/: the declared partitions"),
	}},
	Replication:         sizing.Declared(1, "one Kafka node"),
	Brokers:             sizing.Declared(1, "one combined KRaft node (KAFKA_NODES=1)"),
	Disk:                sizing.Declared(20*sizing.GB, "assumption: what the stack may take of the machine's disk"),
	Headroom:            sizing.Declared(0.4, "as in production: KafkaDiskFillingUp warns below 40% free"),
	Growth:              sizing.Declared(0.0, "a test stack does not grow"),
	PartitionThroughput: sizing.Declared(10*sizing.MB, "assumption, as in original; measure with --prometheus"),
	ReactionTime:        sizing.Declared(24*time.Hour, "as in production"),
	BrokerSegment:       sizing.Declared(64*sizing.MiB, "deploy/native: log.segment.bytes=64 MiB"),
	Logs: logIndices(
		logs(2, 300, "assumption: one KRaft node; measure with --prometheus"),
		logs(5, 400, "assumption: the Connect server and the standalone cluster; measure with --prometheus"),
		logs(0.1, 400, "assumption: measure with --prometheus"),
		logs(0.1, 400, "assumption: measure with --prometheus"),
		logs(0.1, 300, "assumption: measure with --prometheus"),
		logs(0.05, 300, "assumption: measure with --prometheus"),
	),
	ESNodes:    sizing.Declared(1, "one node"),
	ESReplicas: sizing.Declared(0, "one node: no replicas"),
	ESShards:   sizing.Declared(1, "the index templates' number_of_shards"),
	ESMaxShard: sizing.Declared(50*sizing.GB, "the upper end of Elastic's sizing guidance for log shards"),
	ESDisk:     sizing.Declared(0*sizing.GB, "not checked: the node's disk watermarks are in bytes (deploy/native)"),
	ESHeadroom: sizing.Declared(0.15, "Elasticsearch's default low disk watermark"),
}
