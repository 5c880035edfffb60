package dashboards

import (
	"github.com/finobs/finobs/pkg/grafana"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Panels of the quorum board that alerts link to.
var (
	ActiveControllersPanel = grafana.Stat("Active controllers",
		"Voters acting as active controller: exactly 1 is healthy.",
		signals.ActiveControllers.Show().Legend("active"))
	UnknownVotersPanel = grafana.Stat("Unknown voter connections",
		"Connections from voters not in the quorum configuration: a misconfigured controller.quorum.bootstrap.servers.",
		signals.UnknownVoterConnections.Total().Legend("unknown"))

	RegisteredBrokersPanel = grafana.TimeSeries("Registered brokers",
		"Brokers registered and unfenced, as the active controller sees them, against the brokers Prometheus scrapes (the alert threshold line): below it, a broker runs but is fenced or not registered (KafkaBrokersNotRegistered).",
		signals.ActiveBrokers.Show().Legend("registered")).Span(6)

	MetadataApplyLagPanel = grafana.TimeSeries("Apply lag",
		"Age of the last metadata record applied, on brokers and controllers: how stale each node's view of the cluster is. Above the dashed line, KafkaBrokerMetadataLagging's level, a broker has stopped following the quorum.",
		signals.BrokerMetadataLag.Show().Legend("{{instance}} broker"),
		signals.ControllerMetadataLag.GroupBy("instance").Legend("{{instance}} controller")).Span(6)

	ControllerMetadataErrorsPanel = grafana.TimeSeries("Controller metadata errors",
		"Errors of each controller's metadata handling (loading or applying records) in the last rate interval.",
		signals.ControllerMetadataErrors.Show().Legend("{{instance}}")).Span(6)
	BrokerMetadataErrorsPanel = grafana.TimeSeries("Broker metadata errors",
		"Errors of each broker loading or applying metadata in the last rate interval, both kinds added.",
		signals.BrokerMetadataErrors.Show().Legend("{{instance}}")).Span(6)
	UncleanElectionsPanel = grafana.TimeSeries("Unclean leader elections",
		"Leaders elected out of sync in the last rate interval: data was lost.",
		signals.UncleanLeaderElections.Total().Legend("unclean")).Span(6)
)

var kraftQuorum = grafana.Board{
	Name: KRaftQuorum, Folder: folderKafka, Title: "KRaft controller quorum",
	Description: "The metadata quorum: who leads, in which epoch, how far voters and brokers lag behind the committed metadata log, and metadata errors.",
	Jobs:        stack.KafkaRoles,
	Rows: []grafana.Row{
		{Title: "Quorum", Panels: []*grafana.Panel{
			grafana.Stat("Quorum leader", "node.id of the quorum leader as the voters see it (-1: no leader known).",
				signals.QuorumLeader.Show().Legend("leader")),
			grafana.Stat("Epoch", "Current leader epoch; each increase is an election.",
				signals.QuorumEpoch.Show().Legend("epoch")),
			ActiveControllersPanel,
			grafana.Stat("Active brokers", "Brokers registered and unfenced, as the active controller sees them.",
				signals.ActiveBrokers.Show().Legend("active")),
			grafana.Stat("Fenced brokers", "Brokers the controller fenced (missed heartbeats or shutting down).",
				signals.FencedBrokers.Show().Legend("fenced")),
			UnknownVotersPanel,
		}},
		{Title: "Leadership", Panels: []*grafana.Panel{
			grafana.TimeSeries("Leader seen by each voter", "node.id of the leader each voter follows; voters disagreeing means a partitioned quorum.",
				signals.QuorumLeader.GroupBy("instance").Legend("{{instance}}")).Span(6),
			grafana.TimeSeries("Epoch by voter", "Leader epoch each voter is in.",
				signals.QuorumEpoch.GroupBy("instance").Legend("{{instance}}")).Span(6),
			grafana.TimeSeries("Controller elections", "New active controllers per second: the controller role moving between voters.",
				signals.ControllerElections.Show().Legend("elections")).Span(6),
			RegisteredBrokersPanel,
		}},
		{Title: "Commit and apply lag", Panels: []*grafana.Panel{
			grafana.TimeSeries("Uncommitted records", "Records in each node's metadata log past the high watermark (log end offset - high watermark).",
				signals.UncommittedMetadataRecords.GroupBy("instance").Legend("{{instance}}")).Span(6),
			grafana.TimeSeries("Committed but not applied", "Records the active controller committed but has not applied yet.",
				signals.UnappliedMetadataRecords.GroupBy("instance").Legend("{{instance}}")).Span(6),
			MetadataApplyLagPanel,
			grafana.TimeSeries("Commit latency", "Average time to commit a metadata record on the quorum, by voter.",
				signals.QuorumCommitLatency.GroupBy("instance").Legend("{{instance}}")).Span(6),
		}},
		{Title: "Errors", Panels: []*grafana.Panel{
			ControllerMetadataErrorsPanel,
			BrokerMetadataErrorsPanel,
			grafana.TimeSeries("Timed-out broker heartbeats", "Broker heartbeats the controller gave up on per second; leads to fencing.",
				signals.BrokerHeartbeatTimeouts.Show().Legend("timed out")).Span(6),
			UncleanElectionsPanel,
		}},
	},
}
