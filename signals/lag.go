package signals

import (
	"strconv"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
)

// The streaming query's lag, in records (offsets behind latest: Structured Streaming commits
// no consumer-group offsets) and in time (how old the newest transaction the aggregates
// count is, while records wait).
var (
	StreamLagRecords = &signal.Signal{
		Name:        "lag, records",
		Description: "Records in the input topic the query has not read yet, all partitions.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"query"},
		Expr: promql.Sum(promql.Select(catalog.StreamOffsetsBehind), promql.Grouped),
	}
	// StreamLagTrend is the backlog's growth by linear regression over half an hour: the
	// backlog saws up between micro-batches and down at each, and only its trend says whether
	// the query keeps up. deriv is linear, so the sum of the partitions' trends is the trend
	// of their sum.
	StreamLagTrend = &signal.Signal{
		Name:        "lag growth, 30m trend",
		Description: "Records per second the backlog grows by (negative: shrinks), by linear regression over 30 minutes.",
		Unit:        signal.PerSecond, Resolution: 0.01,
		By:     []string{"query"},
		Window: 30 * minute, FixedWindow: true,
		Expr: promql.Sum(promql.Deriv(promql.Select(catalog.StreamOffsetsBehind), promql.Window), promql.Grouped),
	}
	// A backlog that grows by more than a record a second, sustained (the alert's for), and
	// holds more than a thousand records: the query falls behind although each batch may end
	// within its trigger (maxOffsetsPerTrigger caps what a batch takes). Paging on the trend
	// comes before freshness is lost; a large backlog that shrinks is a query catching up.
	StreamBacklogGrowing = StreamLagTrend.Above(signal.Critical, 1).
				AndExpr(StreamLagRecords.Expr.GT(promql.Num(1000)), promql.On("query"))

	// StreamLagTime is wall clock minus the produce time of the newest transaction the
	// aggregates count: with a backlog, how far behind production the aggregates are; with
	// none, the time since the last transaction (the alert on it wants a backlog).
	StreamLagTime = &signal.Signal{
		Name:        "lag, time",
		Description: "Wall clock minus the Kafka produce time of the newest transaction the aggregates count.",
		Unit:        signal.Seconds,
		By:          []string{"query"},
		Expr:        promql.Time().Sub(promql.Max(promql.Select(catalog.StreamCountedProduceTime), promql.Grouped)),
	}
	// Two minutes behind with records waiting: four times the freshness objective.
	StreamLagging = StreamLagTime.Above(signal.Warning, 120).
			AndExpr(StreamLagRecords.Expr.GT(promql.Num(0)), promql.On("query"))
)

// Freshness quantiles of the micro-batches, by transaction (oldest, newest counted).
var (
	StreamFreshnessP99 = freshnessQuantile(0.99)
	StreamFreshnessP50 = freshnessQuantile(0.5)
)

func freshnessQuantile(q float64) *signal.Signal {
	return &signal.Signal{
		Name:        "freshness p" + strconv.FormatFloat(q*100, 'g', -1, 64),
		Description: "Batch end minus the produce time of the batch's oldest or newest counted transaction, quantile over the batches.",
		Unit:        signal.Seconds,
		By:          []string{"transaction"},
		Expr:        promql.HistogramQuantile(q, promql.Sum(promql.Rate(promql.Buckets(catalog.StreamFreshness), promql.Window), "le", "transaction")),
	}
}
