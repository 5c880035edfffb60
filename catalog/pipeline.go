package catalog

import (
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

var (
	producer = []stack.Component{stack.Producer}
	stream   = []stack.Component{stack.StreamDriver}
)

// The producer's own metrics (cmd/produce); franz-go's kprom metrics carry the kgo_ prefix.
var (
	ProducerRecords = declare(&metric.Metric{
		Name: "finobs_producer_records_total", Type: metric.Counter, Exporter: producer, Labels: []string{"topic"},
		Help: "Records acknowledged by the broker.",
	})
	ProducerErrors = declare(&metric.Metric{
		Name: "finobs_producer_errors_total", Type: metric.Counter, Exporter: producer, Labels: []string{"topic"},
		Help: "Records whose produce failed.",
	})
	ProducerBytes = declare(&metric.Metric{
		Name: "finobs_producer_bytes_total", Type: metric.Counter, Exporter: producer, Labels: []string{"topic"},
		Help: "Value bytes acknowledged by the broker.",
	})
	ProducerBuffered = declare(&metric.Metric{
		Name: "finobs_producer_buffered_records", Type: metric.Gauge, Exporter: producer,
		Help: "Records buffered in the client, not yet acknowledged.",
	})
	ProducerBufferMax = declare(&metric.Metric{
		Name: "finobs_producer_buffer_max_records", Type: metric.Gauge, Exporter: producer,
		Help: "The configured MaxBufferedRecords.",
	})
	ProducerLatency = declare(&metric.Metric{
		Name: "finobs_producer_produce_latency_seconds", Type: metric.Histogram, Exporter: producer,
		Help: "Time from enqueue to acknowledgement, of 1 record in every -latency-sample.",
	})
	ProducerTargetRate = declare(&metric.Metric{
		Name: "finobs_producer_target_rate", Type: metric.Gauge, Exporter: producer,
		Help: "Asked records per second; 0 is unlimited.",
	})
)

// franz-go's client metrics (plugin/kprom, namespace kgo) in the producer: every one it
// exports, with kprom's help texts. Its histograms are off and a producer never fetches, so
// kgo_*_seconds and kgo_fetch_* never appear.
var (
	KgoProduceBatches = declare(&metric.Metric{
		Name: "kgo_produce_batches_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Total number of batches produced",
	})
	KgoProduceRecords = declare(&metric.Metric{
		Name: "kgo_produce_records_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Total number of records produced",
	})
	KgoProduceBytes = declare(&metric.Metric{
		Name: "kgo_produce_bytes_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Total number of uncompressed bytes produced",
	})
	KgoProduceCompressedBytes = declare(&metric.Metric{
		Name: "kgo_produce_compressed_bytes_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Total number of compressed bytes produced",
	})
	// A gauge, despite kprom's name.
	KgoBufferedProduceRecords = declare(&metric.Metric{
		Name: "kgo_buffered_produce_records_total", Type: metric.Gauge, Exporter: producer,
		Help: "Total number of records buffered within the client ready to be produced",
	})
	KgoBufferedProduceBytes = declare(&metric.Metric{
		Name: "kgo_buffered_produce_bytes", Type: metric.Gauge, Exporter: producer,
		Help: "Total number of bytes buffered within the client ready to be produced",
	})
	// The producer consumes nothing: always 0, but kprom exports them with every client.
	KgoBufferedFetchRecords = declare(&metric.Metric{
		Name: "kgo_buffered_fetch_records_total", Type: metric.Gauge, Exporter: producer,
		Help: "Total number of records buffered within the client ready to be consumed",
	})
	KgoBufferedFetchBytes = declare(&metric.Metric{
		Name: "kgo_buffered_fetch_bytes", Type: metric.Gauge, Exporter: producer,
		Help: "Total number of bytes buffered within the client ready to be consumed",
	})
	KgoConnects = declare(&metric.Metric{
		Name: "kgo_connects_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"},
		Help: "Total number of connections opened",
	})
	// A broker went away, or the client closed a connection idle for ConnIdleTimeout: not on
	// every healthy run.
	KgoDisconnects = declare(&metric.Metric{
		Name: "kgo_disconnects_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"}, Presence: metric.OnFault,
		Help: "Total number of connections closed",
	})
	KgoConnectErrors = declare(&metric.Metric{
		Name: "kgo_connect_errors_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"}, Presence: metric.OnFault,
		Help: "Total number of connection errors",
	})
	KgoWriteBytes = declare(&metric.Metric{
		Name: "kgo_write_bytes_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"},
		Help: "Total number of bytes written to the TCP connection. The bytes count is tracked after compression (when used).",
	})
	KgoWriteErrors = declare(&metric.Metric{
		Name: "kgo_write_errors_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"}, Presence: metric.OnFault,
		Help: "Total number of write errors",
	})
	KgoReadBytes = declare(&metric.Metric{
		Name: "kgo_read_bytes_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"},
		Help: "Total number of bytes read from the TCP connection. The bytes count is tracked before uncompression (when used).",
	})
	KgoReadErrors = declare(&metric.Metric{
		Name: "kgo_read_errors_total", Type: metric.Counter, Exporter: producer, Labels: []string{"node_id"}, Presence: metric.OnFault,
		Help: "Total number of read errors",
	})
)

