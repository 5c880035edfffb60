package catalog

import "github.com/finobs/finobs/internal/topology"

var (
	producer = []topology.Component{topology.Producer}
	stream   = []topology.Component{topology.StreamDriver}
)

// The producer's own metrics (cmd/produce); franz-go's kprom metrics carry the kgo_ prefix.
var (
	ProducerRecords = declare(&Metric{
		Name: "finobs_producer_records_total", Type: Counter, Exporter: producer, Labels: []string{"topic"},
		Help: "Records the broker acknowledged.",
	})
	ProducerErrors = declare(&Metric{
		Name: "finobs_producer_errors_total", Type: Counter, Exporter: producer, Labels: []string{"topic"},
		Help: "Records whose produce failed.",
	})
	ProducerBytes = declare(&Metric{
		Name: "finobs_producer_bytes_total", Type: Counter, Exporter: producer, Labels: []string{"topic"},
		Help: "Value bytes the broker acknowledged.",
	})
	ProducerBuffered = declare(&Metric{
		Name: "finobs_producer_buffered_records", Type: Gauge, Exporter: producer,
		Help: "Records buffered in the client, not yet acknowledged.",
	})
	ProducerBufferMax = declare(&Metric{
		Name: "finobs_producer_buffer_max_records", Type: Gauge, Exporter: producer,
		Help: "The client's buffer limit (MaxBufferedRecords).",
	})
	ProducerLatency = declare(&Metric{
		Name: "finobs_producer_produce_latency_seconds", Type: Histogram, Exporter: producer,
		Help: "Time from enqueueing a record to its acknowledgement.",
	})
	ProducerTargetRate = declare(&Metric{
		Name: "finobs_producer_target_rate", Type: Gauge, Exporter: producer,
		Help: "Records per second the producer was asked for; 0 means unlimited.",
	})
)

// franz-go's client metrics (plugin/kprom, namespace kgo) in the producer.
var (
	KgoProduceBatches = declare(&Metric{
		Name: "kgo_produce_batches_total", Type: Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Record batches the client produced, by broker and topic.",
	})
	KgoProduceRecords = declare(&Metric{
		Name: "kgo_produce_records_total", Type: Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Records the client produced in batches, by broker and topic.",
	})
	KgoProduceBytes = declare(&Metric{
		Name: "kgo_produce_bytes_total", Type: Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Uncompressed bytes of the batches the client produced.",
	})
	KgoProduceCompressedBytes = declare(&Metric{
		Name: "kgo_produce_compressed_bytes_total", Type: Counter, Exporter: producer, Labels: []string{"node_id", "topic"},
		Help: "Compressed bytes of the batches the client produced.",
	})
	KgoBufferedProduceRecords = declare(&Metric{
		Name: "kgo_buffered_produce_records_total", Type: Gauge, Exporter: producer,
		Help: "Records buffered in the client (a gauge, despite kprom's name).",
	})
	KgoConnects = declare(&Metric{
		Name: "kgo_connects_total", Type: Counter, Exporter: producer, Labels: []string{"node_id"},
		Help: "Connections the client opened, by broker.",
	})
)

// The stream driver's metrics (cmd/stream), taken from Structured Streaming query progress.
// Streaming commits no consumer-group offsets, so offsets behind latest is the lag.
var (
	StreamQueryUp = declare(&Metric{
		Name: "finobs_stream_query_up", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "1 while the streaming query is active, 0 once it stopped or failed.",
	})
	StreamInputRate = declare(&Metric{
		Name: "finobs_stream_input_rows_per_second", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Rows per second arriving at the query (last progress).",
	})
	StreamProcessedRate = declare(&Metric{
		Name: "finobs_stream_processed_rows_per_second", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Rows per second the query processed (last progress).",
	})
	StreamInputRows = declare(&Metric{
		Name: "finobs_stream_input_rows_total", Type: Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Rows the query read, summed over progress reports.",
	})
	StreamBatches = declare(&Metric{
		Name: "finobs_stream_batches_total", Type: Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Micro-batches the query completed.",
	})
	StreamBatchDuration = declare(&Metric{
		Name: "finobs_stream_batch_duration_seconds", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Duration of the last micro-batch (triggerExecution).",
	})
	StreamTriggerInterval = declare(&Metric{
		Name: "finobs_stream_trigger_interval_seconds", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "The query's configured processing-time trigger.",
	})
	StreamOffsetsBehind = declare(&Metric{
		Name: "finobs_stream_offsets_behind_latest", Type: Gauge, Exporter: stream, Labels: []string{"query", "topic", "partition"},
		Help: "Records between the query's end offset and the partition's latest offset.",
	})
	StreamWatermark = declare(&Metric{
		Name: "finobs_stream_watermark_timestamp_seconds", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "The query's event-time watermark.",
	})
	StreamStateRows = declare(&Metric{
		Name: "finobs_stream_state_rows", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Rows held in the query's state stores.",
	})
	StreamStateBytes = declare(&Metric{
		Name: "finobs_stream_state_bytes", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "Memory used by the query's state stores.",
	})
	StreamLateRows = declare(&Metric{
		Name: "finobs_stream_late_rows_total", Type: Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Rows dropped because they arrived behind the watermark.",
	})
	StreamDeadLetters = declare(&Metric{
		Name: "finobs_stream_dead_letter_rows_total", Type: Counter, Exporter: stream, Labels: []string{"query"},
		Help: "Malformed or schema-violating rows sent to the dead-letter topic.",
	})
	StreamLastProgress = declare(&Metric{
		Name: "finobs_stream_last_progress_timestamp_seconds", Type: Gauge, Exporter: stream, Labels: []string{"query"},
		Help: "When the query last reported progress.",
	})
)
