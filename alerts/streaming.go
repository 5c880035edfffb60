//go:build legacy

package alerts

import (
	"github.com/finobs/finobs/dashboards"
	. "github.com/finobs/finobs/internal/catalog"
	. "github.com/finobs/finobs/internal/rules"
)

const streamLabels = `job="stream-driver",instance="stream-driver",query="transactions"`

// Streaming: the Structured Streaming queries, seen through the stream driver's progress
// metrics. Streaming commits no consumer-group offsets: lag comes from offsets behind latest.
var Streaming = Group{
	Name:      "spark-streaming",
	Component: "spark",
	Recording: []Recording{
		{Record: "query:finobs_stream_offsets_behind_latest:sum", Expr: q(`sum by (query) (%s)`, StreamOffsetsBehind)},
		{Record: "query:finobs_stream_input_rows:rate5m", Expr: q(`sum by (query) (rate(%s[5m]))`, StreamInputRows)},
	},
	Alerts: []Alert{
		{
			Name: "StreamQueryDown", Panel: ShownOn(dashboards.SparkStream, "Queries up"), Severity: Critical, For: minute,
			Expr:        q(`%s == 0`, StreamQueryUp),
			Summary:     "A streaming query has stopped.",
			Description: "Query {{ $labels.query }} is not active: no aggregates or anomalies are produced.",
			Runbook: Runbook{
				Meaning:    "The Spark Connect server reports the query as stopped or failed.",
				Impact:     "Merchant aggregates and anomaly alerts stop; input accumulates in Kafka (offsets behind latest grow).",
				Diagnosis:  []string{"Read the stream driver's log for the query's exception.", "Check the Spark Connect server log and the checkpoint directory (permissions, space)."},
				Mitigation: []string{"Restart `cmd/stream`; it resumes from the checkpoint without loss or double counting."},
			},
			Tests: []Test{
				Fires("the query stops", 5*minute, L("job", "stream-driver", "instance", "stream-driver", "query", "transactions"), 0,
					in(StreamQueryUp, streamLabels, "1 1 0x8")),
				Quiet("the query runs", 5*minute, in(StreamQueryUp, streamLabels, "1x10")),
			},
		},
		{
			Name: "StreamFallingBehind", Panel: ShownOn(dashboards.SparkStream, "Input vs processing rate"), Severity: Warning, For: 10 * minute,
			Expr:        q(`avg_over_time(%s[10m]) < 0.9 * avg_over_time(%s[10m])`, StreamProcessedRate, StreamInputRate),
			Summary:     "A streaming query processes slower than its input arrives.",
			Description: "Query {{ $labels.query }} processes {{ $value | humanize }} rows/s, less than 90% of its input rate.",
			Runbook: Runbook{
				Meaning:    "Over ten minutes, the rows processed per second stayed below the rows arriving per second.",
				Impact:     "Lag grows; aggregates arrive later and later (freshness drops).",
				Diagnosis:  []string{"Check batch duration against the trigger and offsets behind latest.", "Check executor CPU and shuffle partitions (too many tiny tasks is a common cause)."},
				Mitigation: []string{"Give the job more cores or executors; size spark.sql.shuffle.partitions to the cores; cap maxOffsetsPerTrigger to keep batches even."},
			},
			Tests: []Test{
				Fires("half the input rate", 25*minute, L("job", "stream-driver", "instance", "stream-driver", "query", "transactions"), 1000,
					in(StreamProcessedRate, streamLabels, "1000x30"),
					in(StreamInputRate, streamLabels, "2000x30")),
				Quiet("keeping up", 25*minute,
					in(StreamProcessedRate, streamLabels, "5000x30"),
					in(StreamInputRate, streamLabels, "2000x30")),
			},
		},
		{
			Name: "StreamBatchSlowerThanTrigger", Panel: ShownOn(dashboards.SparkStream, "Batch duration vs trigger"), Severity: Warning, For: 10 * minute,
			Expr:        q(`%s > %s`, StreamBatchDuration, StreamTriggerInterval),
			Summary:     "Micro-batches take longer than the trigger interval.",
			Description: "Batches of {{ $labels.query }} take {{ $value | humanizeDuration }}, longer than its trigger.",
			Runbook: Runbook{
				Meaning:    "Each micro-batch runs past the next trigger, so batches run back to back and grow.",
				Impact:     "Latency rises with every batch; end-to-end freshness degrades.",
				Diagnosis:  []string{"Check the state size (`finobs_stream_state_rows`) and the input per batch."},
				Mitigation: []string{"Lengthen the trigger, cap maxOffsetsPerTrigger, or add executor cores."},
			},
			Tests: []Test{
				Fires("15s batches on a 10s trigger", 15*minute, L("job", "stream-driver", "instance", "stream-driver", "query", "transactions"), 15,
					in(StreamBatchDuration, streamLabels, "15x20"),
					in(StreamTriggerInterval, streamLabels, "10x20")),
				Quiet("2s batches on a 10s trigger", 15*minute,
					in(StreamBatchDuration, streamLabels, "2x20"),
					in(StreamTriggerInterval, streamLabels, "10x20")),
			},
		},
		{
			Name: "StreamWatermarkLagging", Panel: ShownOn(dashboards.SparkStream, "Watermark delay by query"), Severity: Warning, For: 10 * minute,
			Expr:        q(`time() - %s > 600 and %s > 0`, StreamWatermark, StreamWatermark),
			Summary:     "A streaming query's event-time watermark lags far behind now.",
			Description: "The watermark of {{ $labels.query }} is {{ $value | humanizeDuration }} behind the wall clock.",
			Runbook: Runbook{
				Meaning:    "The watermark (max event time minus the allowed delay) is more than ten minutes old.",
				Impact:     "Windows close late, so aggregates are late; or producers send old event times (check the epoch unit: seconds vs milliseconds).",
				Diagnosis:  []string{"Compare the producer's transactionTime with the wall clock.", "Check whether the query falls behind (`StreamFallingBehind`)."},
				Mitigation: []string{"Fix the producer's clock or time unit; let the query catch up."},
			},
			Tests: []Test{
				Fires("watermark stuck at one minute past epoch", 25*minute, L("job", "stream-driver", "instance", "stream-driver", "query", "transactions"), 1440,
					in(StreamWatermark, streamLabels, "60x30")),
				Quiet("watermark follows the clock", 25*minute,
					in(StreamWatermark, streamLabels, "0+60x30")),
			},
		},
		{
			Name: "StreamQueryStalled", Panel: ShownOn(dashboards.SparkStream, "Rows read"), Severity: Critical, For: 5 * minute,
			Expr: q(`sum by (query) (increase(%s[5m])) == 0 and on () sum(rate(%s{topic="%s"}[5m])) > 0`,
				StreamInputRows, KafkaMessagesIn, TransactionsTopic),
			Summary:     "A streaming query reads nothing while its topic receives records.",
			Description: "Query {{ $labels.query }} read no rows in 5 minutes although topic " + TransactionsTopic + " keeps receiving.",
			Runbook: Runbook{
				Meaning:    "Records arrive in Kafka but the query's input stays flat: it is hung, or reading the wrong topic or offsets.",
				Impact:     "No aggregates; lag grows without bound.",
				Diagnosis:  []string{"Check `finobs_stream_query_up` and the last progress time.", "Check the Spark Connect server for stuck tasks (thread dump of the executor)."},
				Mitigation: []string{"Stop and restart the query from its checkpoint (`cmd/stream`)."},
			},
			Tests: []Test{
				Fires("input flat, topic busy", 15*minute, L("query", "transactions"), 0,
					in(StreamInputRows, streamLabels, "100x20"),
					in(KafkaMessagesIn, `job="kafka-combined",instance="kafka-1",topic="financial_transactions"`, "0+600x20")),
				Quiet("input follows the topic", 15*minute,
					in(StreamInputRows, streamLabels, "0+600x20"),
					in(KafkaMessagesIn, `job="kafka-combined",instance="kafka-1",topic="financial_transactions"`, "0+600x20")),
			},
		},
		{
			Name: "StreamNoInput", Panel: ShownOn(dashboards.SparkStream, "Rows read"), Severity: Warning, For: 10 * minute,
			Expr:        q(`sum by (query) (increase(%s[10m])) == 0 and on (query) %s == 1`, StreamInputRows, StreamQueryUp),
			Summary:     "A running streaming query has had no input for ten minutes.",
			Description: "Query {{ $labels.query }} is active but read no rows in 10 minutes: is the producer running?",
			Runbook: Runbook{
				Meaning:    "The query runs, but nothing arrives on its topic.",
				Impact:     "No transactions are processed; dashboards go flat.",
				Diagnosis:  []string{"Check the producer (`ProducerThroughputCollapsed`, `up{job=\"producer\"}`) and the topic's messages in."},
				Mitigation: []string{"Restart the producer or fix its connection to Kafka."},
			},
			Tests: []Test{
				Fires("no input", 25*minute, L("query", "transactions"), 0,
					in(StreamInputRows, streamLabels, "100x30"),
					in(StreamQueryUp, streamLabels, "1x30")),
				Quiet("input flows", 25*minute,
					in(StreamInputRows, streamLabels, "0+100x30"),
					in(StreamQueryUp, streamLabels, "1x30")),
			},
		},
		{
			Name: "StreamStateGrowing", Panel: ShownOn(dashboards.SparkStream, "State rows"), Severity: Warning, For: 15 * minute,
			Expr:        q(`%s > 2 * (%s offset 30m) and %s > 100000`, StreamStateRows, StreamStateRows, StreamStateRows),
			Summary:     "Streaming state keeps growing.",
			Description: "State of {{ $labels.query }} holds {{ $value | humanize }} rows, more than twice as many as 30 minutes ago.",
			Runbook: Runbook{
				Meaning:    "The state store more than doubled in half an hour: windows are not being evicted.",
				Impact:     "Memory and checkpoint size grow until the executors fail.",
				Diagnosis:  []string{"Check the watermark (`StreamWatermarkLagging`): without a moving watermark, state is never dropped.", "Check the number of distinct keys (merchants)."},
				Mitigation: []string{"Fix the event time or watermark; shorten the window or the allowed lateness."},
			},
			Tests: []Test{
				Fires("state grows linearly from zero", 50*minute, L("job", "stream-driver", "instance", "stream-driver", "query", "transactions"), 1e6,
					in(StreamStateRows, streamLabels, "0+20000x60")),
				Quiet("state steady", 50*minute, in(StreamStateRows, streamLabels, "500000x60")),
			},
		},
		{
			Name: "StreamDeadLetters", Panel: ShownOn(dashboards.SparkStream, "Late and dead-letter rows"), Severity: Warning, For: 5 * minute,
			Expr:        q(`sum by (query) (rate(%s[5m])) > 0`, StreamDeadLetters),
			Summary:     "Malformed transactions are being sent to the dead-letter topic.",
			Description: "Query {{ $labels.query }} dead-letters {{ $value | humanize }} rows/s.",
			Runbook: Runbook{
				Meaning:    "Records fail JSON parsing or the transaction schema and go to the dead-letter topic with the reason.",
				Impact:     "Those transactions are missing from the aggregates until replayed.",
				Diagnosis:  []string{"Consume the dead-letter topic and read the reason field; find the producer that sends them."},
				Mitigation: []string{"Fix the producer; replay the dead letters after the fix."},
			},
			Tests: []Test{
				Fires("one a second", 15*minute, L("query", "transactions"), 1,
					in(StreamDeadLetters, streamLabels, "0+60x20")),
				Quiet("none", 15*minute, in(StreamDeadLetters, streamLabels, "7x20")),
			},
		},
		{
			Name: "StreamLateRowsDropped", Panel: ShownOn(dashboards.SparkStream, "Late and dead-letter rows"), Severity: Info, For: 10 * minute,
			Expr:        q(`sum by (query) (rate(%s[10m])) > 1`, StreamLateRows),
			Summary:     "Rows arrive behind the watermark and are dropped.",
			Description: "Query {{ $labels.query }} drops {{ $value | humanize }} late rows/s.",
			Runbook: Runbook{
				Meaning:    "Events arrive later than the watermark delay allows and are not counted.",
				Impact:     "Aggregates miss those transactions.",
				Diagnosis:  []string{"Compare event times with arrival times; check producer clocks and buffering."},
				Mitigation: []string{"Raise the watermark delay if lateness is legitimate."},
			},
			Tests: []Test{
				Fires("two a second", 25*minute, L("query", "transactions"), 2,
					in(StreamLateRows, streamLabels, "0+120x30")),
				Quiet("a few", 25*minute, in(StreamLateRows, streamLabels, "0+6x30")),
			},
		},
	},
}
