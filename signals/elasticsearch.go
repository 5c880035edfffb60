package signals

import (
	"strings"
	"time"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pipelines"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
)

// The logging pipeline's Elasticsearch, through its exporter.
var (
	ESReachable = &signal.Signal{
		Name:        "reachable",
		Description: "1 when Elasticsearch answered its exporter's last request (the cluster settings, asked on every scrape), 0 when it did not.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"instance"},
		Expr: promql.Min(promql.Select(catalog.ESScrapeSuccess, promql.Eq("collector", "clustersettings")), promql.Grouped),
	}
	ESDown = ESReachable.EqualTo(signal.Critical, 0)

	ESClusterRed = &signal.Signal{
		Name:        "cluster red",
		Description: "1 while the cluster is red: a primary shard has no node, and its index takes no documents.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{catalog.ESClusterLabel},
		Expr: promql.Max(promql.Select(catalog.ESClusterHealthStatus, promql.Eq("color", "red")), promql.Grouped),
	}
	ClusterRed = ESClusterRed.Above(signal.Critical, 0)

	ESClusterYellow = &signal.Signal{
		Name:        "cluster yellow",
		Description: "1 while the cluster is yellow: every primary shard is assigned, some replica is not.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{catalog.ESClusterLabel},
		Expr: promql.Max(promql.Select(catalog.ESClusterHealthStatus, promql.Eq("color", "yellow")), promql.Grouped),
	}
	ClusterYellow = ESClusterYellow.Above(signal.Warning, 0)
)

// The disk of Elasticsearch's data path against the watermarks it enforces.
var (
	ESDiskFree = &signal.Signal{
		Name:        "disk free",
		Description: "Bytes free on Elasticsearch's fullest data path.",
		Unit:        signal.Bytes,
		By:          []string{"instance"},
		Expr:        promql.Min(promql.Select(catalog.ESFilesystemAvailable), promql.Grouped),
	}
	ESHighWatermark = &signal.Signal{
		Name:        "high watermark",
		Description: "Bytes free below which Elasticsearch allocates no shard to the node (a new daily index stays red).",
		Unit:        signal.Bytes,
		By:          []string{"instance"},
		Expr:        watermarkFree(catalog.ESWatermarkHighBytes, catalog.ESWatermarkHighRatio),
	}
	ESFloodStage = &signal.Signal{
		Name:        "flood-stage watermark",
		Description: "Bytes free below which Elasticsearch makes the node's indices read-only: Filebeat's documents are refused.",
		Unit:        signal.Bytes,
		By:          []string{"instance"},
		Expr:        watermarkFree(catalog.ESWatermarkFloodBytes, catalog.ESWatermarkFloodRatio),
	}
	ESDiskPastHighWatermark = ESDiskFree.BelowSignal(signal.Warning, 1, ESHighWatermark)
	ESDiskPastFloodStage    = ESDiskFree.BelowSignal(signal.Critical, 1, ESFloodStage)
)

// Elasticsearch's shards, heap and documents as the logging-pipeline board shows them; no
// alert fires on these.
var (
	ESUnassignedShards = &signal.Signal{
		Name:        "unassigned shards",
		Description: "Shards no node holds.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Max(promql.Select(catalog.ESUnassignedShards), promql.Grouped),
	}
	ESHeapUsed = &signal.Signal{
		Name:        "heap used",
		Description: "Share of its JVM heap Elasticsearch uses.",
		Unit:        signal.Ratio,
		Expr: promql.Sum(promql.Select(catalog.ESJVMMemoryUsed, promql.Eq("area", "heap")), promql.Grouped).Div(
			promql.Sum(promql.Select(catalog.ESJVMMemoryMax, promql.Eq("area", "heap")), promql.Grouped)),
	}
	ESDocuments = &signal.Signal{
		Name:        "documents",
		Description: "Documents in each index.",
		Unit:        signal.Count,
		Expr:        promql.Sum(promql.Select(catalog.ESIndexDocs), promql.Grouped),
	}
)

// watermarkFree is a watermark as bytes free, in whichever form it is set: bytes as they
// are, a share of the disk used as the free bytes it leaves on the data path. (A share
// leaves at most max_headroom free on a large disk, which the exporter does not report:
// the threshold errs early there.)
func watermarkFree(bytes, ratio *metric.Metric) promql.Expr {
	return promql.Max(promql.Select(bytes), promql.Grouped).Or(
		promql.Num(1).Sub(promql.Max(promql.Select(ratio), promql.Grouped)).Mul(
			promql.Max(promql.Select(catalog.ESFilesystemSize), promql.Grouped)))
}

// Documents of the log indices, by index: the daily indices of one index (kafka, spark,
// pipeline, monitoring) count as one, labelled logs_index.
var (
	// logIndices selects the daily indices the log pipelines write.
	logIndices = promql.Re("index", logIndexRE())

	ESDocsIndexed = &signal.Signal{
		Name:        "documents indexed",
		Description: "Log documents indexed per second into each log index.",
		Unit:        signal.PerSecond, Resolution: 0.001,
		By:   []string{"logs_index"},
		Expr: byLogIndex(promql.Rate(promql.Select(catalog.ESIndexIndexed, logIndices), window)),
	}
	// NoDocuments: a log index whose sources log took nothing for an hour. That they log is
	// that documents came in during the last day (an old daily index that took none, from a
	// stack that ran last week, says nothing).
	NoDocuments = ESDocsIndexed.EqualTo(signal.Warning, 0).Over(time.Hour).AndExpr(
		byLogIndex(promql.Increase(promql.Select(catalog.ESIndexIndexed, logIndices), 24*time.Hour)).GT(promql.Num(0)))

	ESDocsRejected = &signal.Signal{
		Name:        "documents rejected",
		Description: "Log documents per second Elasticsearch refused, by log index: with strict mappings, a field the mapping lacks or of the wrong type; the document is lost.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		By:   []string{"logs_index"},
		Expr: byLogIndex(promql.Rate(promql.Select(catalog.ESIndexFailed, logIndices), window)),
	}
	DocumentsRejected = ESDocsRejected.Above(signal.Warning, 0)
)

// byLogIndex sums per-index series into their log index (the daily suffix cut off).
func byLogIndex(e promql.Expr) promql.Expr {
	return promql.Sum(promql.LabelReplace(e, "logs_index", "$1", "index", `(.+)-\d{4}\.\d{2}\.\d{2}`), promql.Grouped)
}

// logIndexRE matches the daily indices of every declared log index.
func logIndexRE() string {
	var names []string
	for _, ix := range pipelines.Set().Indices {
		names = append(names, ix.Name)
	}
	return "(" + strings.Join(names, "|") + `)-\d{4}\.\d{2}\.\d{2}`
}
