package alerts

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Scrape targets of the logging-pipeline tests: the exporter, the node it reports and its
// data path, and two daily indices of one log index.
var (
	esExporter = rules.Target(stack.ElasticsearchExporter, "elasticsearch-exporter")
	esCluster  = esExporter.With(catalog.ESClusterLabel, "finobs")
	esDataPath = esCluster.With("host", "127.0.0.1").With("name", "elasticsearch").With("path", "/data/elasticsearch").With("mount", "/ (/dev/vda)")
	esKafkaDay = esCluster.With("index", "finobs-logs-kafka-2026.12.01")
	esKafkaIdx = map[string]string{"logs_index": "finobs-logs-kafka"}
)

// Alerts of the logging pipeline: Elasticsearch, as its exporter sees it.
var (
	ElasticsearchDown = rules.Alert{
		Name: "ElasticsearchDown", When: signals.ESDown, For: 2 * minute, Panel: dashboards.ESReachablePanel,
		Summary:     "Elasticsearch does not answer.",
		Description: "The exporter {{ $labels.instance }} gets no answer from Elasticsearch: no log is indexed, and its health alerts are blind.",
		Runbook: rules.Runbook{
			Meaning:    "The exporter's request for the cluster settings failed: the node is down, starting, or too busy to answer.",
			Impact:     "Filebeat cannot ship: it keeps its place in each file and retries, so logs arrive late, not lost, unless the files rotate away first. Every other Elasticsearch alert is blind meanwhile.",
			Diagnosis:  []string{"`make status` (local) shows whether elasticsearch runs; its log is .stack/logs/elasticsearch.log (and .stack/logs/elasticsearch/finobs.log).", "`curl -s 127.0.0.1:9200/_cluster/health` answers when the node is up."},
			Mitigation: []string{"Restart the node (`make up` starts what is down).", "If it dies at start, read its log: out of memory (its heap is 512 MB), a data path it cannot write, or a full disk."},
		},
		Tests: []rules.Test{
			{Name: "no answer", At: 5 * minute,
				Fires: []rules.Firing{{Labels: esExporter.Keep("instance"), Value: 0}}, Series: []rules.Series{
					esExporter.With("collector", "clustersettings").Series(catalog.ESScrapeSuccess, "1 1 0x8"),
				}},
			{Name: "answers", At: 5 * minute, Series: []rules.Series{
				esExporter.With("collector", "clustersettings").Series(catalog.ESScrapeSuccess, "1x10"),
			}},
		},
	}
	ElasticsearchClusterRed = rules.Alert{
		Name: "ElasticsearchClusterRed", When: signals.ClusterRed, For: 2 * minute, Panel: dashboards.ESClusterRedPanel,
		Summary:     "The Elasticsearch cluster is red.",
		Description: "Elasticsearch cluster {{ $labels.es_cluster }} is red: a primary shard is unassigned and its index takes no documents.",
		Runbook: rules.Runbook{
			Meaning:    "At least one primary shard has no node: a corrupt shard, a node that left, or a new daily index the disk watermark keeps from being allocated.",
			Impact:     "The documents of that index are refused; Filebeat retries them and falls behind on every source that writes there.",
			Diagnosis:  []string{"`GET _cluster/allocation/explain` names the shard and why it is unassigned.", "`GET _cat/indices?health=red` lists the red indices.", "Check the disk alerts: past the high watermark, no new daily index is allocated."},
			Mitigation: []string{"Free disk space (older daily indices: `DELETE finobs-logs-<name>-<date>`) if a watermark is the cause.", "Delete a red index whose data is lost anyway; the next document recreates it from its template."},
		},
		Tests: []rules.Test{
			{Name: "red", At: 5 * minute,
				Fires: []rules.Firing{{Labels: esCluster.Keep(catalog.ESClusterLabel), Value: 1}}, Series: []rules.Series{
					esCluster.With("color", "red").Series(catalog.ESClusterHealthStatus, "0 0 1x8"),
					esCluster.With("color", "green").Series(catalog.ESClusterHealthStatus, "1 1 0x8"),
				}},
			{Name: "green", At: 5 * minute, Series: []rules.Series{
				esCluster.With("color", "red").Series(catalog.ESClusterHealthStatus, "0x10"),
				esCluster.With("color", "green").Series(catalog.ESClusterHealthStatus, "1x10"),
			}},
		},
	}
	ElasticsearchClusterYellow = rules.Alert{
		Name: "ElasticsearchClusterYellow", When: signals.ClusterYellow, For: 10 * minute, Panel: dashboards.ESClusterYellowPanel,
		Summary:     "The Elasticsearch cluster is yellow.",
		Description: "Elasticsearch cluster {{ $labels.es_cluster }} has been yellow for 10 minutes: a replica shard is unassigned.",
		Runbook: rules.Runbook{
			Meaning:    "Every primary is assigned, some replica is not. The stack runs one node, where a replica can never be assigned: an index asks for replicas its template does not give it.",
			Impact:     "None for indexing today; the index has no copy, and a second node would be needed for one.",
			Diagnosis:  []string{"`GET _cat/indices?health=yellow&h=index,rep` shows the index and its replica count.", "Compare with the template in deploy/elasticsearch/index-templates: an index outside every template gets the default of one replica."},
			Mitigation: []string{"`PUT <index>/_settings {\"index.number_of_replicas\": 0}` on a one-node cluster, and fix the template or the index name that missed it."},
		},
		Tests: []rules.Test{
			{Name: "yellow for 10 minutes", At: 15 * minute,
				Fires: []rules.Firing{{Labels: esCluster.Keep(catalog.ESClusterLabel), Value: 1}}, Series: []rules.Series{
					esCluster.With("color", "yellow").Series(catalog.ESClusterHealthStatus, "0 0 1x15"),
				}},
			{Name: "yellow for a moment", At: 15 * minute, Series: []rules.Series{
				esCluster.With("color", "yellow").Series(catalog.ESClusterHealthStatus, "0 0 1 1 1 0x12"),
			}},
		},
	}
	ElasticsearchDiskHighWatermark = rules.Alert{
		Name: "ElasticsearchDiskHighWatermark", When: signals.ESDiskPastHighWatermark, For: 5 * minute, Panel: dashboards.ESDiskPanel,
		Summary:     "Elasticsearch's disk is past the high watermark.",
		Description: "{{ $labels.instance }}: {{ $value | humanize1024 }}B free on the data path, under the high watermark: no new shard is allocated, so the next daily index stays red.",
		Runbook: rules.Runbook{
			Meaning:    "Free space on the data path fell below cluster.routing.allocation.disk.watermark.high (the native stack sets it in bytes; a share of the disk elsewhere).",
			Impact:     "Today's indices keep taking documents; at midnight UTC the new daily indices cannot be allocated, the cluster goes red and logs stop.",
			Diagnosis:  []string{"`GET _cat/allocation?v` shows disk used per node.", "`GET _cat/indices/finobs-logs-*?s=store.size:desc` shows what takes the space."},
			Mitigation: []string{"Delete the oldest daily indices past their retention (no ILM runs on the native stack to do it).", "Free space on the disk, or give the node a larger data path."},
		},
		Tests: []rules.Test{
			{Name: "watermark set in bytes", At: 10 * minute,
				Fires: []rules.Firing{{Labels: esExporter.Keep("instance"), Value: 0.5e9}}, Series: []rules.Series{
					esDataPath.Series(catalog.ESFilesystemAvailable, "0.5e9x15"),
					esExporter.Series(catalog.ESWatermarkHighBytes, "1.073741824e9x15"),
					esDataPath.Series(catalog.ESFilesystemSize, "100e9x15"),
				}},
			{Name: "watermark set as a share", At: 10 * minute,
				Fires: []rules.Firing{{Labels: esExporter.Keep("instance"), Value: 5e9}}, Series: []rules.Series{
					esDataPath.Series(catalog.ESFilesystemAvailable, "5e9x15"),
					esExporter.Series(catalog.ESWatermarkHighRatio, "0.9x15"),
					esDataPath.Series(catalog.ESFilesystemSize, "100e9x15"),
				}},
			{Name: "room left", At: 10 * minute, Series: []rules.Series{
				esDataPath.Series(catalog.ESFilesystemAvailable, "20e9x15"),
				esExporter.Series(catalog.ESWatermarkHighRatio, "0.9x15"),
				esDataPath.Series(catalog.ESFilesystemSize, "100e9x15"),
			}},
		},
	}
	ElasticsearchDiskFloodStage = rules.Alert{
		Name: "ElasticsearchDiskFloodStage", When: signals.ESDiskPastFloodStage, For: minute, Panel: dashboards.ESDiskPanel,
		Summary:     "Elasticsearch's disk is past the flood stage: its indices are read-only.",
		Description: "{{ $labels.instance }}: {{ $value | humanize1024 }}B free on the data path, under the flood-stage watermark: every index on the node refuses documents.",
		Runbook: rules.Runbook{
			Meaning:    "Free space fell below cluster.routing.allocation.disk.watermark.flood_stage; Elasticsearch put an index.blocks.read_only_allow_delete block on the node's indices.",
			Impact:     "No log is indexed from any source. Filebeat retries and falls behind; what rotates away meanwhile is lost.",
			Diagnosis:  []string{"`GET _cat/allocation?v`; `GET _all/_settings/index.blocks*` shows the blocks."},
			Mitigation: []string{"Delete old daily indices (`DELETE finobs-logs-<name>-<date>`); Elasticsearch lifts the block itself once the disk is back under the high watermark."},
		},
		Tests: []rules.Test{
			{Name: "under the flood stage", At: 5 * minute,
				Fires: []rules.Firing{{Labels: esExporter.Keep("instance"), Value: 0.25e9}}, Series: []rules.Series{
					esDataPath.Series(catalog.ESFilesystemAvailable, "0.25e9x10"),
					esExporter.Series(catalog.ESWatermarkFloodBytes, "0.536870912e9x10"),
					esDataPath.Series(catalog.ESFilesystemSize, "100e9x10"),
				}},
			{Name: "above it", At: 5 * minute, Series: []rules.Series{
				esDataPath.Series(catalog.ESFilesystemAvailable, "0.8e9x10"),
				esExporter.Series(catalog.ESWatermarkFloodBytes, "0.536870912e9x10"),
				esDataPath.Series(catalog.ESFilesystemSize, "100e9x10"),
			}},
		},
	}
	ElasticsearchLogsStopped = rules.Alert{
		Name: "ElasticsearchLogsStopped", When: signals.NoDocuments, Panel: dashboards.ESDocsIndexedPanel,
		Summary:     "A log index has taken no document for an hour.",
		Description: "No document reached {{ $labels.logs_index }} in the last hour, though its sources logged there in the last day.",
		Runbook: rules.Runbook{
			Meaning:    "The index took documents in the last day, so its sources log, yet nothing was indexed into it for an hour: Filebeat stopped shipping these files, its documents are refused, or the sources went quiet.",
			Impact:     "The logs of those components are missing where people look for them.",
			Diagnosis:  []string{"Is Filebeat up? `make status`; its log is .stack/logs/filebeat.log (mapping errors and rejected events are logged there).", "Do the source files grow? (.stack/logs/<instance>.events.log for the JVMs, <instance>.log for the Go programs.)", "Check ElasticsearchDocumentsRejected and the cluster health."},
			Mitigation: []string{"Restart Filebeat (`make up`); it resumes from its registry.", "Fix the pipeline in pipelines/ if its documents are refused, regenerate, and restart Filebeat."},
		},
		Tests: []rules.Test{
			{Name: "nothing for an hour", At: 90 * minute,
				Fires: []rules.Firing{{Labels: esKafkaIdx, Value: 0}}, Series: []rules.Series{
					esKafkaDay.Series(catalog.ESIndexIndexed, "0+10x20 200x80"),
				}},
			{Name: "documents keep coming", At: 90 * minute, Series: []rules.Series{
				esKafkaDay.Series(catalog.ESIndexIndexed, "0+10x100"),
			}},
			{Name: "a quiet half hour", At: 90 * minute, Series: []rules.Series{
				esKafkaDay.Series(catalog.ESIndexIndexed, "0+10x60 600x30 610"),
			}},
			{Name: "an old index that took nothing for a day", At: 90 * minute, Series: []rules.Series{
				esCluster.With("index", "finobs-logs-kafka-2026.11.20").Series(catalog.ESIndexIndexed, "0x100"),
			}},
		},
	}
	ElasticsearchDocumentsRejected = rules.Alert{
		Name: "ElasticsearchDocumentsRejected", When: signals.DocumentsRejected, For: 5 * minute, Panel: dashboards.ESDocsRejectedPanel,
		Summary:     "Elasticsearch refuses log documents.",
		Description: "{{ $labels.logs_index }} refuses {{ $value | humanize }} documents per second: each one is a log event lost.",
		Runbook: rules.Runbook{
			Meaning:    "Index operations fail: with the strict mappings, a document carries a field its template does not map, or a value of the wrong type.",
			Impact:     "Filebeat drops a document Elasticsearch refuses as invalid: those events never arrive.",
			Diagnosis:  []string{"Filebeat logs each refusal with its reason: `grep -i 'Cannot index event' .stack/logs/filebeat.log`.", "Compare the field with the pipeline's declaration in pipelines/ and the template in deploy/elasticsearch/index-templates."},
			Mitigation: []string{"Declare the field (or fix its type) in pipelines/, add a golden line that has it, regenerate (`go run ./cmd/gen`) and restart the stack's Filebeat."},
		},
		Tests: []rules.Test{
			{Name: "documents refused", At: 10 * minute,
				Fires: []rules.Firing{{Labels: esKafkaIdx, Value: 0.1}}, Series: []rules.Series{
					esKafkaDay.Series(catalog.ESIndexFailed, "0+6x15"),
				}},
			{Name: "none refused", At: 10 * minute, Series: []rules.Series{
				esKafkaDay.Series(catalog.ESIndexFailed, "3x15"),
			}},
		},
	}
)

// Elasticsearch: the logging pipeline's store.
var Elasticsearch = rules.Group{
	Name:      "elasticsearch",
	Component: "logging",
	Alerts: []rules.Alert{
		ElasticsearchDown, ElasticsearchClusterRed, ElasticsearchClusterYellow,
		ElasticsearchDiskHighWatermark, ElasticsearchDiskFloodStage,
		ElasticsearchLogsStopped, ElasticsearchDocumentsRejected,
	},
}
