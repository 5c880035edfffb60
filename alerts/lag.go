package alerts

import (
	"strings"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/signals"
)

// sawtooth is a backlog that fills between micro-batches and drains at each: no trend.
func sawtooth(high string, n int) string {
	vs := make([]string, n)
	for i := range vs {
		vs[i] = "0"
		if i%2 == 0 {
			vs[i] = high
		}
	}
	return strings.Join(vs, " ")
}

var streamPartition0 = streamQuery.With("topic", "transactions").With("partition", "0")

// Lag alerts of the streaming query.
var (
	StreamBacklogGrowing = rules.Alert{
		Name: "StreamBacklogGrowing", When: signals.StreamBacklogGrowing, For: 45 * minute, Panel: dashboards.StreamLagTrendPanel,
		Summary:     "A streaming query's backlog has been growing for close to an hour.",
		Description: "The backlog of {{ $labels.query }} grows by {{ $value | humanize }} records/s (30-minute trend) and keeps growing.",
		Runbook: rules.Runbook{
			Meaning: "Offsets behind latest trend upwards by more than a record a second over 30 minutes, for 45 minutes more, with over a thousand records waiting. Each batch may still end within its trigger (maxOffsetsPerTrigger caps what it takes): the query reads less than arrives.",
			Impact:  "Freshness is lost next: every transaction waits longer than the one before it, and a topic's retention can expire records before they are read (data loss).",
			Diagnosis: []string{
				"Compare the input rate with the processed rate (`StreamFallingBehind`) and the rows per batch with maxOffsetsPerTrigger.",
				"Check the lag in time (`finobs_stream_counted_produce_timestamp_seconds`) and the freshness SLO's burn rates.",
			},
			Mitigation: []string{"Raise maxOffsetsPerTrigger or shorten the trigger; give the job more cores; if the input rate rose for good, size partitions and executors for it."},
		},
		Tests: []rules.Test{
			{Name: "grows 200 records a minute for 80 minutes, 2 s batches on a 5 s trigger", At: 80 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 200.0 / 60}}, Series: []rules.Series{
					streamPartition0.Series(catalog.StreamOffsetsBehind, "0+200x80"),
					streamQuery.Series(catalog.StreamBatchDuration, "2x80"),
					streamQuery.Series(catalog.StreamTriggerInterval, "5x80"),
				}},
			{Name: "grows for 40 minutes only", At: 40 * minute, Series: []rules.Series{
				streamPartition0.Series(catalog.StreamOffsetsBehind, "0+200x40"),
			}},
			{Name: "a million records, shrinking 5000 a minute", At: 80 * minute, Series: []rules.Series{
				streamPartition0.Series(catalog.StreamOffsetsBehind, "1000000-5000x80"),
				streamQuery.Series(catalog.StreamBatchDuration, "4x80"),
				streamQuery.Series(catalog.StreamTriggerInterval, "5x80"),
			}},
			{Name: "a steady sawtooth of 5000 records", At: 80 * minute, Series: []rules.Series{
				streamPartition0.Series(catalog.StreamOffsetsBehind, sawtooth("5000", 81)),
			}},
		},
	}
	StreamLagging = rules.Alert{
		Name: "StreamLagging", When: signals.StreamLagging, For: 5 * minute, Panel: dashboards.StreamLagTimePanel,
		Summary:     "The aggregates are minutes behind the transactions waiting in Kafka.",
		Description: "The newest transaction {{ $labels.query }} counts was produced {{ $value | humanizeDuration }} ago, and records are waiting.",
		Runbook: rules.Runbook{
			Meaning:    "Records wait in the input topic while the newest transaction the aggregates count is more than two minutes old.",
			Impact:     "Merchant aggregates are minutes old: the freshness SLO burns.",
			Diagnosis:  []string{"Check the query's batches (`StreamBatchSlowerThanTrigger`), its state and whether it runs at all (`StreamQueryStalled`)."},
			Mitigation: []string{"Let it catch up with more cores, a higher maxOffsetsPerTrigger; restart a stuck query from its checkpoint."},
		},
		Tests: []rules.Test{
			{Name: "counted produce time stuck, 3000 records waiting", At: 10 * minute,
				Fires: []rules.Firing{{Labels: streamQuery.Keep("query"), Value: 600}}, Series: []rules.Series{
					streamQuery.Series(catalog.StreamCountedProduceTime, "0x10"),
					streamPartition0.Series(catalog.StreamOffsetsBehind, "3000x10"),
				}},
			{Name: "counted produce time follows the clock", At: 10 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamCountedProduceTime, "-5+60x10"),
				streamPartition0.Series(catalog.StreamOffsetsBehind, "3000x10"),
			}},
			{Name: "nothing produced for a while, no backlog", At: 10 * minute, Series: []rules.Series{
				streamQuery.Series(catalog.StreamCountedProduceTime, "0x10"),
				streamPartition0.Series(catalog.StreamOffsetsBehind, "0x10"),
			}},
		},
	}

	StreamLag = rules.Group{Name: "streaming-lag", Component: "spark", Alerts: []rules.Alert{StreamBacklogGrowing, StreamLagging}}
)
