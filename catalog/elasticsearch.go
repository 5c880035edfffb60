package catalog

import (
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/stack"
)

// esExporter is prometheus-community's elasticsearch_exporter, run with --es.indices and
// --collector.clustersettings.
var esExporter = []stack.Component{stack.ElasticsearchExporter}

// Labels of the exporter's node-level series (the node's own, beside the exporter's job and
// instance) and of its per-index series. es_cluster is the Elasticsearch cluster's name,
// which the exporter calls cluster: Prometheus keeps that as exported_cluster beside the
// target's own cluster label, and the job renames it (LabelRenames).
var (
	esNodeLabels  = []string{ESClusterLabel, "host", "name"}
	esFSLabels    = []string{ESClusterLabel, "host", "name", "path", "mount"}
	esIndexLabels = []string{ESClusterLabel, "index"}
)

// ESClusterLabel is the Elasticsearch cluster's name on the exporter's series.
const ESClusterLabel = "es_cluster"

// LabelRenames are the labels a job renames: the exporter's own cluster label, which the
// target's cluster label (promql.ClusterLabel) displaces to exported_<name>.
func LabelRenames() map[stack.Component]map[string]string {
	return map[stack.Component]map[string]string{
		stack.ElasticsearchExporter: {"exported_" + promql.ClusterLabel: ESClusterLabel},
	}
}

// The logging pipeline's Elasticsearch, as its exporter reports it.
var (
	ESClusterHealthStatus = declare(&metric.Metric{
		Name: "elasticsearch_cluster_health_status", Type: metric.Gauge, Exporter: esExporter, Labels: []string{ESClusterLabel, "color"},
		Help: "1 for the cluster's health colour (green, yellow, red), 0 for the other two.",
	})
	ESUnassignedShards = declare(&metric.Metric{
		Name: "elasticsearch_cluster_health_unassigned_shards", Type: metric.Gauge, Exporter: esExporter, Labels: []string{ESClusterLabel},
		Help: "Shards no node holds: a primary among them makes the cluster red.",
	})
	// ESScrapeSuccess is 0 when a collector's last request to Elasticsearch failed; the
	// cluster-settings collector asks on every scrape, so it tells whether ES answers.
	ESScrapeSuccess = declare(&metric.Metric{
		Name: "elasticsearch_scrape_success", Type: metric.Gauge, Exporter: esExporter, Labels: []string{"collector"},
		Help: "1 when the collector's last request to Elasticsearch succeeded.",
	})
	ESFilesystemAvailable = declare(&metric.Metric{
		Name: "elasticsearch_filesystem_data_available_bytes", Type: metric.Gauge, Exporter: esExporter, Labels: esFSLabels,
		Help: "Bytes available to Elasticsearch on each data path.",
	})
	ESFilesystemSize = declare(&metric.Metric{
		Name: "elasticsearch_filesystem_data_size_bytes", Type: metric.Gauge, Exporter: esExporter, Labels: esFSLabels,
		Help: "Size of the file system of each data path.",
	})
	// The disk watermarks in force. The exporter exports a watermark in the form it is set
	// in: bytes (the native stack sets them so) or a share of the disk (Elasticsearch's
	// default), never both.
	ESWatermarkHighBytes = declare(&metric.Metric{
		Name: "elasticsearch_clustersettings_allocation_watermark_high_bytes", Type: metric.Gauge, Exporter: esExporter,
		Help: "High disk watermark set in bytes free: below it no shard is allocated to the node.", Presence: metric.OnDemand,
	})
	ESWatermarkHighRatio = declare(&metric.Metric{
		Name: "elasticsearch_clustersettings_allocation_watermark_high_ratio", Type: metric.Gauge, Exporter: esExporter,
		Help: "High disk watermark set as the share of the disk used.", Presence: metric.OnDemand,
	})
	ESWatermarkFloodBytes = declare(&metric.Metric{
		Name: "elasticsearch_clustersettings_allocation_watermark_flood_stage_bytes", Type: metric.Gauge, Exporter: esExporter,
		Help: "Flood-stage disk watermark set in bytes free: below it the node's indices are made read-only.", Presence: metric.OnDemand,
	})
	ESWatermarkFloodRatio = declare(&metric.Metric{
		Name: "elasticsearch_clustersettings_allocation_watermark_flood_stage_ratio", Type: metric.Gauge, Exporter: esExporter,
		Help: "Flood-stage disk watermark set as the share of the disk used.", Presence: metric.OnDemand,
	})
	ESJVMMemoryUsed = declare(&metric.Metric{
		Name: "elasticsearch_jvm_memory_used_bytes", Type: metric.Gauge, Exporter: esExporter, Labels: append([]string{"area"}, esNodeLabels...),
		Help: "JVM memory used, by area (heap, non-heap).",
	})
	ESJVMMemoryMax = declare(&metric.Metric{
		Name: "elasticsearch_jvm_memory_max_bytes", Type: metric.Gauge, Exporter: esExporter, Labels: append([]string{"area"}, esNodeLabels...),
		Help: "JVM memory the node may use, by area.",
	})
	ESIndexDocs = declare(&metric.Metric{
		Name: "elasticsearch_indices_docs_primary", Type: metric.Gauge, Exporter: esExporter, Labels: esIndexLabels,
		Help: "Documents in each index (primary shards).",
	})
	// ESIndexStoreSize is what the capacity planner measures bytes per log event by.
	ESIndexStoreSize = declare(&metric.Metric{
		Name: "elasticsearch_indices_store_size_bytes_primary", Type: metric.Gauge, Exporter: esExporter, Labels: esIndexLabels,
		Help: "Bytes on disk of each index's primary shards.",
	})
	ESIndexIndexed = declare(&metric.Metric{
		Name: "elasticsearch_index_stats_indexing_index_total", Type: metric.Counter, Exporter: esExporter, Labels: esIndexLabels,
		Help: "Documents indexed into each index since its shards started.",
	})
	// ESIndexFailed counts rejected documents: with strict mappings, a document with a field
	// the mapping lacks or of the wrong type is rejected here and lost.
	ESIndexFailed = declare(&metric.Metric{
		Name: "elasticsearch_index_stats_indexing_index_failed_total", Type: metric.Counter, Exporter: esExporter, Labels: esIndexLabels,
		Help: "Index operations that failed on each index (mapping rejections among them).",
	})
)
