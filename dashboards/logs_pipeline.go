package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// The logging pipeline's health is a Prometheus board of its own, beside the Logs overview:
// a Grafana board has one datasource variable, and the Logs overview's is Elasticsearch.

// Panels of the logging-pipeline board that alerts link to.
var (
	ESReachablePanel = grafana.Stat("Elasticsearch answers",
		"1 when Elasticsearch answered its exporter's last request; at 0 nothing is indexed and its other panels go blank.",
		signals.ESReachable.Min().Legend("answers"))
	ESClusterRedPanel = grafana.Stat("Cluster red",
		"1 while a primary shard is unassigned: that index takes no documents, and Filebeat retries them until it does.",
		signals.ESClusterRed.Max().Legend("red"))
	ESClusterYellowPanel = grafana.Stat("Cluster yellow",
		"1 while a replica is unassigned. The stack runs one node: its templates ask for no replicas, so yellow means an index that does.",
		signals.ESClusterYellow.Max().Legend("yellow"))
	ESDiskPanel = grafana.TimeSeries("Data path free",
		"Bytes free on Elasticsearch's data path, against the high watermark (no new shard: tomorrow's daily index stays red) and the flood stage (indices read-only: documents refused), the dashed lines.",
		signals.ESDiskFree.Show().Legend("{{instance}} free"))
	ESDocsIndexedPanel = grafana.TimeSeries("Documents indexed by log index",
		"Log documents indexed per second into each log index (its daily indices summed). A line at 0 for an hour is ElasticsearchLogsStopped.",
		signals.ESDocsIndexed.Show().Legend("{{logs_index}}"))
	ESDocsRejectedPanel = grafana.TimeSeries("Documents rejected by log index",
		"Documents per second Elasticsearch refused into each log index: the strict mapping at work, each one a log event lost.",
		signals.ESDocsRejected.Show().Legend("{{logs_index}}"))
)

var logsPipeline = grafana.Board{
	Name: LogsPipeline, Folder: folderOps, Title: "Logging pipeline",
	Description: "Whether the logs get in: Elasticsearch answering, its cluster health, its disk against the watermarks, and the documents each log index takes and refuses.",
	Jobs:        []stack.Component{stack.ElasticsearchExporter},
	Rows: []grafana.Row{
		{Title: "Health", Panels: []*grafana.Panel{
			ESReachablePanel.Span(6),
			ESClusterRedPanel.Span(6),
			ESClusterYellowPanel.Span(6),
			grafana.Stat("Unassigned shards", "Shards no node holds.",
				signals.ESUnassignedShards.Total().Legend("unassigned")).Span(6),
		}},
		{Title: "Resources", Panels: []*grafana.Panel{
			ESDiskPanel.Span(12),
			grafana.TimeSeries("Heap used", "Share of the JVM heap Elasticsearch uses.",
				signals.ESHeapUsed.GroupBy("instance").Legend("{{instance}}")).Span(12),
		}},
		{Title: "Documents", Panels: []*grafana.Panel{
			ESDocsIndexedPanel.Span(12),
			ESDocsRejectedPanel.Span(12),
			grafana.TimeSeries("Documents per index", "Documents in each daily log index.",
				signals.ESDocuments.GroupBy("index").Legend("{{index}}")).Span(24),
		}},
	},
}
