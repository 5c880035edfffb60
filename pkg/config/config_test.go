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
