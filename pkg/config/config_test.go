package config

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

var known = Known{
	Components: []stack.Component{stack.KafkaBroker, stack.KafkaController, stack.StreamDriver},
	Alerts:     map[string]bool{"KafkaUnderMinISRPartitions": true, "KafkaBrokerDown": true},
	Signals:    map[string][]signal.Severity{"Under-min-ISR partitions": {signal.Critical}},

	AlertComponents: []string{"kafka", "producer", "spark"},
	Scraped:         []stack.Component{stack.KafkaBroker, stack.KafkaController, stack.StreamDriver, stack.Prometheus},
}

func TestParse(t *testing.T) {
	c, err := Parse("finobs.yaml", []byte(`
clusterLabel: kafka_cluster
components:
  kafka-broker: {jobs: [kafka]}
  kafka-controller: {absent: true}
  stream-driver:
    matchers: ['namespace="streams"', 'app=~"driver.*"']
alerts:
  disable:
    - {name: KafkaBrokerDown, reason: "the platform team pages on it"}
thresholds:
  - {alert: KafkaUnderMinISRPartitions, value: 1}
  - {signal: Under-min-ISR partitions, severity: critical, value: 2.5}
`), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClusterLabel != "kafka_cluster" || c.Components[stack.KafkaBroker].Jobs[0] != "kafka" ||
		!c.Components[stack.KafkaController].Absent || len(c.Components[stack.StreamDriver].Matchers) != 2 {
		t.Errorf("config: %+v", c)
	}
	if len(c.Disable) != 1 || c.Disable[0].Reason == "" || len(c.Thresholds) != 2 || c.Thresholds[1].Value != 2.5 {
		t.Errorf("disable, thresholds: %+v %+v", c.Disable, c.Thresholds)
	}
}

// TestBadConfigs: each error names the file, the line and the key.
func TestBadConfigs(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"bad matcher", "components:\n  kafka-broker:\n    matchers: ['job=~\"(kafka\"']\n",
			`finobs.yaml:3: components.kafka-broker.matchers[0]: bad matcher "job=~\"(kafka\""`},
		{"unknown alert", "alerts:\n  disable:\n    - name: KafkaBrokerGone\n      reason: x\n",
			`finobs.yaml:3: alerts.disable[0].name: unknown alert "KafkaBrokerGone"`},
		{"bad threshold", "thresholds:\n  - alert: KafkaUnderMinISRPartitions\n    value: one\n",
			`finobs.yaml:3: thresholds[0].value: want a number, got "one"`},
		{"missing reason", "alerts:\n  disable:\n    - name: KafkaBrokerDown\n",
			`finobs.yaml:3: alerts.disable[0].reason: missing: say why KafkaBrokerDown is turned off`},
		{"unknown key", "clusterLabel: c\ncomponent:\n  kafka-broker: {jobs: [kafka]}\n",
			`finobs.yaml:2: component: unknown key`},
		{"unknown component", "components:\n  kafka-brokers: {jobs: [kafka]}\n",
			`finobs.yaml:2: components.kafka-brokers: unknown component`},
		{"unknown signal", "thresholds:\n  - {signal: Lag, severity: warning, value: 3}\n",
			`finobs.yaml:2: thresholds[0].signal: unknown signal "Lag"`},
		{"no such level", "thresholds:\n  - {signal: Under-min-ISR partitions, severity: warning, value: 3}\n",
			`finobs.yaml:2: thresholds[0].severity: signal "Under-min-ISR partitions" has no "warning" level`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("finobs.yaml", []byte(tc.yaml), known)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
			t.Log(err)
		})
	}
}

func TestTeams(t *testing.T) {
	c, err := Parse("finobs.yaml", []byte(`
clusters: [prod-eu, staging-eu]
teams:
  - name: kafka-eu
    clusters: [prod-eu]
    components: [kafka]
    paging: {pagerduty: {routingKeyFile: /etc/alertmanager/secrets/kafka-eu-pagerduty}}
    chat: {slack: {apiURLFile: /etc/alertmanager/secrets/kafka-eu-slack, channel: "#kafka-eu"}}
  - name: payments
    topics: [financial_transactions]
    paging: {webhook: {urlFile: /etc/alertmanager/secrets/payments-hook}}
    chat: {webhook: {urlFile: /etc/alertmanager/secrets/payments-hook}}
`), known)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Clusters) != 2 || len(c.Teams) != 2 {
		t.Fatalf("clusters %v, teams %+v", c.Clusters, c.Teams)
	}
	k := c.Teams[0]
	if k.Paging.PagerDutyKeyFile != "/etc/alertmanager/secrets/kafka-eu-pagerduty" || k.Chat.SlackChannel != "#kafka-eu" {
		t.Errorf("team: %+v", k)
	}
	for _, tc := range []struct {
		labels map[string]string
		owns   bool
	}{
		{map[string]string{"cluster": "prod-eu", "component": "kafka"}, true},
		{map[string]string{"cluster": "staging-eu", "component": "kafka"}, false},
		{map[string]string{"cluster": "prod-eu", "component": "spark"}, false},
	} {
		if got := k.Owns(tc.labels, "cluster"); got != tc.owns {
			t.Errorf("%s owns %v: %v, want %v", k.Name, tc.labels, got, tc.owns)
		}
	}
	if p := c.Teams[1]; !p.Owns(map[string]string{"topic": "financial_transactions", "cluster": "any"}, "cluster") || p.Owns(map[string]string{"cluster": "prod-eu"}, "cluster") {
		t.Errorf("a team of a topic owns only alerts of that topic")
	}
}