// The stream driver's metrics (cmd/stream), taken from Structured Streaming query progress.
// Streaming commits no consumer-group offsets, so offsets behind latest is the lag.
var (
	StreamQueryUp = declare(&metric.Metric{
		Name: "finobs_stream_query_up", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "1 while the streaming query is active, 0 once it stopped or failed.",
	})
	StreamInputRate = declare(&metric.Metric{
		Name: "finobs_stream_input_rows_per_second", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Rows per second arriving at the query (last progress).",
	})
	StreamProcessedRate = declare(&metric.Metric{
		Name: "finobs_stream_processed_rows_per_second", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Rows per second the query processed (last progress).",
	})
	StreamInputRows = declare(&metric.Metric{
		Name: "finobs_stream_input_rows_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Rows the query read, summed over progress reports.",
	})
	StreamBatches = declare(&metric.Metric{
		Name: "finobs_stream_batches_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Micro-batches the query completed.",
	})
	StreamBatchDuration = declare(&metric.Metric{
		Name: "finobs_stream_batch_duration_seconds", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Duration of the last micro-batch (triggerExecution).",
	})
	StreamTriggerInterval = declare(&metric.Metric{
		Name: "finobs_stream_trigger_interval_seconds", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "The query's configured processing-time trigger.",
	})
	StreamOffsetsBehind = declare(&metric.Metric{
		Name: "finobs_stream_offsets_behind_latest", Type: metric.Gauge, Exporter: stream, Labels: []string{"query", "topic", "partition"},
		Help: "Records between the query's end offset and the partition's latest offset.",
	})
	StreamWatermark = declare(&metric.Metric{
		Name: "finobs_stream_watermark_timestamp_seconds", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "The query's event-time watermark.",
	})
	StreamStateRows = declare(&metric.Metric{
		Name: "finobs_stream_state_rows", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Rows held in the query's state stores.",
	})
	StreamStateBytes = declare(&metric.Metric{
		Name: "finobs_stream_state_bytes", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Memory used by the query's state stores.",
	})
	StreamLateRows = declare(&metric.Metric{
		Name: "finobs_stream_late_rows_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Rows dropped because they arrived behind the watermark.",
	})
	StreamDeadLetters = declare(&metric.Metric{
		Name: "finobs_stream_dead_letter_rows_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Records that failed parsing or validation, sent to the dead-letter topic.",
	})
	StreamQuarantined = declare(&metric.Metric{
		Name: "finobs_stream_quarantined_rows_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Records set aside because their event time is outside the tolerance of their Kafka timestamp (counted among the dead letters too).",
	})
	StreamEventSkew = declare(&metric.Metric{
		Name: "finobs_stream_event_time_skew_seconds", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "The largest event time minus broker append time of the last batch's records: how far ahead of the broker the producers' clocks run.",
	})
	StreamLastProgress = declare(&metric.Metric{
		Name: "finobs_stream_last_progress_timestamp_seconds", Type: metric.Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "When the query last reported progress.",
	})
	// The driver's restart policy (pipeline/stream): every child exists from the start at 0, so
	// that increase() sees the first restart and the first failure of each class.
	StreamQueryRestarts = declare(&metric.Metric{
		Name: "finobs_stream_query_restarts_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Times the driver started the query again from its checkpoint after it failed.",
	})
	// The driver commits each batch's end offsets to the query's consumer group, for the lag
	// exporter and Kafka's tools; the checkpoint stays the job's truth.
	StreamGroupCommits = declare(&metric.Metric{
		Name: "finobs_stream_group_commits_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query", "result"},
		Help: "Commits of processed offsets to the query's consumer group, by result (ok, error).",
	})
	// error_class is one of a fixed set (pipeline/stream.FailureClasses): data_loss,
	// foreign_checkpoint, state, kafka, start, terminated, other.
	StreamQueryFailures = declare(&metric.Metric{
		Name: "finobs_stream_query_failures_total", Type: metric.Counter, Exporter: stream, Labels: []string{"query", "error_class"},
		Help: "Times the query failed (ended without being stopped, or could not be started), by class of error.",
	})
)
