package dashboards

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Producer signals that no alert fires on.
var (
	producerTargetSum = &signal.Signal{Name: "target", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Select(catalog.ProducerTargetRate))}
	producerBytesRate = &signal.Signal{Name: "bytes/s", Unit: signal.BytesPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerBytes), promql.Window), promql.Grouped)}
	produceErrorRate = &signal.Signal{Name: "produce errors", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerErrors), promql.Window), promql.Grouped)}
	producerRecordSize = &signal.Signal{Name: "record size", Unit: signal.Bytes,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerBytes), promql.Window), promql.Grouped).Div(
			promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords), promql.Window), promql.Grouped))}
	producerBuffered = &signal.Signal{Name: "buffered records", Unit: signal.Count,
		Expr: promql.Sum(promql.Select(catalog.ProducerBuffered), promql.Grouped)}
	producerBufferLimit = &signal.Signal{Name: "buffer limit", Unit: signal.Count,
		Expr: promql.Max(promql.Select(catalog.ProducerBufferMax), promql.Grouped)}
	producerLatencyP50 = &signal.Signal{Name: "p50 produce latency", Unit: signal.Seconds,
		Expr: promql.HistogramQuantile(0.5, promql.Sum(promql.Rate(promql.Buckets(catalog.ProducerLatency), promql.Window), "le"))}

	recordsPerBatch = &signal.Signal{Name: "records per batch", Unit: signal.Count,
		Expr: perBatch(promql.Select(catalog.KgoProduceRecords))}
	batchBytes = &signal.Signal{Name: "batch bytes", Unit: signal.Bytes,
		Expr: perBatch(promql.Select(catalog.KgoProduceBytes))}
	batchCompressedBytes = &signal.Signal{Name: "compressed batch bytes", Unit: signal.Bytes,
		Expr: perBatch(promql.Select(catalog.KgoProduceCompressedBytes))}
	produceBatches = &signal.Signal{Name: "batches", Unit: signal.ReqsPerSec,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.KgoProduceBatches), promql.Window), promql.Grouped)}
)

// perBatch is the rate of franz-go counter e per batch produced.
func perBatch(e promql.Expr) promql.Expr {
	return promql.Sum(promql.Rate(e, promql.Window), promql.Grouped).Div(
		promql.Sum(promql.Rate(promql.Select(catalog.KgoProduceBatches), promql.Window), promql.Grouped))
}

// Panels of the producer dashboard that alerts link to.
var (
	ProducerUpPanel = grafana.Stat("Producer up",
		"1 when Prometheus scrapes the producer. 0 is a producer stopped, hung or paused: no transactions enter the pipeline (ProducerDown).",
		signals.ProducerUp.Min().Legend("up"))
	ProducerErrorRatioPanel = grafana.Stat("Error ratio", "Share of records that failed to produce.",
		signals.ProducerErrorRatio.Total().Legend("errors"))
	ProducerBufferUsePanel = grafana.Stat("Buffer use",
		"Records buffered waiting for Kafka, as a share of the buffer limit, on the fullest producer; at 100% produce calls block.",
		signals.ProducerBufferUse.Total().Legend("buffer"))
	ProducerRecordsPanel = grafana.TimeSeries("Records per second by topic",
		"Records acknowledged per second, by topic, against the configured target rate; the alert threshold is half the target.",
		signals.ProducerRecordRate.GroupBy("topic").Legend("{{topic}}"),
		producerTargetSum.Total().Legend("target"))
	ProducerLatencyPanel = grafana.TimeSeries("Produce latency",
		"99th percentile and median of the time from produce call to acknowledgement.",
		signals.ProducerLatencyP99.Show().Legend("p99"),
		producerLatencyP50.Total().Legend("p50"))
)

var producer = grafana.Board{
	Name: Producer, Folder: folderPipeline, Title: "Producer",
	Description: "The transaction producer (franz-go): what it sends, how fast, how much waits in its buffer, and how long Kafka takes to acknowledge.",
	Jobs:        []stack.Component{stack.Producer},
	Rows: []grafana.Row{
		{Title: "Overview", Panels: []*grafana.Panel{
			ProducerUpPanel,
			grafana.Stat("Records per second", "Records acknowledged by Kafka per second, all topics.",
				signals.ProducerRecordRate.Total().Legend("records")),
			grafana.Stat("Target rate", "Records per second the producer is configured to send.",
				producerTargetSum.Total().Legend("target")),
			ProducerErrorRatioPanel,
			ProducerBufferUsePanel,
			grafana.Stat("p99 produce latency", "99th percentile of the time from produce call to acknowledgement, slowest producer.",
				signals.ProducerLatencyP99.Max().Legend("p99")),
			grafana.Stat("Average record size", "Bytes per record sent, all topics.",
				producerRecordSize.Total().Legend("size")),
		}},
		{Title: "Throughput", Panels: []*grafana.Panel{
			ProducerRecordsPanel,
			grafana.TimeSeries("Bytes per second by topic", "Record bytes sent per second, by topic.",
				producerBytesRate.GroupBy("topic").Legend("{{topic}}")),
			grafana.TimeSeries("Errors per second by topic", "Records that failed to produce per second, by topic.",
				produceErrorRate.GroupBy("topic").Legend("{{topic}}")),
		}},
		{Title: "Buffering and latency", Panels: []*grafana.Panel{
			grafana.TimeSeries("Buffered records", "Records waiting in the client buffer, and the buffer's limit (MaxBufferedRecords).",
				producerBuffered.GroupBy("instance").Legend("{{instance}} buffered"),
				producerBufferLimit.GroupBy("instance").Legend("{{instance}} limit")),
			ProducerLatencyPanel,
			grafana.TimeSeries("Record size by topic",
				"Average bytes per record, by topic: with the linger and batch limits, what sets the batch size.",
				producerRecordSize.GroupBy("topic").Legend("{{topic}}")),
		}},
		{Title: "Batching", Panels: []*grafana.Panel{
			grafana.TimeSeries("Records per batch",
				"Records in each batch the client sends, by topic: linger and batch size at work; a few records per batch means many small requests.",
				recordsPerBatch.GroupBy("topic").Legend("{{topic}}")),
			grafana.TimeSeries("Batch size", "Bytes of each batch before and after compression, by topic.",
				batchBytes.GroupBy("topic").Legend("{{topic}} uncompressed"),
				batchCompressedBytes.GroupBy("topic").Legend("{{topic}} compressed")),
			grafana.TimeSeries("Batches per second", "Batches sent per second, by broker.",
				produceBatches.GroupBy("node_id").Legend("broker {{node_id}}")),
		}},
	},
}
