package kafkaconf

import (
	"slices"
	"strings"
	"testing"

	"github.com/finobs/finobs/internal/topology"
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
		if !slices.Contains(topology.KafkaRoles, ci.Component) {
			continue
		}
		var li *topology.Instance
		for _, i := range local.Instances {
			if i.Name == ci.Name {
				li = &i
			}
		}
		if li == nil {
			t.Errorf("%s: no native node of that name", ci.Name)
			continue
		}
		cs, err := Node(compose, ci, "/var/lib/kafka/data")
		if err != nil {
			t.Fatal(err)
		}
		ls, err := Node(local, *li, "/tmp/x")
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
	s, err := Node(c, c.Of(topology.KafkaBroker)[1], "/d")
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
	ctl, err := Node(c, c.Of(topology.KafkaController)[0], "/d")
	if err != nil {
		t.Fatal(err)
	}
	if m := Map(ctl); m["advertised.listeners"] != "" || m["listeners"] != "CONTROLLER://kafka-controller-1:9093" {
		t.Errorf("controller: %v", m)
	}
}

func TestNodeRefuses(t *testing.T) {
	c := topology.Compose()
	if _, err := Node(c, c.One(topology.Grafana), "/d"); err == nil || !strings.Contains(err.Error(), "grafana") {
		t.Errorf("grafana: %v", err)
	}
	if _, err := Node(c, c.Of(topology.KafkaBroker)[0], ""); err == nil || !strings.Contains(err.Error(), "kafka-broker-1") {
		t.Errorf("empty log dir: %v", err)
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
