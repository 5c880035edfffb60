//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
	"github.com/finobs/finobs/internal/topology"
)

func producer() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(Producer), "Producer",
		"The transaction producer (franz-go): what it sends, how fast, how much waits in its buffer, and how long Kafka takes to acknowledge.",
		[]topology.Component{topology.Producer}).
		WithRow(g.Row("Overview")).
		WithPanel(g.Stat("Records per second", "cps",
			"Records acknowledged by Kafka per second, all topics.",
			g.Prom(g.Sum("", g.Rate(catalog.ProducerRecords)), "records"))).
		WithPanel(g.Stat("Target rate", "cps",
			"Records per second the producer is configured to send.",
			g.Prom(g.Sum("", g.S(catalog.ProducerTargetRate)), "target"))).
		WithPanel(g.Stat("Error ratio", "percentunit",
			"Share of records that failed to produce.",
			g.Prom(g.Sum("", g.Rate(catalog.ProducerErrors))+" / ("+g.Sum("", g.Rate(catalog.ProducerRecords))+" + "+g.Sum("", g.Rate(catalog.ProducerErrors))+")", "errors"),
			g.Step{Color: "green"}, g.Step{Value: 0.001, Color: "orange"}, g.Step{Value: 0.01, Color: "red"})).
		WithPanel(g.Stat("Buffer use", "percentunit",
			"Records buffered waiting for Kafka, as a share of the buffer limit; at 100% produce calls block.",
			g.Prom(g.Sum("", g.S(catalog.ProducerBuffered))+" / "+g.Sum("", g.S(catalog.ProducerBufferMax)), "buffer"),
			g.Step{Color: "green"}, g.Step{Value: 0.5, Color: "orange"}, g.Step{Value: 0.9, Color: "red"})).
		WithPanel(g.Stat("p99 produce latency", "s",
			"99th percentile of the time from produce call to acknowledgement.",
			g.Prom(g.Quantile(0.99, catalog.ProducerLatency, ""), "p99"))).
		WithPanel(g.Stat("Average record size", "bytes",
			"Bytes per record sent, all topics.",
			g.Prom(g.Sum("", g.Rate(catalog.ProducerBytes))+" / "+g.Sum("", g.Rate(catalog.ProducerRecords)), "size"))).
		WithRow(g.Row("Throughput")).
		WithPanel(g.TimeSeries("Records per second by topic", "cps",
			"Records acknowledged per second, by topic, against the configured target rate.",
			g.Prom(g.Sum("topic", g.Rate(catalog.ProducerRecords)), "{{topic}}"),
			g.Prom(g.Sum("", g.S(catalog.ProducerTargetRate)), "target"))).
		WithPanel(g.TimeSeries("Bytes per second by topic", "Bps",
			"Record bytes sent per second, by topic.",
			g.Prom(g.Sum("topic", g.Rate(catalog.ProducerBytes)), "{{topic}}"))).
		WithPanel(g.TimeSeries("Errors per second by topic", "cps",
			"Records that failed to produce per second, by topic.",
			g.Prom(g.Sum("topic", g.Rate(catalog.ProducerErrors)), "{{topic}}"))).
		WithRow(g.Row("Buffering and latency")).
		WithPanel(g.TimeSeries("Buffered records", "short",
			"Records waiting in the client buffer, and the buffer's limit (MaxBufferedRecords).",
			g.Prom(g.Sum("instance", g.S(catalog.ProducerBuffered)), "{{instance}} buffered"),
			g.Prom(g.Max("instance", g.S(catalog.ProducerBufferMax)), "{{instance}} limit"))).
		WithPanel(g.TimeSeries("Produce latency", "s",
			"Median and 99th percentile of the time from produce call to acknowledgement.",
			g.Prom(g.Quantile(0.5, catalog.ProducerLatency, ""), "p50"),
			g.Prom(g.Quantile(0.99, catalog.ProducerLatency, ""), "p99"))).
		WithPanel(g.TimeSeries("Record size by topic", "bytes",
			"Average bytes per record, by topic: with the linger and batch limits, what sets the batch size.",
			g.Prom(g.Sum("topic", g.Rate(catalog.ProducerBytes))+" / "+g.Sum("topic", g.Rate(catalog.ProducerRecords)), "{{topic}}"))).
		WithRow(g.Row("Batching")).
		WithPanel(g.TimeSeries("Records per batch", "short",
			"Records in each batch the client sends, by topic: linger and batch size at work; a few records per batch means many small requests.",
			g.Prom(g.Sum("topic", g.Rate(catalog.KgoProduceRecords))+" / "+g.Sum("topic", g.Rate(catalog.KgoProduceBatches)), "{{topic}}"))).
		WithPanel(g.TimeSeries("Batch size", "bytes",
			"Bytes of each batch before and after compression, by topic.",
			g.Prom(g.Sum("topic", g.Rate(catalog.KgoProduceBytes))+" / "+g.Sum("topic", g.Rate(catalog.KgoProduceBatches)), "{{topic}} uncompressed"),
			g.Prom(g.Sum("topic", g.Rate(catalog.KgoProduceCompressedBytes))+" / "+g.Sum("topic", g.Rate(catalog.KgoProduceBatches)), "{{topic}} compressed"))).
		WithPanel(g.TimeSeries("Batches per second", "reqps",
			"Batches sent per second, by broker.",
			g.Prom(g.Sum("node_id", g.Rate(catalog.KgoProduceBatches)), "broker {{node_id}}")))
}
