package signals

import (
	"fmt"
	"time"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/slo"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topics"
)

// FreshnessObjective is how soon after it was produced a transaction must be counted in the
// aggregates: six default triggers (5 s), a bucket bound of finobs_stream_freshness_seconds.
const FreshnessObjective = 30 * time.Second

// The SLOs of the pipeline (pkg/slo renders them to recording rules, burn-rate alerts
// and the SLO dashboard's signals).
var (
	// Freshness: the SLI is per micro-batch, from its oldest counted transaction (the one that
	// waited longest). A query that runs no batch counts no event here: StreamBacklogGrowing,
	// StreamQueryStalled and the completeness SLO cover a query that stops counting.
	FreshnessSLO = &slo.SLO{
		Name: "stream_freshness", Alert: "StreamFreshness",
		Title: fmt.Sprintf("Aggregates count every transaction within %s of its production", FreshnessObjective),
		Description: fmt.Sprintf("Share of micro-batches in which every counted transaction reached the aggregates within %s of its Kafka produce time (finobs_stream_freshness_seconds, transaction=\"oldest\").",
			FreshnessObjective),
		Objective: 0.99,
		Errors: promql.Sum(promql.Rate(promql.CountSeries(catalog.StreamFreshness, oldestTx), promql.Window)).
			Sub(promql.Sum(promql.Rate(promql.Buckets(catalog.StreamFreshness, oldestTx, promql.Eq("le", promql.LE(FreshnessObjective.Seconds()))), promql.Window))),
		Total: promql.Sum(promql.Rate(promql.CountSeries(catalog.StreamFreshness, oldestTx), promql.Window)),
		Runbook: rules.Runbook{
			Meaning: "Transactions wait too long between their production and the aggregate that counts them.",
			Impact:  "Merchant aggregates (and the anomaly screening beside them) lag behind the business: decisions are taken on old numbers.",
			Diagnosis: []string{
				"Compare batch duration with the trigger (`StreamBatchSlowerThanTrigger`) and offsets behind latest (`StreamBacklogGrowing`).",
				"Compare the transaction=\"newest\" freshness with \"oldest\": a large gap is a backlog inside each batch (maxOffsetsPerTrigger too low, or batches too long).",
				"Check the Spark executors' CPU and the Connect server's log for long GC pauses or task retries.",
			},
			Mitigation: []string{"Give the job more cores or executors; shorten the trigger; raise maxOffsetsPerTrigger so a batch drains the backlog."},
		},
		Series: func(segs []slo.Segment) []rules.Series {
			q := rules.Target(stack.StreamDriver, "stream-driver").With("query", "transactions").With("transaction", "oldest")
			return []rules.Series{
				q.Counts(catalog.StreamFreshness, slo.Counter(segs, 120, slo.All)),
				q.Buckets(catalog.StreamFreshness, promql.LE(FreshnessObjective.Seconds()), slo.Counter(segs, 120, slo.Goods)),
			}
		},
	}

	// Completeness: every record the producer got acknowledged is read by the query, which
	// puts it in the aggregates, the dead-letter topic or the late rows (finobs_stream_input_rows_total
	// counts them all). Ratios over a window are of rates: a steady lag of one trigger costs
	// nothing, a query that stops reading costs all its input.
	CompletenessSLO = &slo.SLO{
		Name: "stream_completeness", Alert: "StreamCompleteness",
		Title:       "Every produced transaction reaches the aggregates, the dead letters or the late rows",
		Description: "Share of the records the producer got acknowledged on " + topics.Transactions + " that the streaming query read (to aggregates, dead letters or late rows), as rates over the window.",
		Objective:   0.995,
		Errors: promql.ClampMin(promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords, producedTx), promql.Window)).
			Sub(promql.Sum(promql.Rate(promql.Select(catalog.StreamInputRows), promql.Window))), 0),
		Total: promql.Sum(promql.Rate(promql.Select(catalog.ProducerRecords, producedTx), promql.Window)),
		Runbook: rules.Runbook{
			Meaning: "Records are acknowledged by Kafka but not read by the streaming query.",
			Impact:  "Aggregates undercount: transactions are missing from merchants' totals and from the anomaly screening.",
			Diagnosis: []string{
				"Check `StreamQueryDown`, `StreamQueryStalled` and offsets behind latest: a query that stopped or lags reads less than is produced.",
				"Check `StreamDataLoss`: offsets gone from Kafka before the query read them.",
				"Check that no other query or topic takes the producer's records (the producer's topic and the job's -input-topic).",
			},
			Mitigation: []string{"Restart the query from its checkpoint (`cmd/stream`); give it cores to catch up; lengthen the topic's retention so nothing expires unread."},
		},
		Series: func(segs []slo.Segment) []rules.Series {
			p := rules.Target(stack.Producer, "producer").With("topic", topics.Transactions)
			q := rules.Target(stack.StreamDriver, "stream-driver").With("query", "transactions")
			return []rules.Series{
				p.Series(catalog.ProducerRecords, slo.Counter(segs, 6000, slo.All)),
				q.Series(catalog.StreamInputRows, slo.Counter(segs, 6000, slo.Goods)),
			}
		},
	}

	// Freshness and Completeness are their signals: alerts and the SLO dashboard share them.
	Freshness    = FreshnessSLO.Signals()
	Completeness = CompletenessSLO.Signals()
)

var (
	oldestTx   = promql.Eq("transaction", "oldest")
	producedTx = promql.Eq("topic", topics.Transactions)
)

// SLOs lists every SLO's signals, in dashboard order.
func SLOs() []*slo.Signals { return []*slo.Signals{Freshness, Completeness} }
