package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExampleConfig: the example's rules select its brokers by their own job name, leave
// the disabled alert out with its reason, and the bundled output is left as it was.
func TestExampleConfig(t *testing.T) {
	out := t.TempDir()
	var stdout bytes.Buffer
	if err := generateConfig(filepath.Join("..", "..", "examples", "own-clusters", "finobs.yaml"), out, &stdout); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(out, configRulesDir, "kafka-broker.yml"))
	if err != nil {
		t.Fatal(err)
	}
	rules := string(data)
	for _, want := range []string{`kafka_server_under_replicated_partitions{job="kafka"}`, `kafka_server_under_min_isr_partitions{job="kafka"}) > 1`,
		"runbook_url: https://wiki.example.com/finobs/runbooks/KafkaUnderReplicatedPartitions.md", "dashboard_url: https://grafana.example.com/d/",
		"alert KafkaISRChurn: disabled: our brokers are rolled nightly"} {
		if !strings.Contains(rules, want) {
			t.Errorf("kafka-broker rules lack %s", want)
		}
	}
	if strings.Contains(rules, `job="kafka-broker"`) || strings.Contains(rules, "alert: KafkaISRChurn") {
		t.Errorf("kafka-broker rules still select finobs's job names or hold the disabled alert:\n%s", rules)
	}
	// The generated two-cluster cases are in the example's own clusters.
	tests, err := os.ReadFile(filepath.Join(out, configTestsDir, "kafka-cluster.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(tests, []byte(`in prod-eu, "`)) || !bytes.Contains(tests, []byte("cluster: prod-eu")) || bytes.Contains(tests, []byte("finobs-broken")) {
		t.Errorf("two-cluster cases not in the example's clusters prod-eu and staging-eu:\n%s", tests)
	}
	// The teams' routes come after the heartbeat's and before finobs's severity routes.
	am, err := os.ReadFile(filepath.Join(out, configAlertmanager))
	if err != nil {
		t.Fatal(err)
	}
	heartbeat, team, severity := bytes.Index(am, []byte("receiver: heartbeat")), bytes.Index(am, []byte("receiver: team-kafka-platform-chat")), bytes.Index(am, []byte("    - receiver: paging\n"))
	if heartbeat < 0 || team < heartbeat || severity < team {
		t.Errorf("routes out of order (heartbeat at %d, team at %d, severity routes at %d):\n%s", heartbeat, team, severity, am)
	}
	for _, want := range []string{"routing_key_file: /etc/alertmanager/secrets/kafka-platform-pagerduty", `- cluster=~"prod-eu"`, `receiver_name=~"paging|team-kafka-platform-paging|team-payments-paging"`} {
		if !bytes.Contains(am, []byte(want)) {
			t.Errorf("alertmanager.yml lacks %s", want)
		}
	}
	// The render options are put back: finobs's own rules read job="kafka-broker" again.
	if err := generateConfigCheckBundled(t); err != nil {
		t.Error(err)
	}
}

func generateConfigCheckBundled(t *testing.T) error {
	t.Helper()
	var stdout bytes.Buffer
	return generateAll(filepath.Join("..", ".."), true, &stdout)
}
