package alerts

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/signals"
	"github.com/finobs/finobs/topics"
)

// producedTransactions is the producer writing the transactions topic (producerTarget is in
// monitoring.go).
var producedTransactions = producerTarget.With("topic", topics.Transactions)

// Alerts of the transaction producer.
var (
	// ProducerDown pages: the producer is where transactions enter the pipeline, and with it
	// gone its other alerts cannot fire (their metrics vanish with it).
	ProducerDown = rules.Alert{
		Name: "ProducerDown", When: signals.ProducerDown, For: minute, Panel: dashboards.ProducerUpPanel,
		Summary:     "The transaction producer is down.",
		Description: "Prometheus cannot scrape the producer {{ $labels.instance }}: no transactions are ingested.",
		Runbook: rules.Runbook{
			Meaning:    "The producer's metrics endpoint does not answer: the process exited, or it lives but is stopped or hung (a paused process holds its port and answers nothing).",
			Impact:     "Transactions stop entering Kafka; aggregates go on with what was produced, then stop. Its TargetDown is inhibited while this fires.",
			Diagnosis:  []string{"`make status` (local) shows whether it runs; its exit status and summary line say why it stopped (a refused schema, no broker at start, a signal).", "A process that runs but does not answer is stopped (state T in `ps`) or hung: its JSON log stops too."},
			Mitigation: []string{"Start it again (`make up`); it registers its schema and produces at its rate. A stopped process: `kill -CONT` it, or restart it."},
		},
		Tests: []rules.Test{
			{Name: "the producer stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: producerTarget.Expect(), Value: 0}}, Series: []rules.Series{
					producerTarget.Series(catalog.Up, "1 0x9"),
				}},
			{Name: "the producer runs", At: 5 * minute, Series: []rules.Series{
				producerTarget.Series(catalog.Up, "1x10"),
			}},
		},
	}
	ProducerSendErrors = rules.Alert{
		Name: "ProducerSendErrors", When: signals.ProducerSendErrors, Panel: dashboards.ProducerFailedRecordsPanel,
		Summary:     "The producer gave up on transactions: they are not ingested.",
		Description: "{{ $labels.instance }} gave up on {{ $value | humanize }} records in the last 5 minutes.",
		Runbook: rules.Runbook{
			Meaning:    "At least one record failed after the client's retries. By default the producer retries for ever and holds the generator back (backpressure); a record fails only when a delivery timeout was set (-delivery-timeout) or on an error no retry heals (a record over the broker's limit, authorization, a deleted topic).",
			Impact:     "Each failed record is a transaction not ingested: it is in the producer's log (one JSON line per record, with its key) and nowhere else.",
			Diagnosis:  []string{"Read the producer's JSON log for the error (NOT_ENOUGH_REPLICAS, timeouts, MESSAGE_TOO_LARGE, authorization).", "Check `KafkaUnderMinISRPartitions` and `KafkaBrokerDown`; a bound on delivery turns a broker outage into failed records."},
			Mitigation: []string{"Fix the cause; re-send the failed records from the producer's log; leave -delivery-timeout at 0 unless something upstream keeps what fails."},
		},
		Tests: []rules.Test{
			{Name: "one failed record pages", At: 15 * minute,
				Fires: []rules.Firing{{Labels: producedTransactions.Keep("instance"), Value: 1}}, Series: []rules.Series{
					producedTransactions.Series(catalog.ProducerErrors, "0x12 1x8"),
					producedTransactions.Series(catalog.ProducerRecords, "0+5400x20"),
				}},
			{Name: "no record failed for the window", At: 15 * minute, Series: []rules.Series{
				producedTransactions.Series(catalog.ProducerErrors, "3x20"),
				producedTransactions.Series(catalog.ProducerRecords, "0+5400x20"),
			}},
		},
	}
	ProducerThroughputCollapsed = rules.Alert{
		Name: "ProducerThroughputCollapsed", When: signals.ProducerThroughputCollapsed, For: 5 * minute, Panel: dashboards.ProducerRecordsPanel,
		Summary:     "The producer delivers less than half its target rate.",
		Description: "{{ $labels.instance }} delivers {{ $value | humanize }} records/s, under half of its target.",
		Runbook: rules.Runbook{
			Meaning:    "Acknowledged records per second fell below half the configured rate.",
			Impact:     "Ingestion falls behind the business volume.",
			Diagnosis:  []string{"Check the buffer (`ProducerBufferFull`), produce latency and errors.", "Check broker request handler saturation."},
			Mitigation: []string{"Resolve the broker bottleneck; tune linger and batch size; run more producer instances."},
		},
		Tests: []rules.Test{
			{Name: "10 records/s of 1000", At: 15 * minute,
				Fires: []rules.Firing{{Labels: producedTransactions.Keep("instance"), Value: 10}}, Series: []rules.Series{
					producedTransactions.Series(catalog.ProducerRecords, "0+600x20"),
					producerTarget.Series(catalog.ProducerTargetRate, "1000x20"),
				}},
			{Name: "on target", At: 15 * minute, Series: []rules.Series{
				producedTransactions.Series(catalog.ProducerRecords, "0+60000x20"),
				producerTarget.Series(catalog.ProducerTargetRate, "1000x20"),
			}},
			{Name: "unlimited rate has no target", At: 15 * minute, Series: []rules.Series{
				producedTransactions.Series(catalog.ProducerRecords, "0+60x20"),
				producerTarget.Series(catalog.ProducerTargetRate, "0x20"),
			}},
		},
	}
	ProducerBufferFull = rules.Alert{
		Name: "ProducerBufferFull", When: signals.ProducerBufferFull, For: 5 * minute, Panel: dashboards.ProducerBufferUsePanel,
		Summary:     "The producer's buffer is nearly full.",
		Description: "{{ $labels.instance }} has {{ $value | humanizePercentage }} of its record buffer in use; sends will block.",
		Runbook: rules.Runbook{
			Meaning:    "Records wait in the client because the brokers acknowledge slower than they are produced.",
			Impact:     "The producer blocks and its rate drops; on shutdown it must flush the whole buffer.",
			Diagnosis:  []string{"Check produce latency on the brokers and the producer's latency histogram."},
			Mitigation: []string{"Fix the slow broker; or lower the rate; raise the buffer only with the memory to back it."},
		},
		Tests: []rules.Test{
			{Name: "95% full", At: 10 * minute,
				Fires: []rules.Firing{{Labels: producerTarget.Keep("instance"), Value: 0.95}}, Series: []rules.Series{
					producerTarget.Series(catalog.ProducerBuffered, "95000x15"),
					producerTarget.Series(catalog.ProducerBufferMax, "100000x15"),
				}},
			{Name: "10% full", At: 10 * minute, Series: []rules.Series{
				producerTarget.Series(catalog.ProducerBuffered, "10000x15"),
				producerTarget.Series(catalog.ProducerBufferMax, "100000x15"),
			}},
		},
	}
	ProducerLatencyHigh = rules.Alert{
		Name: "ProducerLatencyHigh", When: signals.ProducerLatencyHigh, For: 10 * minute, Panel: dashboards.ProducerLatencyPanel,
		Summary:     "Records take more than a second to be acknowledged.",
		Description: "The p99 produce latency of {{ $labels.instance }} is {{ $value | humanizeDuration }}.",
		Runbook: rules.Runbook{
			Meaning:    "One record in a hundred waits over a second from enqueue to acknowledgement.",
			Impact:     "End-to-end freshness suffers; the buffer fills.",
			Diagnosis:  []string{"Compare with the brokers' produce p99 (`KafkaProduceLatencyHigh`): if the broker is fast, the client is queueing (linger, in-flight limits)."},
			Mitigation: []string{"Fix the broker side first; then tune linger and batch size."},
		},
		Tests: []rules.Test{
			{Name: "all records between 1s and 5s", At: 20 * minute,
				Fires: []rules.Firing{{Labels: producerTarget.Keep("instance"), Value: 4.96}}, Series: []rules.Series{
					producerTarget.Buckets(catalog.ProducerLatency, "0.1", "0x30"),
					producerTarget.Buckets(catalog.ProducerLatency, "1", "0x30"),
					producerTarget.Buckets(catalog.ProducerLatency, "5", "0+60x30"),
					producerTarget.Buckets(catalog.ProducerLatency, "+Inf", "0+60x30"),
				}},
			{Name: "all records under 100ms", At: 20 * minute, Series: []rules.Series{
				producerTarget.Buckets(catalog.ProducerLatency, "0.1", "0+60x30"),
				producerTarget.Buckets(catalog.ProducerLatency, "1", "0+60x30"),
				producerTarget.Buckets(catalog.ProducerLatency, "5", "0+60x30"),
				producerTarget.Buckets(catalog.ProducerLatency, "+Inf", "0+60x30"),
			}},
		},
	}
)

// Producer: the transaction producer (cmd/produce).
var Producer = rules.Group{
	Name:      "producer",
	Component: "producer",
	Recording: []rules.Recording{
		{Record: "instance:finobs_producer_records:rate5m", Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords), 5*minute), "instance")},
		{Record: "instance:finobs_producer_bytes:rate5m", Expr: promql.Sum(promql.Rate(promql.Select(catalog.ProducerBytes), 5*minute), "instance")},
		signals.ProducerLatencyP99Rule,
	},
	Alerts: []rules.Alert{ProducerDown, ProducerSendErrors, ProducerThroughputCollapsed, ProducerBufferFull, ProducerLatencyHigh},
}
