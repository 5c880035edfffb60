package alerts

import (
	"time"

	am "github.com/finobs/finobs/internal/alertmanager"
	"github.com/finobs/finobs/pkg/rules"
)

// Receivers. Secrets live in files the deployment mounts under SecretsDir, never in the repo.
const (
	PagingReceiver  = "paging"  // critical: wakes someone up
	ChatReceiver    = "chat"    // warning: the team channel, looked at in working hours
	DefaultReceiver = "default" // everything else (info): a low-traffic channel
	// HeartbeatReceiver gets the Watchdog every minute: a dead man's switch service that
	// pages through a path of its own when the heartbeats stop.
	HeartbeatReceiver = "heartbeat"
)

// Heartbeat timing: a flush every group interval, the Watchdog resent once repeat has
// passed, so heartbeats arrive every repeat to repeat + group interval. A dead man's switch
// should page after a few of them are missing, not one.
const (
	HeartbeatGroupInterval = 15 * time.Second
	HeartbeatRepeat        = time.Minute
)

// SecretsDir is where Compose mounts the receivers' secret files.
const SecretsDir = "/etc/alertmanager/secrets"

// names lists the names of alerts, for inhibitions: an alert value, not a string, so a
// rename or a removal breaks the build instead of muting nothing.
func names(as ...rules.Alert) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Name
	}
	return out
}

// firingIn is the label set of alert a firing in cluster with further labels, for
// inhibition tests.
func firingIn(cluster string, a rules.Alert, g rules.Group, kv ...string) map[string]string {
	l := map[string]string{"alertname": a.Name, "severity": string(a.Severity()), "component": g.Component, "cluster": cluster}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return l
}

