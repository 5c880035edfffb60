package kafkaconf

import (
	"slices"
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

// TestComposeRunsWhatNativeChecks: each Compose node gets the settings of the native 3+3
// node of the same name, key by key, but for the allow-listed deployment keys.
func TestComposeRunsWhatNativeChecks(t *testing.T) {
	compose := topology.Compose()
	local, err := topology.Local(3)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ci := range compose.Instances {
		if !slices.Contains(stack.KafkaRoles, ci.Component) {
			continue
		}
		var li *stack.Instance
		for _, i := range local.Instances {
			if i.Name == ci.Name {
				li = &i
			}
		}
		if li == nil {
			t.Errorf("%s: no native node of that name", ci.Name)
			continue
		}
		cs, err := Node(compose, ci, LogDirs(ci, "/var/lib/kafka/data")...)
		if err != nil {
			t.Fatal(err)
		}
		ls, err := Node(local, *li, LogDirs(*li, "/tmp/x")...)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range Differences(Map(cs), Map(ls), DeploymentKeys) {
			t.Errorf("%s: %s", ci.Name, d)
		}
		n++
	}
	if n != 6 {
		t.Errorf("compared %d nodes, want 6", n)
	}
}

// The comparison catches a setting that differs, one that is missing, and leaves the
// allow-listed ones alone.
func TestDifferencesCatches(t *testing.T) {
	base := map[string]string{"node.id": "4", "listeners": "PLAINTEXT://a:1", "num.partitions": "3"}
	for _, c := range []struct {
		name  string
		other map[string]string
		want  string
	}{
		{"value", map[string]string{"node.id": "4", "listeners": "PLAINTEXT://a:1", "num.partitions": "6"}, "num.partitions"},
		{"missing", map[string]string{"node.id": "4", "listeners": "PLAINTEXT://a:1"}, "num.partitions"},
		{"extra", map[string]string{"node.id": "4", "listeners": "PLAINTEXT://a:1", "num.partitions": "3", "x.y": "1"}, "x.y"},
		{"allowed key missing", map[string]string{"node.id": "4", "num.partitions": "3"}, "listeners"},
		{"allowed", map[string]string{"node.id": "4", "listeners": "PLAINTEXT://b:2", "num.partitions": "3"}, ""},
	} {
		got := strings.Join(Differences(base, c.other, DeploymentKeys), "; ")
		if c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want+":") {
			t.Errorf("%s: got %q, want a difference in %q", c.name, got, c.want)
		}
	}
}

func TestComposeBrokerListeners(t *testing.T) {
	c := topology.Compose()
	s, err := Node(c, c.Of(stack.KafkaBroker)[1], "/d")
	if err != nil {
		t.Fatal(err)
	}
	m := Map(s)
	for k, want := range map[string]string{
		"listeners":                      "PLAINTEXT://kafka-broker-2:9092,HOST://0.0.0.0:29093",
		"advertised.listeners":           "PLAINTEXT://kafka-broker-2:9092,HOST://127.0.0.1:29093",
		"listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,HOST:PLAINTEXT",
		"controller.quorum.voters":       "1@kafka-controller-1:9093,2@kafka-controller-2:9093,3@kafka-controller-3:9093",
		"node.id":                        "5",
		"process.roles":                  "broker",
	} {
		if m[k] != want {
			t.Errorf("%s = %q, want %q", k, m[k], want)
		}
	}
	ctl, err := Node(c, c.Of(stack.KafkaController)[0], "/d")
	if err != nil {
		t.Fatal(err)
	}
	if m := Map(ctl); m["advertised.listeners"] != "" || m["listeners"] != "CONTROLLER://kafka-controller-1:9093" {
		t.Errorf("controller: %v", m)
	}
}

func TestNodeRefuses(t *testing.T) {
	c := topology.Compose()
	if _, err := Node(c, c.One(stack.Grafana), "/d"); err == nil || !strings.Contains(err.Error(), "grafana") {
		t.Errorf("grafana: %v", err)
	}
	if _, err := Node(c, c.Of(stack.KafkaBroker)[0], ""); err == nil || !strings.Contains(err.Error(), "kafka-broker-1") {
		t.Errorf("empty log dir: %v", err)
	}
	b := c.Of(stack.KafkaBroker)[0]
	if _, err := Node(c, b, "/a", "/b"); err == nil || !strings.Contains(err.Error(), "keeps 1 log dirs, given 2") {
		t.Errorf("two dirs for a node of one: %v", err)
	}
	b.LogDirs = 2
	if _, err := Node(c, b, "/a"); err == nil || !strings.Contains(err.Error(), "keeps 2 log dirs, given 1") {
		t.Errorf("one dir for a node of two: %v", err)
	}
	if _, err := Node(c, b, "/a", "/b,/c"); err == nil || !strings.Contains(err.Error(), "comma") {
		t.Errorf("a comma in a dir: %v", err)
	}
}

// A JBOD node lists every directory in log.dirs, the first (the metadata log's) first.
func TestLogDirs(t *testing.T) {
	local, err := topology.Local(3)
	if err != nil {
		t.Fatal(err)
	}
	var jbod []stack.Instance
	for _, b := range local.Of(stack.KafkaBroker) {
		if b.KafkaLogDirs() > 1 {
			jbod = append(jbod, b)
		}
	}
	if len(jbod) != 1 || jbod[0].KafkaLogDirs() != 2 {
		t.Fatalf("the 3-node stack has %d brokers with more than one log dir, want one with two", len(jbod))
	}
	s, err := Node(local, jbod[0], LogDirs(jbod[0], "/data/b")...)
	if err != nil {
		t.Fatal(err)
	}
	if got := Map(s)["log.dirs"]; got != "/data/b,/data/b-disk2" {
		t.Errorf("log.dirs = %q", got)
	}
	if got := LogDirs(local.Of(stack.KafkaBroker)[0], "/data/a"); !slices.Equal(got, []string{"/data/a"}) {
		t.Errorf("one dir: %v", got)
	}
}

func TestEnvNames(t *testing.T) {
	for key, env := range map[string]string{
		"log.dirs":       "KAFKA_LOG_DIRS",
		"abc_def":        "KAFKA_ABC__DEF",
		"abc-def":        "KAFKA_ABC___DEF",
		"a.b_c-d.e":      "KAFKA_A_B__C___D_E",
		"node.id":        "KAFKA_NODE_ID",
		"num.partitions": "KAFKA_NUM_PARTITIONS",
	} {
		if got := EnvName(key); got != env {
			t.Errorf("EnvName(%q) = %q, want %q", key, got, env)
		}
		if got, ok := KeyOfEnv(env); !ok || got != key {
			t.Errorf("KeyOfEnv(%q) = %q %v, want %q", env, got, ok, key)
		}
	}
	if _, ok := KeyOfEnv("CLUSTER_ID"); ok {
		t.Error("CLUSTER_ID is not a setting")
	}
}
