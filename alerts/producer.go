//go:build legacy

package alerts

import (
	"github.com/finobs/finobs/dashboards"
	. "github.com/finobs/finobs/internal/catalog"
	. "github.com/finobs/finobs/internal/rules"
)

const producerLabels = `job="producer",instance="producer"`

// Producer: the transaction producer (cmd/produce).
var Producer = Group{
	Name:      "producer",
	Component: "producer",
	Recording: []Recording{
		{Record: "instance:finobs_producer_records:rate5m", Expr: q(`sum by (instance) (rate(%s[5m]))`, ProducerRecords)},
		{Record: "instance:finobs_producer_bytes:rate5m", Expr: q(`sum by (instance) (rate(%s[5m]))`, ProducerBytes)},
		{Record: "instance:finobs_producer_produce_latency_seconds:p99", Expr: q(`histogram_quantile(0.99, sum by (instance, le) (rate(%s_bucket[5m])))`, ProducerLatency)},
	},
	Alerts: []Alert{
		{
			Name: "ProducerSendErrors", Panel: ShownOn(dashboards.Producer, "Error ratio"), Severity: Critical, For: 5 * minute,
			Expr: q(`sum by (instance) (rate(%s[5m])) / (sum by (instance) (rate(%s[5m])) + sum by (instance) (rate(%s[5m]))) > 0.01`,
				ProducerErrors, ProducerRecords, ProducerErrors),
			Summary:     "The producer fails to deliver transactions.",
			Description: "{{ $value | humanizePercentage }} of the records {{ $labels.instance }} sends fail.",
			Runbook: Runbook{
				Meaning:    "More than 1% of produce attempts end in an error after the client's retries.",
				Impact:     "Transactions are not ingested; the producer logs each failed record.",
				Diagnosis:  []string{"Read the producer's JSON log for the error (NOT_ENOUGH_REPLICAS, timeouts, authorization).", "Check `KafkaUnderMinISRPartitions` and `KafkaBrokerDown`."},
				Mitigation: []string{"Fix the broker-side cause; the producer keeps running and counts errors."},
			},
			Tests: []Test{
				Fires("10% errors", 15*minute, L("instance", "producer"), 0.1,
					in(ProducerErrors, producerLabels+`,topic="financial_transactions"`, "0+600x20"),
					in(ProducerRecords, producerLabels+`,topic="financial_transactions"`, "0+5400x20")),
				Quiet("no errors", 15*minute,
					in(ProducerErrors, producerLabels+`,topic="financial_transactions"`, "3x20"),
					in(ProducerRecords, producerLabels+`,topic="financial_transactions"`, "0+5400x20")),
			},
		},
		{
			Name: "ProducerThroughputCollapsed", Panel: ShownOn(dashboards.Producer, "Records per second"), Severity: Critical, For: 5 * minute,
			Expr: q(`sum by (instance) (rate(%s[5m])) < 0.5 * max by (instance) (%s > 0)`,
				ProducerRecords, ProducerTargetRate),
			Summary:     "The producer delivers less than half its target rate.",
			Description: "{{ $labels.instance }} delivers {{ $value | humanize }} records/s, under half of its target.",
			Runbook: Runbook{
				Meaning:    "Acknowledged records per second fell below half the configured rate.",
				Impact:     "Ingestion falls behind the business volume.",
				Diagnosis:  []string{"Check the buffer (`ProducerBufferFull`), produce latency and errors.", "Check broker request handler saturation."},
				Mitigation: []string{"Resolve the broker bottleneck; tune linger and batch size; run more producer instances."},
			},
			Tests: []Test{
				Fires("10 records/s of 1000", 15*minute, L("instance", "producer"), 10,
					in(ProducerRecords, producerLabels+`,topic="financial_transactions"`, "0+600x20"),
					in(ProducerTargetRate, producerLabels, "1000x20")),
				Quiet("on target", 15*minute,
					in(ProducerRecords, producerLabels+`,topic="financial_transactions"`, "0+60000x20"),
					in(ProducerTargetRate, producerLabels, "1000x20")),
				Quiet("unlimited rate has no target", 15*minute,
					in(ProducerRecords, producerLabels+`,topic="financial_transactions"`, "0+60x20"),
					in(ProducerTargetRate, producerLabels, "0x20")),
			},
		},
		{
			Name: "ProducerBufferFull", Panel: ShownOn(dashboards.Producer, "Buffer use"), Severity: Warning, For: 5 * minute,
			Expr:        q(`max by (instance) (%s / %s) > 0.9`, ProducerBuffered, ProducerBufferMax),
			Summary:     "The producer's buffer is nearly full.",
			Description: "{{ $labels.instance }} has {{ $value | humanizePercentage }} of its record buffer in use; sends will block.",
			Runbook: Runbook{
				Meaning:    "Records wait in the client because the brokers acknowledge slower than they are produced.",
				Impact:     "The producer blocks and its rate drops; on shutdown it must flush the whole buffer.",
				Diagnosis:  []string{"Check produce latency on the brokers and the producer's latency histogram."},
				Mitigation: []string{"Fix the slow broker; or lower the rate; raise the buffer only with the memory to back it."},
			},
			Tests: []Test{
				Fires("95% full", 10*minute, L("instance", "producer"), 0.95,
					in(ProducerBuffered, producerLabels, "95000x15"),
					in(ProducerBufferMax, producerLabels, "100000x15")),
				Quiet("10% full", 10*minute,
					in(ProducerBuffered, producerLabels, "10000x15"),
					in(ProducerBufferMax, producerLabels, "100000x15")),
			},
		},
		{
			Name: "ProducerLatencyHigh", Panel: ShownOn(dashboards.Producer, "Produce latency"), Severity: Warning, For: 10 * minute,
			Expr:        `instance:finobs_producer_produce_latency_seconds:p99 > 1`,
			Summary:     "Records take more than a second to be acknowledged.",
			Description: "The p99 produce latency of {{ $labels.instance }} is {{ $value | humanizeDuration }}.",
			Runbook: Runbook{
				Meaning:    "One record in a hundred waits over a second from enqueue to acknowledgement.",
				Impact:     "End-to-end freshness suffers; the buffer fills.",
				Diagnosis:  []string{"Compare with the brokers' produce p99 (`KafkaProduceLatencyHigh`): if the broker is fast, the client is queueing (linger, in-flight limits)."},
				Mitigation: []string{"Fix the broker side first; then tune linger and batch size."},
			},
			Tests: []Test{
				Fires("all records between 1s and 5s", 20*minute, L("instance", "producer"), 4.96,
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="0.1"`, "0x30"),
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="1"`, "0x30"),
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="5"`, "0+60x30"),
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="+Inf"`, "0+60x30")),
				Quiet("all records under 100ms", 20*minute,
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="0.1"`, "0+60x30"),
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="1"`, "0+60x30"),
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="5"`, "0+60x30"),
					inSeries(ProducerLatency, "_bucket", producerLabels+`,le="+Inf"`, "0+60x30")),
			},
		},
	},
}
