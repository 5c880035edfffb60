package signals

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/consumergroups"
	"github.com/finobs/finobs/pkg/consumergroup"
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/signal"
)

// byGroup is the grouping of every consumer-group signal.
var byGroup = []string{consumergroup.Label}

// level is the recorded level of kind of every group: the declared groups' (package
// consumergroups, or the set gen -config renders in its place), the default for the other
// groups that have members. Deferred: the set in force when the rules render.
func level(kind consumergroup.Kind, base *metric.Metric) promql.Expr {
	return promql.Deferred(func() promql.Expr {
		return consumergroups.Declared.Level(kind, base, catalog.ConsumerGroupMembers)
	})
}

// The lag exporter itself: with it unable to read Kafka, no group has series and every
// consumer-group alert is blind.
var (
	LagExporterUp = &signal.Signal{
		Name:        "lag exporter up",
		Description: "1 when the lag exporter's last collection reached Kafka, 0 when it did not.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Select(catalog.LagExporterUp),
	}
	LagExporterFailing = LagExporterUp.EqualTo(signal.Warning, 0)

	LagExporterCollectTime = &signal.Signal{
		Name:        "lag exporter collection time",
		Description: "How long the lag exporter's last reading of every group's offsets took.",
		Unit:        signal.Seconds,
		Expr:        promql.Select(catalog.LagExporterCollectDuration),
	}
)

// Every consumer group's lag, in time and in records, against its level. The levels are
// recorded per cluster and group (finobs:consumergroup_*:level), so that an alert compares
// each group with its own level and a panel draws it.
var (
	ConsumerGroupLagSeconds = &signal.Signal{
		Name:        "consumer group lag, time",
		Description: "Age of the oldest record the group has not consumed (now minus its Kafka timestamp), over its partitions; 0 without lag.",
		Unit:        signal.Seconds,
		By:          byGroup,
		Expr:        promql.Max(promql.Select(catalog.ConsumerGroupLagSeconds), promql.Grouped),
	}
	ConsumerGroupLagSecondsLevelRule = rules.Recording{
		Record: "finobs:consumergroup_lag_seconds:level",
		Expr:   level(consumergroup.Seconds, catalog.ConsumerGroupLagSeconds),
	}
	ConsumerGroupLagSecondsLevel = &signal.Signal{
		Name:        "consumer group lag level, time",
		Description: "The group's declared level of lag in time, or the default's for a group nobody declares that has members.",
		Unit:        signal.Seconds,
		By:          byGroup,
		Expr:        ConsumerGroupLagSecondsLevelRule.Select(),
	}
	ConsumerGroupLagging = ConsumerGroupLagSeconds.AboveSignal(signal.Critical, 1, ConsumerGroupLagSecondsLevel)

	ConsumerGroupLagRecords = &signal.Signal{
		Name:        "consumer group lag, records",
		Description: "Records between the group's committed offsets and the end offsets, all its partitions.",
		Unit:        signal.Count, Resolution: 1,
		By:   byGroup,
		Expr: promql.Sum(promql.Select(catalog.ConsumerGroupLagSum), promql.Grouped),
	}
	ConsumerGroupLagRecordsLevelRule = rules.Recording{
		Record: "finobs:consumergroup_lag_records:level",
		Expr:   level(consumergroup.Records, catalog.ConsumerGroupLagSum),
	}
	ConsumerGroupLagRecordsLevel = &signal.Signal{
		Name:        "consumer group lag level, records",
		Description: "The group's declared level of lag in records, or the default's for a group nobody declares that has members.",
		Unit:        signal.Count, Resolution: 1,
		By:   byGroup,
		Expr: ConsumerGroupLagRecordsLevelRule.Select(),
	}
	ConsumerGroupBacklog = ConsumerGroupLagRecords.AboveSignal(signal.Warning, 1, ConsumerGroupLagRecordsLevel)

	// ConsumerGroupTopicLag is the lag by topic: the levels are of a group's whole lag.
	ConsumerGroupTopicLag = &signal.Signal{
		Name:        "consumer group lag by topic",
		Description: "Records between the group's committed offsets and the end offsets, summed over the topic's partitions.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{consumergroup.Label, "topic"},
		Expr: promql.Max(promql.Select(catalog.ConsumerGroupLagSum), promql.Grouped),
	}
	ConsumerGroupPartitionLag = &signal.Signal{
		Name:        "consumer group lag by partition",
		Description: "Records between the group's committed offset and the partition's end offset.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{consumergroup.Label, "topic", "partition"},
		Expr: promql.Max(promql.Select(catalog.ConsumerGroupLag), promql.Grouped),
	}
)

