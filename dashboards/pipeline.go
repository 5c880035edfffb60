package dashboards

import (
	"regexp"
	"strings"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/signals"
	"github.com/finobs/finobs/topics"
	"github.com/finobs/finobs/topology"
)

// outputTopics matches the topics the streaming job writes results to.
var outputTopics = promql.Re("topic", anyOfTopics(topics.Outputs))

// Pipeline signals that no alert fires on.
var (
	outputsIn = &signal.Signal{Name: "aggregates out", Unit: signal.PerSecond,
		Expr: promql.Sum(promql.Rate(promql.Select(catalog.KafkaMessagesIn, outputTopics), promql.Window), promql.Grouped)}
	pipelineBacklog = &signal.Signal{Name: "backlog", Unit: signal.Count,
		Expr: promql.Sum(promql.Select(catalog.ProducerBuffered)).Add(promql.Sum(promql.Select(catalog.StreamOffsetsBehind)))}
)

var pipeline = grafana.Board{
	Name: Pipeline, Folder: folderPipeline, Title: "Pipeline end to end",
	Description: "Transactions through every stage: produced, appended to Kafka, processed by Spark, aggregates written back; and how fresh the results are.",
	Jobs:        []topology.Component{topology.Producer, topology.KafkaBroker, topology.KafkaCombined, topology.StreamDriver, topology.SchemaRegistry},
	Rows: []grafana.Row{
		{Title: "Stages", Panels: []*grafana.Panel{
			grafana.Stat("Produced", "Transactions per second the producer got acknowledged.",
				signals.ProducerRecordRate.Total().Legend("produced")),
			grafana.Stat("In Kafka", "Transactions per second appended to the input topic.",
				signals.TransactionsIn.Total().Legend("in Kafka")),
			grafana.Stat("Processed", "Rows per second Spark processed, all queries.",
				processedNow.Total().Legend("processed")),
			grafana.Stat("Aggregates out", "Records per second written to the output topics (aggregates, anomalies).",
				outputsIn.Total().Legend("out")),
			grafana.Stat("Backlog", "Records waiting: in the producer's buffer plus in Kafka not yet read by Spark.",
				pipelineBacklog.Total().Legend("backlog")),
			grafana.Stat("End-to-end freshness",
				"Wall clock minus the oldest streaming query's event-time watermark: how old the newest aggregates' data is.",
				signals.StreamWatermarkDelay.Max().Legend("freshness")),
		}},
		{Title: "Flow", Panels: []*grafana.Panel{
			grafana.TimeSeries("Records per second at each stage",
				"The same flow measured at each hop; a gap between two lines is where records pile up or get lost.",
				signals.ProducerRecordRate.Total().Legend("produced"),
				signals.TransactionsIn.Total().Legend("in Kafka"),
				inputNow.Total().Legend("read by Spark"),
				processedNow.Total().Legend("processed"),
				outputsIn.Total().Legend("aggregates out")).Span(16),
			grafana.TimeSeries("Output topics", "Records per second written to each output topic.",
				outputsIn.GroupBy("topic").Legend("{{topic}}")),
		}},
		{Title: "Freshness and backlog", Panels: []*grafana.Panel{
			grafana.TimeSeries("Freshness",
				"Watermark delay and time since the last progress report, worst query: the second one grows when a query is stuck.",
				signals.StreamWatermarkDelay.Max().Legend("watermark delay"),
				signals.StreamProgressAge.Total().Legend("since last progress")),
			grafana.TimeSeries("Backlog by stage", "Records in the producer's buffer and in Kafka ahead of Spark.",
				signals.ProducerBuffered.Total().Legend("producer buffer"),
				streamOffsetsBehind.Total().Legend("Kafka, unread")),
			grafana.TimeSeries("Losses",
				"Records lost or set aside per second: produce errors, rows too late for the watermark, dead letters.",
				signals.ProducerErrorRate.Total().Legend("produce errors"),
				signals.StreamLateRowRate.Total().Legend("late rows"),
				signals.StreamDeadLetterRate.Total().Legend("dead letters")),
		}},
		registryRow,
	},
}

// anyOfTopics is a regular expression matching exactly the given topic names.
func anyOfTopics(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(out, "|")
}