// Routing is the Alertmanager routing tree, inhibitions and the expectations amtool checks.
var Routing = am.Config{
	ResolveTimeout: 5 * time.Minute,
	Route: am.Route{
		Receiver: DefaultReceiver,
		// job too: TargetDown is one alert for every component, and a producer that stops must
		// not wait for the group of a stream driver that stopped minutes before.
		GroupBy:        []string{"cluster", "component", "alertname", "job"},
		GroupWait:      30 * time.Second,
		GroupInterval:  5 * time.Minute,
		RepeatInterval: 12 * time.Hour,
		Routes: []am.Route{
			// The heartbeat first, and alone: whatever else matches, it goes only to the dead
			// man's switch, and often.
			{Receiver: HeartbeatReceiver, Matchers: []string{`alertname="` + Watchdog.Name + `"`}, GroupWait: time.Second,
				GroupInterval: HeartbeatGroupInterval, RepeatInterval: HeartbeatRepeat},
			// A receiver that fails cannot carry the alert saying so: paging's failures go to
			// chat (as fast as a page); any other receiver's page through the critical route.
			{Receiver: ChatReceiver, Matchers: []string{`alertname="` + AlertmanagerNotificationsFailing.Name + `"`, `receiver_name="` + PagingReceiver + `"`},
				GroupWait: 10 * time.Second, GroupInterval: time.Minute, RepeatInterval: time.Hour},
			// Pages go out fast and repeat until someone acts.
			{Receiver: PagingReceiver, Matchers: []string{`severity="critical"`}, GroupWait: 10 * time.Second, GroupInterval: time.Minute, RepeatInterval: time.Hour},
			// Chat is batched: one message per group every few minutes, repeated twice a day.
			{Receiver: ChatReceiver, Matchers: []string{`severity="warning"`}, GroupWait: time.Minute, GroupInterval: 5 * time.Minute, RepeatInterval: 12 * time.Hour},
			{Receiver: DefaultReceiver, Matchers: []string{`severity="info"`}, GroupWait: 5 * time.Minute, GroupInterval: 30 * time.Minute, RepeatInterval: 24 * time.Hour},
		},
	},
	Inhibit: []am.Inhibit{
		{
			// Not under-min-ISR: with min.insync.replicas below the replication factor, one broker
			// down leaves every partition writable; partitions under min ISR mean a second replica
			// is out and writes fail, a page of its own. Not TargetDown: that is another
			// component's target (the same instance's is muted below).
			Why:          "a broker that is down explains the replication alerts it causes",
			SourceAlerts: names(KafkaBrokerDown),
			TargetAlerts: names(KafkaUnderReplicatedPartitions, KafkaISRChurn, KafkaBrokersNotRegistered),
			Equal:        []string{"cluster"},
		},
		{
			// The broker lives and leads elsewhere: only the replicas of the failed directory
			// are out, and the leaders of their partitions report them under-replicated. Not
			// under-min-ISR: one replica out leaves min.insync.replicas; more is a page of its own.
			Why:          "an offline log directory explains the under-replicated partitions whose replicas it held",
			SourceAlerts: names(KafkaOfflineLogDirectory),
			TargetAlerts: names(KafkaUnderReplicatedPartitions),
			Equal:        []string{"cluster"},
		},
		{
			Why:            "without a controller quorum, every other Kafka alert follows from it",
			SourceAlerts:   names(KafkaNoActiveController),
			TargetMatchers: []string{`component="kafka"`},
			ExceptAlerts:   names(KafkaNoActiveController, KafkaControllerDown),
			Equal:          []string{"cluster"},
		},
		{
			Why:          "a Kafka process that is down needs no second, generic alert",
			SourceAlerts: names(KafkaBrokerDown, KafkaControllerDown),
			TargetAlerts: names(TargetDown),
			Equal:        []string{"cluster", "instance"},
		},
		{
			Why:          "a pipeline process or the registry that is down needs no second, generic alert",
			SourceAlerts: names(ProducerDown, StreamDriverDown, SparkConnectDown, SchemaRegistryDown),
			TargetAlerts: names(TargetDown),
			Equal:        []string{"cluster", "instance"},
		},
		{
			// Not the crash loop: the driver's restarts fail at once while the server is gone,
			// and the loop pages before the server's for has passed; it tells the same story.
			Why:          "queries run in the Spark Connect server: with it down they are down and make no progress",
			SourceAlerts: names(SparkConnectDown),
			TargetAlerts: names(StreamQueryDown, StreamProgressStale, StreamQueryStalled),
			Equal:        []string{"cluster"},
		},
		{
			Why:          "a query that stopped reports no progress",
			SourceAlerts: names(StreamQueryDown),
			TargetAlerts: names(StreamProgressStale),
			Equal:        []string{"cluster", "query"},
		},
		{
			Why:          "a stalled query explains why it has no input",
			SourceAlerts: names(StreamQueryStalled),
			TargetAlerts: names(StreamNoInput),
			Equal:        []string{"cluster", "query"},
		},
		{
			Why:          "a query in a crash loop is down between its restarts and completes no batch",
			SourceAlerts: names(StreamQueryCrashLooping),
			TargetAlerts: names(StreamQueryDown, StreamProgressStale, StreamQueryStalled),
			Equal:        []string{"cluster", "query"},
		},
		{
			Why:          "a driver that gave up on its query (a data loss, or failures past its restart policy) exits: its target is down",
			SourceAlerts: names(StreamDataLoss, StreamQueryCrashLooping),
			TargetAlerts: names(TargetDown),
			Equal:        []string{"cluster", "instance"},
		},
		{
			// Not the crash loop's give-up: its restarts stay in its 15-minute window after the
			// loop healed, and a driver killed later would be muted by a loop long over.
			Why:          "a driver exits at once on a data loss: the loss is the page, not the driver down",
			SourceAlerts: names(StreamDataLoss),
			TargetAlerts: names(StreamDriverDown),
			Equal:        []string{"cluster", "instance"},
		},
		{
			Why:            "a lost Spark worker needs no second, generic alert",
			SourceAlerts:   names(SparkWorkerLost, SparkNoWorkerAlive),
			TargetAlerts:   names(TargetDown),
			TargetMatchers: []string{`job="spark-worker"`},
			Equal:          []string{"cluster"},
		},
		{
			Why:          "without a worker nothing runs: the lost workers, the waiting application and the stalled queries follow from it",
			SourceAlerts: names(SparkNoWorkerAlive),
			TargetAlerts: names(SparkWorkerLost, SparkApplicationWaiting, StreamProgressStale, StreamQueryStalled),
			Equal:        []string{"cluster"},
		},
		{
			// And of the same consumer group: the group alerts keep no instance, and one group's
			// page says nothing of another's backlog. Alerts without the label match on it.
			Why:            "a critical alert silences the warnings of the same component on the same instance (of the same consumer group)",
			SourceMatchers: []string{`severity="critical"`},
			TargetMatchers: []string{`severity="warning"`},
			Equal:          []string{"cluster", "component", "instance", "consumergroup"},
		},
	},
	Receivers: []am.Receiver{
		{Name: PagingReceiver, PagerDuty: &am.PagerDuty{RoutingKeyFile: SecretsDir + "/pagerduty-routing-key"}},
		{Name: ChatReceiver, Slack: &am.Slack{APIURLFile: SecretsDir + "/slack-webhook-url", Channel: "#finobs-alerts"}},
		{Name: DefaultReceiver, Slack: &am.Slack{APIURLFile: SecretsDir + "/slack-webhook-url", Channel: "#finobs-info"}},
		{Name: HeartbeatReceiver, Webhook: &am.Webhook{URLFile: SecretsDir + "/deadmansswitch-url"}},
	},
	InhibitTests: []am.InhibitTest{
		{
			Name:      "a critical alert of the monitoring stack leaves the Watchdog firing",
			Source:    firingIn("finobs-local", AlertmanagerNotificationsFailing, Monitoring, "instance", "alertmanager", "receiver_name", "heartbeat"),
			Target:    firingIn("finobs-local", Watchdog, Monitoring),
			Inhibited: false,
		},
		{
			Name:      "no active controller leaves the Watchdog firing",
			Source:    firingIn("finobs-local", KafkaNoActiveController, KafkaCluster),
			Target:    firingIn("finobs-local", Watchdog, Monitoring),
			Inhibited: false,
		},
		{
			Name:      "a down broker mutes under-replication",
			Source:    firingIn("finobs-local", KafkaBrokerDown, KafkaCluster, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", KafkaUnderReplicatedPartitions, KafkaBroker, "instance", "kafka-broker-1"),
			Inhibited: true,
		},
		{
			Name:      "a down broker leaves another component's target down",
			Source:    firingIn("finobs-local", KafkaBrokerDown, KafkaCluster, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "producer", "job", "producer"),
			Inhibited: false,
		},
		{
			Name:      "a down broker leaves partitions under min ISR paging (a second replica is out)",
			Source:    firingIn("finobs-local", KafkaBrokerDown, KafkaCluster, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", KafkaUnderMinISRPartitions, KafkaBroker, "instance", "kafka-broker-1"),
			Inhibited: false,
		},
		{
			Name:      "a down broker mutes its own target down",
			Source:    firingIn("finobs-local", KafkaBrokerDown, KafkaCluster, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "kafka-broker-3", "job", "kafka-broker"),
			Inhibited: true,
		},
		{
			Name:      "a down broker in another cluster mutes nothing here",
			Source:    firingIn("finobs-other", KafkaBrokerDown, KafkaCluster, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", KafkaUnderMinISRPartitions, KafkaBroker, "instance", "kafka-broker-1"),
			Inhibited: false,
		},
		{
			Name:      "an offline log dir mutes the under-replication on the leaders of its partitions",
			Source:    firingIn("finobs-local", KafkaOfflineLogDirectory, KafkaBroker, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", KafkaUnderReplicatedPartitions, KafkaBroker, "instance", "kafka-broker-1"),
			Inhibited: true,
		},
		{
			Name:      "an offline log dir leaves partitions under min ISR paging",
			Source:    firingIn("finobs-local", KafkaOfflineLogDirectory, KafkaBroker, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", KafkaUnderMinISRPartitions, KafkaBroker, "instance", "kafka-broker-1"),
			Inhibited: false,
		},
		{
			Name:      "an offline log dir leaves the full disk that caused it paging",
			Source:    firingIn("finobs-local", KafkaOfflineLogDirectory, KafkaBroker, "instance", "kafka-broker-3"),
			Target:    firingIn("finobs-local", KafkaDiskAlmostFull, KafkaHost, "instance", "node-exporter", "mountpoint", "/data/kafka-broker-3-disk2"),
			Inhibited: false,
		},
		{
			Name:      "no active controller mutes the Kafka alerts that follow",
			Source:    firingIn("finobs-local", KafkaNoActiveController, KafkaCluster),
			Target:    firingIn("finobs-local", KafkaOfflinePartitions, KafkaCluster),
			Inhibited: true,
		},
		{
			Name:      "no active controller does not mute a controller that is down",
			Source:    firingIn("finobs-local", KafkaNoActiveController, KafkaCluster),
			Target:    firingIn("finobs-local", KafkaControllerDown, KafkaCluster, "instance", "kafka-controller-2"),
			Inhibited: false,
		},
		{
			Name:      "a stopped query mutes its stale progress",
			Source:    firingIn("finobs-local", StreamQueryDown, Streaming, "query", "transactions"),
			Target:    firingIn("finobs-local", StreamProgressStale, Streaming, "query", "transactions"),
			Inhibited: true,
		},
		{
			Name:      "a stalled query mutes its no-input warning",
			Source:    firingIn("finobs-local", StreamQueryStalled, Streaming, "query", "transactions"),
			Target:    firingIn("finobs-local", StreamNoInput, Streaming, "query", "transactions"),
			Inhibited: true,
		},
		{
			Name:      "a crash loop mutes the query's down page",
			Source:    firingIn("finobs-local", StreamQueryCrashLooping, Streaming, "query", "transactions", "instance", "stream-driver"),
			Target:    firingIn("finobs-local", StreamQueryDown, Streaming, "query", "transactions", "instance", "stream-driver"),
			Inhibited: true,
		},
		{
			Name:      "a crash loop of another query leaves this one's down page",
			Source:    firingIn("finobs-local", StreamQueryCrashLooping, Streaming, "query", "other", "instance", "stream-driver"),
			Target:    firingIn("finobs-local", StreamQueryDown, Streaming, "query", "transactions", "instance", "stream-driver"),
			Inhibited: false,
		},
		{
			Name:      "a lost worker mutes its target down",
			Source:    firingIn("finobs-local", SparkWorkerLost, SparkCluster),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "spark-worker-2", "job", "spark-worker"),
			Inhibited: true,
		},
		{
			Name:      "a lost worker leaves the producer's target down",
			Source:    firingIn("finobs-local", SparkWorkerLost, SparkCluster),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "producer", "job", "producer"),
			Inhibited: false,
		},
		{
			Name:      "no worker alive mutes the stalled query",
			Source:    firingIn("finobs-local", SparkNoWorkerAlive, SparkCluster),
			Target:    firingIn("finobs-local", StreamQueryStalled, Streaming, "query", "transactions"),
			Inhibited: true,
		},
		{
			Name:      "no worker alive in another cluster mutes nothing here",
			Source:    firingIn("finobs-other", SparkNoWorkerAlive, SparkCluster),
			Target:    firingIn("finobs-local", StreamProgressStale, Streaming, "query", "transactions"),
			Inhibited: false,
		},
		{
			Name:      "a stalled query does not mute a lost worker (a cause it may have)",
			Source:    firingIn("finobs-local", StreamQueryStalled, Streaming, "query", "transactions"),
			Target:    firingIn("finobs-local", SparkWorkerLost, SparkCluster),
			Inhibited: false,
		},
		{
			Name:      "a data loss mutes the exited driver's target down",
			Source:    firingIn("finobs-local", StreamDataLoss, Streaming, "query", "transactions", "instance", "stream-driver", "error_class", "data_loss"),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "stream-driver", "job", "stream-driver"),
			Inhibited: true,
		},
		{
			Name:      "a producer that is down mutes its own target down",
			Source:    firingIn("finobs-local", ProducerDown, Producer, "instance", "producer", "job", "producer"),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "producer", "job", "producer"),
			Inhibited: true,
		},
		{
			Name:      "a producer that is down leaves the stream driver's target down",
			Source:    firingIn("finobs-local", ProducerDown, Producer, "instance", "producer", "job", "producer"),
			Target:    firingIn("finobs-local", TargetDown, Monitoring, "instance", "stream-driver", "job", "stream-driver"),
			Inhibited: false,
		},
		{
			Name:      "Spark Connect down mutes the stopped query",
			Source:    firingIn("finobs-local", SparkConnectDown, Streaming, "instance", "spark-connect", "job", "spark-connect"),
			Target:    firingIn("finobs-local", StreamQueryDown, Streaming, "query", "transactions", "instance", "stream-driver"),
			Inhibited: true,
		},
		{
			Name:      "Spark Connect down leaves the crash loop paging",
			Source:    firingIn("finobs-local", SparkConnectDown, Streaming, "instance", "spark-connect", "job", "spark-connect"),
			Target:    firingIn("finobs-local", StreamQueryCrashLooping, Streaming, "query", "transactions", "instance", "stream-driver"),
			Inhibited: false,
		},
		{
			Name:      "a data loss mutes the exited driver's down page",
			Source:    firingIn("finobs-local", StreamDataLoss, Streaming, "query", "transactions", "instance", "stream-driver", "error_class", "data_loss"),
			Target:    firingIn("finobs-local", StreamDriverDown, Streaming, "instance", "stream-driver", "job", "stream-driver"),
			Inhibited: true,
		},
		{
			Name:      "a crash loop leaves a driver that is down paging",
			Source:    firingIn("finobs-local", StreamQueryCrashLooping, Streaming, "query", "transactions", "instance", "stream-driver"),
			Target:    firingIn("finobs-local", StreamDriverDown, Streaming, "instance", "stream-driver", "job", "stream-driver"),
			Inhibited: false,
		},
		{
			Name:      "a consumer group's lag page mutes its own backlog warning",
			Source:    firingIn("finobs-local", KafkaConsumerGroupLagging, ConsumerGroups(), "consumergroup", "payments"),
			Target:    firingIn("finobs-local", KafkaConsumerGroupBacklog, ConsumerGroups(), "consumergroup", "payments"),
			Inhibited: true,
		},
		{
			Name:      "a consumer group's lag page leaves another group's backlog warning",
			Source:    firingIn("finobs-local", KafkaConsumerGroupLagging, ConsumerGroups(), "consumergroup", "payments"),
			Target:    firingIn("finobs-local", KafkaConsumerGroupBacklog, ConsumerGroups(), "consumergroup", "audit"),
			Inhibited: false,
		},
	},
	Tests: []am.RouteTest{
		{Labels: map[string]string{"alertname": "ProducerDown", "severity": "critical", "component": "producer"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "StreamDriverDown", "severity": "critical", "component": "spark"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "SparkConnectDown", "severity": "critical", "component": "spark"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "KafkaOfflinePartitions", "severity": "critical", "component": "kafka"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "ProducerSendErrors", "severity": "critical", "component": "producer"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "KafkaUnderReplicatedPartitions", "severity": "warning", "component": "kafka"}, Receivers: []string{ChatReceiver}},
		{Labels: map[string]string{"alertname": "TargetDown", "severity": "warning", "component": "monitoring"}, Receivers: []string{ChatReceiver}},
		{Labels: map[string]string{"alertname": "StreamLateRowsDropped", "severity": "info", "component": "spark"}, Receivers: []string{DefaultReceiver}},
		{Labels: map[string]string{"alertname": "StreamQueryCrashLooping", "severity": "critical", "component": "spark"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "StreamDataLoss", "severity": "critical", "component": "spark"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "SparkNoWorkerAlive", "severity": "critical", "component": "spark-cluster"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "SparkWorkerLost", "severity": "warning", "component": "spark-cluster"}, Receivers: []string{ChatReceiver}},
		{Labels: map[string]string{"alertname": "KafkaConsumerGroupLagging", "severity": "critical", "component": "consumer-groups", "consumergroup": "finobs-stream-transactions"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "KafkaConsumerGroupBacklog", "severity": "warning", "component": "consumer-groups", "consumergroup": "finobs-stream-transactions"}, Receivers: []string{ChatReceiver}},
		{Labels: map[string]string{"alertname": "SomethingUnlabelled"}, Receivers: []string{DefaultReceiver}},
		{Labels: map[string]string{"alertname": "Watchdog", "severity": "none", "component": "monitoring"}, Receivers: []string{HeartbeatReceiver}},
		{Labels: map[string]string{"alertname": "AlertmanagerNotificationsFailing", "severity": "critical", "component": "monitoring", "receiver_name": "paging", "integration": "pagerduty"}, Receivers: []string{ChatReceiver}},
		{Labels: map[string]string{"alertname": "AlertmanagerNotificationsFailing", "severity": "critical", "component": "monitoring", "receiver_name": "chat", "integration": "slack"}, Receivers: []string{PagingReceiver}},
		{Labels: map[string]string{"alertname": "AlertmanagerNotificationsFailing", "severity": "critical", "component": "monitoring", "receiver_name": "heartbeat", "integration": "webhook"}, Receivers: []string{PagingReceiver}},
	},
}