// TestBadTeams: each error names the file, the line and the key.
func TestBadTeams(t *testing.T) {
	const pd = "    paging: {pagerduty: {routingKeyFile: /s/pd}}\n    chat: {webhook: {urlFile: /s/hook}}\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown cluster", "clusters: [prod-eu]\nteams:\n  - name: a\n    clusters: [prod-us]\n" + pd,
			`finobs.yaml:4: teams[0].clusters[0]: unknown cluster "prod-us" (clusters: prod-eu)`},
		{"unknown component label", "teams:\n  - name: a\n    components: [kafka-broker]\n" + pd,
			`finobs.yaml:3: teams[0].components[0]: unknown component label "kafka-broker" (alerts carry: kafka, producer, spark)`},
		{"secret given as a value", "teams:\n  - name: a\n    paging: {pagerduty: {routingKeyFile: abc123}}\n    chat: {webhook: {urlFile: /s/hook}}\n",
			`finobs.yaml:3: teams[0].paging.pagerduty.routingKeyFile: "abc123": an absolute path`},
		{"two integrations", "teams:\n  - name: a\n    paging: {pagerduty: {routingKeyFile: /s/pd}, webhook: {urlFile: /s/h}}\n    chat: {webhook: {urlFile: /s/hook}}\n",
			`finobs.yaml:3: teams[0].paging: give one of pagerduty, slack or webhook (got 2)`},
		{"slack without channel", "teams:\n  - name: a\n    paging: {pagerduty: {routingKeyFile: /s/pd}}\n    chat: {slack: {apiURLFile: /s/slack}}\n",
			`finobs.yaml:4: teams[0].chat.slack.channel: missing`},
		{"no chat", "teams:\n  - name: a\n    paging: {pagerduty: {routingKeyFile: /s/pd}}\n",
			`finobs.yaml:2: teams[0].chat: missing: where the team's warnings go`},
		{"bad name", "teams:\n  - name: Kafka EU\n" + pd,
			`finobs.yaml:2: teams[0].name: "Kafka EU": lower case letters, digits and dashes`},
		{"name twice", "teams:\n  - name: a\n" + pd + "  - name: a\n" + pd,
			`finobs.yaml:5: teams[1].name: team "a" given twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("finobs.yaml", []byte(tc.yaml), known)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
		})
	}
}

func TestURLs(t *testing.T) {
	c, err := Parse("finobs.yaml", []byte("urls:\n  grafana: https://grafana.example.com/\n  runbook: https://wiki.example.com/runbooks/{alert}.md\n"), known)
	if err != nil {
		t.Fatal(err)
	}
	if c.GrafanaURL != "https://grafana.example.com" || c.Runbook("KafkaBrokerDown") != "https://wiki.example.com/runbooks/KafkaBrokerDown.md" {
		t.Errorf("urls: %q %q", c.GrafanaURL, c.Runbook("KafkaBrokerDown"))
	}
	for _, tc := range []struct{ yaml, want string }{
		{"urls:\n  runbook: https://wiki.example.com/runbooks\n", `finobs.yaml:2: urls.runbook: "https://wiki.example.com/runbooks" names no alert`},
		{"urls:\n  grafana: grafana.example.com\n", `finobs.yaml:2: urls.grafana: "grafana.example.com": want an absolute http or https URL`},
	} {
		if _, err := Parse("finobs.yaml", []byte(tc.yaml), known); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want it to contain %s", err, tc.want)
		}
	}
}

func TestConsumerGroups(t *testing.T) {
	const receivers = "    paging: {pagerduty: {routingKeyFile: /s/pd}}\n    chat: {webhook: {urlFile: /s/hook}}\n"
	c, err := Parse("finobs.yaml", []byte(`
consumerGroups:
  default: {lagSeconds: 600}
  groups:
    - {name: payments-ledger, team: payments, lagSeconds: 120, lagRecords: 50000}
    - {name: finobs-stream-transactions, lagSeconds: 900, members: false}
    - {name: audit}
clusters: [prod-eu, staging-eu]
teams:
  - name: kafka-eu
    clusters: [prod-eu]
    components: [kafka]
`+receivers+`  - name: payments
`+receivers), known)
	if err != nil {
		t.Fatal(err)
	}
	cg := c.ConsumerGroups
	if cg.Default.Seconds != 600 || cg.Default.Records != 0 || len(cg.Groups) != 3 {
		t.Fatalf("consumer groups: %+v", cg)
	}
	if g := cg.Groups[0]; g.Team != "payments" || g.Lag.Seconds != 120 || g.Lag.Records != 50000 || !g.Members {
		t.Errorf("declared group: %+v", g)
	}
	if cg.Groups[1].Members || !cg.Groups[2].Members || cg.Groups[2].Lag.Seconds != 0 {
		t.Errorf("members default to true, levels to 0 (the default's): %+v", cg.Groups[1:])
	}
	pay, kafka := c.Teams[1], c.Teams[0]
	if len(pay.ConsumerGroups) != 1 || pay.ConsumerGroups[0] != "payments-ledger" || !pay.GroupsOnly() || len(kafka.ConsumerGroups) != 0 {
		t.Fatalf("teams' groups: %+v, %+v", pay, kafka)
	}
	for _, tc := range []struct {
		team   Team
		labels map[string]string
		owns   bool
	}{
		{pay, map[string]string{"cluster": "staging-eu", "component": "consumer-groups", "consumergroup": "payments-ledger"}, true},
		{pay, map[string]string{"cluster": "prod-eu", "component": "consumer-groups", "consumergroup": "audit"}, false},
		// A team of groups only does not own everything else.
		{pay, map[string]string{"cluster": "prod-eu", "component": "kafka"}, false},
		{kafka, map[string]string{"cluster": "prod-eu", "component": "kafka"}, true},
	} {
		if got := tc.team.Owns(tc.labels, "cluster"); got != tc.owns {
			t.Errorf("%s owns %v: %v, want %v", tc.team.Name, tc.labels, got, tc.owns)
		}
	}
	// A team's clusters bound its groups too.
	kafka.ConsumerGroups = []string{"audit"}
	if kafka.Owns(map[string]string{"cluster": "staging-eu", "consumergroup": "audit"}, "cluster") ||
		!kafka.Owns(map[string]string{"cluster": "prod-eu", "component": "consumer-groups", "consumergroup": "audit"}, "cluster") {
		t.Error("a team of a cluster owns its groups there, and only there")
	}
}

// TestBadConsumerGroups: each error names the file, the line and the key.
func TestBadConsumerGroups(t *testing.T) {
	const team = "teams:\n  - name: pay\n    paging: {pagerduty: {routingKeyFile: /s/pd}}\n    chat: {webhook: {urlFile: /s/hook}}\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"unknown team", "consumerGroups:\n  groups:\n    - name: ledger\n      team: payments\n" + team,
			`finobs.yaml:4: consumerGroups.groups[0].team: unknown team "payments" (teams: pay)`},
		{"name twice", "consumerGroups:\n  groups:\n    - {name: ledger}\n    - {name: ledger, lagSeconds: 60}\n",
			`finobs.yaml:4: consumerGroups.groups[1].name: consumer group "ledger" given twice`},
		{"level zero", "consumerGroups:\n  default: {lagRecords: 1000, lagSeconds: 0}\n",
			`finobs.yaml:2: consumerGroups.default.lagSeconds: 0: want a level above 0`},
		{"negative level", "consumerGroups:\n  groups:\n    - name: ledger\n      lagRecords: -5\n",
			`finobs.yaml:4: consumerGroups.groups[0].lagRecords: -5: want a level above 0`},
		{"level not a number", "consumerGroups:\n  groups:\n    - {name: ledger, lagSeconds: 5m}\n",
			`finobs.yaml:3: consumerGroups.groups[0].lagSeconds: want a number, got "5m"`},
		{"members not a boolean", "consumerGroups:\n  groups:\n    - {name: ledger, members: some}\n",
			`finobs.yaml:3: consumerGroups.groups[0].members: want true or false, got "some"`},
		{"no name", "consumerGroups:\n  groups:\n    - {lagSeconds: 60}\n",
			`finobs.yaml:3: consumerGroups.groups[0].name: missing: the group's name`},
		{"unknown key", "consumerGroups:\n  groups:\n    - {name: ledger, lag: 60}\n",
			`finobs.yaml:3: consumerGroups.groups[0].lag: unknown key (known: name, team, lagRecords, lagSeconds, members)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("finobs.yaml", []byte(tc.yaml), known)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %s", err, tc.want)
			}
		})
	}
}
