package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finobs/finobs/consumergroups"
	"github.com/finobs/finobs/pkg/config"
	"github.com/finobs/finobs/pkg/consumergroup"
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
	// The example's consumer group: its levels beside finobs's own and the example's default,
	// the members alert none of finobs's groups needs, and its alerts routed to its team.
	groups, err := os.ReadFile(filepath.Join(out, configRulesDir, "kafka-consumer-groups.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`(finobs_consumergroup_lag_seconds{consumergroup="payments-ledger"}) * 120`, `(finobs_consumergroup_lag_seconds{consumergroup="finobs-stream-transactions"}) * 300`,
		`(kafka_consumergroup_members > 0) * 600`, `(kafka_consumergroup_lag_sum{consumergroup="payments-ledger"}) * 100000`, "alert: KafkaConsumerGroupNoMembers", `kafka_consumergroup_members{consumergroup=~"payments-ledger"}`} {
		if !bytes.Contains(groups, []byte(want)) {
			t.Errorf("kafka-consumer-groups rules lack %s", want)
		}
	}
	if tests, err := os.ReadFile(filepath.Join(out, configTestsDir, "kafka-consumer-groups.yml")); err != nil || !bytes.Contains(tests, []byte("KafkaConsumerGroupNoMembers: declared payments-ledger with no member")) {
		t.Errorf("the members alert's tests are not of the example's group (%v)", err)
	}
	if !bytes.Contains(am, []byte("    - receiver: team-payments-chat\n      matchers:\n        - consumergroup=~\"payments-ledger\"\n")) {
		t.Errorf("alertmanager.yml routes no consumer group to its team:\n%s", am)
	}
	if len(consumergroups.Declared.Groups) != 1 || consumergroups.Declared.Default != consumergroups.Default {
		t.Errorf("finobs's consumer groups are not put back: %+v", consumergroups.Declared)
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

// A config's group replaces finobs's of the same name, its default levels replace finobs's
// where given, and a group of a team the config lacks is an error.
func TestConsumerGroupSet(t *testing.T) {
	stream := consumergroups.Stream
	stream.Team, stream.Lag = "payments", consumergroup.Levels{Seconds: 60}
	c := &config.Config{File: "finobs.yaml", Teams: []config.Team{{Name: "payments"}}, ConsumerGroups: config.ConsumerGroups{
		Default: consumergroup.Levels{Seconds: 1200},
		Groups:  []consumergroup.Group{stream, {Name: "ledger", Members: true}},
	}}
	s, err := consumerGroupSet(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Groups) != 2 || s.Groups[0] != stream || s.Groups[1].Name != "ledger" {
		t.Errorf("groups: %+v", s.Groups)
	}
	if s.Default.Seconds != 1200 || s.Default.Records != consumergroups.Default.Records {
		t.Errorf("default: %+v", s.Default)
	}
	if consumergroups.Declared.Groups[0].Team != "" {
		t.Error("finobs's declaration changed")
	}
	defer func(d consumergroup.Set) { consumergroups.Declared = d }(consumergroups.Declared)
	consumergroups.Declared = consumergroups.Declared.With(consumergroup.Group{Name: "audit", Team: "audit"})
	if _, err := consumerGroupSet(c); err == nil || !strings.Contains(err.Error(), "consumer group audit (declared in consumergroups/) is team audit's") {
		t.Errorf("a declared group of a team the config lacks: %v", err)
	}
}
