package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Panels of the producer dashboard that alerts link to.
var (
	ProducerUpPanel = grafana.Stat("Producer up",
		"1 when Prometheus scrapes the producer. 0 is a producer stopped, hung or paused: no transactions enter the pipeline (ProducerDown).",
		signals.ProducerUp.Min().Legend("up"))
	ProducerFailedRecordsPanel = grafana.Stat("Failed records",
		"Records the producer gave up on after its retries, over the panel's rate interval (the alert counts 5 minutes): each is a transaction not ingested, and one pages (ProducerSendErrors).",
		signals.ProducerFailedRecords.Total().Legend("failed"))
	ProducerBufferUsePanel = grafana.Stat("Buffer use",
		"Records buffered waiting for Kafka, as a share of the buffer limit, on the fullest producer; at 100% produce calls block.",
		signals.ProducerBufferUse.Total().Legend("buffer"))
	ProducerRecordsPanel = grafana.TimeSeries("Records per second by topic",
		"Records acknowledged per second, by topic, against the configured target rate; the alert threshold is half the target.",
		signals.ProducerRecordRate.GroupBy("topic").Legend("{{topic}}"),
		signals.ProducerTargetSum.Total().Legend("target"))
	ProducerLatencyPanel = grafana.TimeSeries("Produce latency",
		"99th percentile and median of the time from produce call to acknowledgement.",
		signals.ProducerLatencyP99.Show().Legend("p99"),
		signals.ProducerLatencyP50.Total().Legend("p50"))
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
				signals.ProducerTargetSum.Total().Legend("target")),
			ProducerFailedRecordsPanel,
			ProducerBufferUsePanel,
			grafana.Stat("p99 produce latency", "99th percentile of the time from produce call to acknowledgement, slowest producer.",
				signals.ProducerLatencyP99.Max().Legend("p99")),
			grafana.Stat("Average record size", "Bytes per record sent, all topics.",
				signals.ProducerRecordSize.Total().Legend("size")),
		}},
		{Title: "Throughput", Panels: []*grafana.Panel{
			ProducerRecordsPanel,
			grafana.TimeSeries("Bytes per second by topic", "Record bytes sent per second, by topic.",
				signals.ProducerByteRate.GroupBy("topic").Legend("{{topic}}")),
			grafana.TimeSeries("Errors per second by topic", "Records that failed to produce per second, by topic.",
				signals.ProducerErrorRate.GroupBy("topic").Legend("{{topic}}")),
		}},
		{Title: "Buffering and latency", Panels: []*grafana.Panel{
			grafana.TimeSeries("Buffered records", "Records waiting in the client buffer, and the buffer's limit (MaxBufferedRecords).",
				signals.ProducerBuffered.GroupBy("instance").Legend("{{instance}} buffered"),
				signals.ProducerBufferLimit.GroupBy("instance").Legend("{{instance}} limit")),
			ProducerLatencyPanel,
			grafana.TimeSeries("Record size by topic",
				"Average bytes per record, by topic: with the linger and batch limits, what sets the batch size.",
				signals.ProducerRecordSize.GroupBy("topic").Legend("{{topic}}")),
		}},
		{Title: "Batching", Panels: []*grafana.Panel{
			grafana.TimeSeries("Records per batch",
				"Records in each batch the client sends, by topic: linger and batch size at work; a few records per batch means many small requests.",
				signals.ProducerRecordsPerBatch.GroupBy("topic").Legend("{{topic}}")),
			grafana.TimeSeries("Batch size", "Bytes of each batch before and after compression, by topic.",
				signals.ProducerBatchBytes.GroupBy("topic").Legend("{{topic}} uncompressed"),
				signals.ProducerBatchCompressedBytes.GroupBy("topic").Legend("{{topic}} compressed")),
			grafana.TimeSeries("Batches per second", "Batches sent per second, by broker.",
				signals.ProducerBatchRate.GroupBy("node_id").Legend("broker {{node_id}}")),
		}},
	},
}
