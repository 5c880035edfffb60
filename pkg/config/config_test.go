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