// Whether a group commits at all. A group's offsets that stay where they are while its lag
// grows is a consumer that is stuck (or gone) with records waiting; a group watched by a level
// only (declared, or with members), so that an abandoned group nobody consumes in is not
// paged for forever.
var (
	ConsumerGroupOffsetMoves = &signal.Signal{
		Name:        "committed offset moves in 10 minutes",
		Description: "Times the group's committed offsets moved over ten minutes, all its partitions: 0 is a group that commits nothing.",
		Unit:        signal.Count, Resolution: 1, Window: 10 * minute, FixedWindow: true,
		By:   byGroup,
		Expr: promql.Sum(promql.Changes(promql.Select(catalog.ConsumerGroupCommittedOffset), window), promql.Grouped),
	}
	// ConsumerGroupLagGrowth is linear, like deriv: the sum of the topics' trends is the trend
	// of their sum.
	ConsumerGroupLagGrowth = &signal.Signal{
		Name:        "consumer group lag growth, 10m trend",
		Description: "Records per second the group's lag grows by (negative: shrinks), by linear regression over ten minutes.",
		Unit:        signal.PerSecond, Resolution: 0.01, Window: 10 * minute, FixedWindow: true,
		By:   byGroup,
		Expr: promql.Sum(promql.Deriv(promql.Select(catalog.ConsumerGroupLagSum), window), promql.Grouped),
	}
	ConsumerGroupNotCommitting = ConsumerGroupOffsetMoves.EqualTo(signal.Critical, 0).AndExpr(
		ConsumerGroupLagGrowth.Expr.GT(promql.Num(0)).And(ConsumerGroupLagRecordsLevel.Expr, promql.On(consumergroup.Label)),
		promql.On(consumergroup.Label))
)

// Who is in a group, and in which state.
var (
	ConsumerGroupMembers = &signal.Signal{
		Name:        "consumer group members",
		Description: "Consumers in the group; 0 for one that only commits (the stream job's).",
		Unit:        signal.Count, Resolution: 1,
		By:   byGroup,
		Expr: promql.Max(promql.Select(catalog.ConsumerGroupMembers), promql.Grouped),
	}
	// No member in a group declared with members: nobody consumes its records. Only the
	// declared groups: one nobody declares may have ended on purpose.
	ConsumerGroupNoMembers = ConsumerGroupMembers.EqualTo(signal.Warning, 0).AndExpr(promql.Deferred(func() promql.Expr {
		return consumergroups.Declared.MembersExpected(catalog.ConsumerGroupMembers)
	}), promql.On(consumergroup.Label))

	ConsumerGroupState = &signal.Signal{
		Name:        "consumer group state",
		Description: "1 for the group's state: Stable, PreparingRebalance, CompletingRebalance, Empty (no member) or Dead.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{consumergroup.Label, "state"},
		Expr: promql.Max(promql.Select(catalog.ConsumerGroupState), promql.Grouped),
	}
	ConsumerGroupCount = &signal.Signal{
		Name:        "consumer groups",
		Description: "Consumer groups Kafka keeps offsets of.",
		Unit:        signal.Count, Resolution: 1,
		Expr: promql.Count(promql.Select(catalog.ConsumerGroupMembers)),
	}
)

// Offsets: where each group committed, where each partition ends.
var (
	ConsumerGroupCommitted = &signal.Signal{
		Name:        "committed offset",
		Description: "The group's committed offset, by partition.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{consumergroup.Label, "topic", "partition"},
		Expr: promql.Max(promql.Select(catalog.ConsumerGroupCommittedOffset), promql.Grouped),
	}
	PartitionEnd = &signal.Signal{
		Name:        "end offset",
		Description: "The partition's end offset (high watermark), for partitions a group commits to.",
		Unit:        signal.Count, Resolution: 1,
		By:   []string{"topic", "partition"},
		Expr: promql.Max(promql.Select(catalog.PartitionEndOffset), promql.Grouped),
	}
)
