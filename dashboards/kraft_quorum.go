//go:build legacy

package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/finobs/finobs/internal/catalog"
	g "github.com/finobs/finobs/internal/grafana"
)

func kraftQuorum() *dashboard.DashboardBuilder {
	return g.NewDashboard(UID(KRaftQuorum), "KRaft controller quorum",
		"The metadata quorum: who leads, in which epoch, how far voters and brokers lag behind the committed metadata log, and metadata errors.",
		kafkaJobs).
		WithRow(g.Row("Quorum")).
		WithPanel(g.Stat("Quorum leader", "none",
			"node.id of the quorum leader as the voters see it (-1: no leader known).",
			g.Prom(g.Max("", g.S(catalog.KafkaRaftCurrentLeader, controllerJobs)), "leader"))).
		WithPanel(g.Stat("Epoch", "none",
			"Current leader epoch; each increase is an election.",
			g.Prom(g.Max("", g.S(catalog.KafkaRaftCurrentEpoch, controllerJobs)), "epoch"))).
		WithPanel(g.Stat("Active controllers", "short",
			"Voters acting as active controller: exactly 1 is healthy.",
			g.Prom(g.Sum("", g.S(catalog.KafkaActiveControllerCount)), "active"),
			g.Step{Color: "red"}, g.Step{Value: 1, Color: "green"}, g.Step{Value: 2, Color: "red"})).
		WithPanel(g.Stat("Active brokers", "short",
			"Brokers registered and unfenced, as the active controller sees them.",
			g.Prom(g.Max("", g.S(catalog.KafkaActiveBrokers)), "active"), g.BadBelow(1)...)).
		WithPanel(g.Stat("Fenced brokers", "short",
			"Brokers the controller fenced (missed heartbeats or shutting down).",
			g.Prom(g.Max("", g.S(catalog.KafkaFencedBrokers)), "fenced"), g.BadAbove(1)...)).
		WithPanel(g.Stat("Unknown voter connections", "short",
			"Connections from voters not in the quorum configuration: a misconfigured controller.quorum.bootstrap.servers.",
			g.Prom(g.Max("", g.S(catalog.KafkaRaftUnknownVoterConnections)), "unknown"), g.BadAbove(1)...)).
		WithRow(g.Row("Leadership")).
		WithPanel(g.TimeSeries("Leader seen by each voter", "none",
			"node.id of the leader each voter follows; voters disagreeing means a partitioned quorum.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaRaftCurrentLeader, controllerJobs)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Epoch by voter", "none",
			"Leader epoch each voter is in.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaRaftCurrentEpoch, controllerJobs)), "{{instance}}"))).
		WithPanel(g.TimeSeries("Controller elections", "cps",
			"New active controllers per second: the controller role moving between voters.",
			g.Prom(g.Sum("", g.Rate(catalog.KafkaNewActiveControllers)), "elections"))).
		WithRow(g.Row("Commit and apply lag")).
		WithPanel(g.TimeSeries("Uncommitted records", "short",
			"Records in each node's metadata log past the high watermark (log end offset - high watermark).",
			g.Prom(g.Max("instance", g.S(catalog.KafkaRaftLogEndOffset)+" - "+g.S(catalog.KafkaRaftHighWatermark)), "{{instance}}")).Span(6)).
		WithPanel(g.TimeSeries("Committed but not applied", "short",
			"Records the active controller committed but has not applied yet.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaControllerLastCommittedOffset)+" - "+g.S(catalog.KafkaControllerLastAppliedOffset)), "{{instance}}")).Span(6)).
		WithPanel(g.TimeSeries("Apply lag", "s",
			"Age of the last metadata record applied, on controllers and brokers: how stale each node's view of the cluster is.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaControllerAppliedLag)), "{{instance}} controller"),
			g.Prom(g.Max("instance", g.S(catalog.KafkaBrokerMetadataLag)), "{{instance}} broker")).Span(6)).
		WithPanel(g.TimeSeries("Commit latency", "s",
			"Average time to commit a metadata record on the quorum, by voter.",
			g.Prom(g.Max("instance", g.S(catalog.KafkaRaftCommitLatency)), "{{instance}}")).Span(6)).
		WithRow(g.Row("Errors")).
		WithPanel(g.TimeSeries("Metadata errors", "cps",
			"Errors per second of the controller's metadata handling and of brokers loading or applying metadata.",
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaControllerMetadataErrors)), "{{instance}} controller"),
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaBrokerMetadataLoadErrors)), "{{instance}} load"),
			g.Prom(g.Sum("instance", g.Rate(catalog.KafkaBrokerMetadataApplyErrors)), "{{instance}} apply"))).
		WithPanel(g.TimeSeries("Timed-out broker heartbeats", "cps",
			"Broker heartbeats the controller gave up on per second; leads to fencing.",
			g.Prom(g.Sum("", g.Rate(catalog.KafkaTimedOutHeartbeats)), "timed out"))).
		WithPanel(g.TimeSeries("Unclean leader elections", "cps",
			"Leaders elected out of sync per second: data was lost.",
			g.Prom(g.Sum("", g.Rate(catalog.KafkaUncleanLeaderElections)), "unclean")))
}
