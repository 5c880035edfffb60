package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

var pipeline = grafana.Board{
	Name: Pipeline, Folder: folderPipeline, Title: "Pipeline end to end",
	Description: "Transactions through every stage: produced, appended to Kafka, processed by Spark, aggregates written back; and how fresh the results are.",
	Jobs:        []stack.Component{stack.Producer, stack.KafkaBroker, stack.KafkaCombined, stack.StreamDriver, stack.SchemaRegistry},
	Rows: []grafana.Row{
		{Title: "Stages", Panels: []*grafana.Panel{
			grafana.Stat("Produced", "Transactions per second the producer got acknowledged.",
				signals.ProducerRecordRate.Total().Legend("produced")),
			grafana.Stat("In Kafka", "Transactions per second appended to the input topic.",
				signals.TransactionsIn.Total().Legend("in Kafka")),
			grafana.Stat("Read by Spark", "Records per second the streaming queries read: compare with In Kafka.",
				signals.StreamReadRate.Total().Legend("read")),
			grafana.Stat("Counted", "The share of the records read that the aggregates count: red when most are late, quarantined or dead letters, whatever flows in.",
				signals.StreamCountedShare.Total().Legend("counted")),
			grafana.Stat("Backlog", "Records waiting: in the producer's buffer plus in Kafka not yet read by Spark.",
				signals.PipelineBacklog.Total().Legend("backlog")),
			grafana.Stat("End-to-end freshness",
				"Wall clock minus the oldest streaming query's event-time watermark: how old the newest aggregates' data is. Below zero is impossible for right event times (records dated in the future moved the watermark): red.",
				signals.StreamWatermarkDelay.Max().Legend("freshness")),
		}},
		{Title: "Flow", Panels: []*grafana.Panel{
			grafana.TimeSeries("Records per second at each stage",
				"The same flow measured at each hop; a gap between two lines is where records pile up or get lost.",
				signals.ProducerRecordRate.Total().Legend("produced"),
				signals.TransactionsIn.Total().Legend("in Kafka"),
				signals.StreamReadRate.Total().Legend("read by Spark"),
				signals.StreamCountedRate.Total().Legend("counted")).Span(16),
			grafana.TimeSeries("Output topics", "Records per second written to each output topic.",
				signals.AggregatesOut.GroupBy("topic").Legend("{{topic}}")),
		}},
		{Title: "Freshness and backlog", Panels: []*grafana.Panel{
			grafana.TimeSeries("Freshness",
				"Watermark delay and time since the last progress report, worst query: the second one grows when a query is stuck.",
				signals.StreamWatermarkDelay.Max().Legend("watermark delay"),
				signals.StreamProgressAge.Total().Legend("since last progress")),
			grafana.TimeSeries("Backlog by stage", "Records in the producer's buffer and in Kafka ahead of Spark.",
				signals.ProducerBuffered.Total().Legend("producer buffer"),
				signals.StreamLagRecords.Total().Legend("Kafka, unread")),
			grafana.TimeSeries("Losses",
				"Records lost or set aside per second: produce errors, rows too late for the watermark, dead letters.",
				signals.ProducerErrorRate.Total().Legend("produce errors"),
				signals.StreamLateRowRate.Total().Legend("late rows"),
				signals.StreamDeadLetterRate.Total().Legend("dead letters")),
		}},
		registryRow,
	},
}
