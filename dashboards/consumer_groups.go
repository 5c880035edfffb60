package dashboards

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/consumergroup"
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Panels of the consumer groups dashboard that alerts link to.
var (
	LagExporterUpPanel = grafana.Stat("Lag exporter reads Kafka",
		"1 when the lag exporter's last collection reached Kafka. 0: no group has series, the panels below stop and every consumer-group alert is blind (KafkaLagExporterFailing).",
		signals.LagExporterUp.Min().Legend("up"))
	ConsumerGroupLagTimePanel = grafana.TimeSeries("Lag in time by group",
		"Age of the oldest record each group has not consumed, and its level: the declared group's, or the default's for a group nobody declares that has members. Above its level for 5 minutes, KafkaConsumerGroupLagging pages the group's team.",
		signals.ConsumerGroupLagSeconds.Show().Legend("{{consumergroup}}")).Span(12)
	ConsumerGroupLagRecordsPanel = grafana.TimeSeries("Lag in records by group",
		"Records each group has not consumed, all its partitions, and its level (declared, or the default's): above it for 15 minutes, KafkaConsumerGroupBacklog warns the group's team.",
		signals.ConsumerGroupLagRecords.Show().Legend("{{consumergroup}}")).Span(12)
	ConsumerGroupOffsetMovesPanel = grafana.TimeSeries("Committed offset moves in 10 minutes",
		"Times each group's committed offsets moved over the last ten minutes, all its partitions. At 0 (red) the group commits nothing: with its lag growing, KafkaConsumerGroupNotCommitting pages.",
		signals.ConsumerGroupOffsetMoves.Show().Legend("{{consumergroup}}")).Span(12)
	ConsumerGroupMembersPanel = grafana.TimeSeries("Members by group",
		"Consumers in each group. 0 is orange: for a group declared with members, KafkaConsumerGroupNoMembers warns after 5 minutes; a group that only commits (the stream job's) has none by design.",
		signals.ConsumerGroupMembers.Show().Legend("{{consumergroup}}")).Span(12)
)

var consumerGroups = grafana.Board{
	Name: ConsumerGroups, Folder: folderKafka, Title: "Kafka consumer groups",
	Description: "Every consumer group Kafka keeps offsets of, as the lag exporter reads them: lag in time and records against each group's level, commits, members and state.",
	Jobs:        []stack.Component{stack.KafkaLagExporter},
	Filters:     []grafana.Filter{{Label: consumergroup.Label, Values: promql.Select(catalog.ConsumerGroupMembers)}},
	Rows: []grafana.Row{
		{Title: "Overview", Panels: []*grafana.Panel{
			LagExporterUpPanel,
			grafana.Stat("Collection time", "How long the exporter's last reading of every group's offsets took; it reads at each scrape.",
				signals.LagExporterCollectTime.Show().Legend("{{instance}}")),
			grafana.Stat("Groups", "Consumer groups Kafka keeps offsets of.",
				signals.ConsumerGroupCount.Show().Legend("groups")),
			grafana.Stat("Largest lag in time", "Age of the oldest record any group has not consumed.",
				signals.ConsumerGroupLagSeconds.Max().Legend("lag")),
			grafana.Stat("Largest lag in records", "Records not consumed yet, by the group furthest behind.",
				signals.ConsumerGroupLagRecords.Max().Legend("lag")),
		}},
		{Title: "Lag", Panels: []*grafana.Panel{
			ConsumerGroupLagTimePanel, ConsumerGroupLagRecordsPanel,
			grafana.TimeSeries("Lag by topic", "Records each group has not consumed, by topic.",
				signals.ConsumerGroupTopicLag.Show().Legend("{{consumergroup}} {{topic}}")).Span(12),
			grafana.TimeSeries("Lag by partition", "Records each group has not consumed, by partition: one partition far behind the others is a slow or stuck consumer of it, or a hot key.",
				signals.ConsumerGroupPartitionLag.Show().Legend("{{consumergroup}} {{topic}}/{{partition}}")).Span(12),
		}},
		{Title: "Commits", Panels: []*grafana.Panel{
			ConsumerGroupOffsetMovesPanel,
			grafana.TimeSeries("Lag growth, 10m trend", "Records per second each group's lag grows by (negative: shrinks), by linear regression over ten minutes.",
				signals.ConsumerGroupLagGrowth.Show().Legend("{{consumergroup}}")).Span(12),
			grafana.TimeSeries("Committed vs end offsets", "Each group's committed offset and the end offset (high watermark) of each partition it commits to: the gap between the two is its lag.",
				signals.ConsumerGroupCommitted.Show().Legend("{{consumergroup}} {{topic}}/{{partition}} committed"),
				signals.PartitionEnd.Show().Legend("{{topic}}/{{partition}} end")).Span(24),
		}},
		{Title: "Members and state", Panels: []*grafana.Panel{
			ConsumerGroupMembersPanel,
			grafana.Table("Group state", "Each group's state: Stable, PreparingRebalance or CompletingRebalance while members join or leave, Empty with none, Dead once Kafka drops it.",
				signals.ConsumerGroupState.Show()).Span(12),
		}},
	},
}
