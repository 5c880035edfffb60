//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

// Topics of the data pipeline (the producer's and the streaming job's defaults), as the
// Kafka topic label matches them.
const (
	transactionsTopic = "financial_transactions"
	aggregatesTopic   = "merchant_aggregates"
	anomaliesTopic    = "transaction_anomalies"

	inputTopic   = `topic="` + transactionsTopic + `"`
	outputTopics = `topic=~"` + aggregatesTopic + `|` + anomaliesTopic + `"`
)

func pipeline() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(Pipeline), "Pipeline end to end",
		"Transactions through every stage: produced, appended to Kafka, processed by Spark, aggregates written back; and how fresh the results are.",
		[]topology.Component{topology.Producer, topology.KafkaBroker, topology.KafkaCombined, topology.StreamDriver}).
		WithRow(g.Row("Stages")).
		WithPanel(g.Stat("Produced", "cps",
			"Transactions per second the producer got acknowledged.",
			g.Prom(g.Sum("", g.Rate(catalog.ProducerRecords)), "produced"))).
		WithPanel(g.Stat("In Kafka", "cps",
			"Transactions per second appended to the input topic.",
			g.Prom(g.Sum("", g.Rate(catalog.KafkaMessagesIn, inputTopic)), "in Kafka"))).
		WithPanel(g.Stat("Processed", "cps",
			"Rows per second Spark processed, all queries.",
			g.Prom(g.Sum("", g.S(catalog.StreamProcessedRate)), "processed"))).
		WithPanel(g.Stat("Aggregates out", "cps",
			"Records per second written to the output topics (aggregates, anomalies).",
			g.Prom(g.Sum("", g.Rate(catalog.KafkaMessagesIn, outputTopics)), "out"))).
		WithPanel(g.Stat("Backlog", "short",
			"Records waiting: in the producer's buffer plus in Kafka not yet read by Spark.",
			g.Prom(g.Sum("", g.S(catalog.ProducerBuffered))+" + "+g.Sum("", g.S(catalog.StreamOffsetsBehind)), "backlog"))).
		WithPanel(g.Stat("End-to-end freshness", "s",
			"Wall clock minus the oldest streaming query's event-time watermark: how old the newest aggregates' data is.",
			g.Prom("time() - "+g.Min("", g.S(catalog.StreamWatermark)), "freshness"),
			g.Step{Color: "green"}, g.Step{Value: 300, Color: "orange"}, g.Step{Value: 900, Color: "red"})).
		WithRow(g.Row("Flow")).
		WithPanel(g.TimeSeries("Records per second at each stage", "cps",
			"The same flow measured at each hop; a gap between two lines is where records pile up or get lost.",
			g.Prom(g.Sum("", g.Rate(catalog.ProducerRecords)), "produced"),
			g.Prom(g.Sum("", g.Rate(catalog.KafkaMessagesIn, inputTopic)), "in Kafka"),
			g.Prom(g.Sum("", g.S(catalog.StreamInputRate)), "read by Spark"),
			g.Prom(g.Sum("", g.S(catalog.StreamProcessedRate)), "processed"),
			g.Prom(g.Sum("", g.Rate(catalog.KafkaMessagesIn, outputTopics)), "aggregates out")).Span(16)).
		WithPanel(g.TimeSeries("Output topics", "cps",
			"Records per second written to each output topic.",
			g.Prom(g.Sum("topic", g.Rate(catalog.KafkaMessagesIn, outputTopics)), "{{topic}}"))).
		WithRow(g.Row("Freshness and backlog")).
		WithPanel(g.TimeSeries("Freshness", "s",
			"Watermark delay and time since the last progress report, worst query: the second one grows when a query is stuck.",
			g.Prom("time() - "+g.Min("", g.S(catalog.StreamWatermark)), "watermark delay"),
			g.Prom("time() - "+g.Min("", g.S(catalog.StreamLastProgress)), "since last progress"))).
		WithPanel(g.TimeSeries("Backlog by stage", "short",
			"Records in the producer's buffer and in Kafka ahead of Spark.",
			g.Prom(g.Sum("", g.S(catalog.ProducerBuffered)), "producer buffer"),
			g.Prom(g.Sum("", g.S(catalog.StreamOffsetsBehind)), "Kafka, unread"))).
		WithPanel(g.TimeSeries("Losses", "cps",
			"Records lost or set aside per second: produce errors, rows too late for the watermark, dead letters.",
			g.Prom(g.Sum("", g.Rate(catalog.ProducerErrors)), "produce errors"),
			g.Prom(g.Sum("", g.Rate(catalog.StreamLateRows)), "late rows"),
			g.Prom(g.Sum("", g.Rate(catalog.StreamDeadLetters)), "dead letters")))
}
