package topics

import (
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

func TestDeclarationsPerStack(t *testing.T) {
	one, err := topology.Local(1)
	if err != nil {
		t.Fatal(err)
	}
	three, err := topology.Local(3)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		st        stack.Stack
		rf        int16
		minInsync int
	}{{one, 1, 1}, {three, 3, 2}, {topology.Compose(), 3, 2}} {
		ts := For(c.st)
		if len(ts) != len(Names) {
			t.Fatalf("%s: %d topics, want %d", c.st.Name, len(ts), len(Names))
		}
		for i, tp := range ts {
			if tp.Name != Names[i] || tp.ReplicationFactor != c.rf || tp.MinInsyncReplicas != c.minInsync {
				t.Errorf("%s (%d brokers): %s RF %d min.insync %d, want RF %d min.insync %d",
					c.st.Name, c.st.Brokers(), tp.Name, tp.ReplicationFactor, tp.MinInsyncReplicas, c.rf, c.minInsync)
			}
			cfg := tp.Configs()
			for _, k := range ConfigKeys {
				if cfg[k] == "" {
					t.Errorf("%s: no %s", tp.Name, k)
				}
			}
		}
	}
	// Every output of the job and its dead letters are declared.
	for _, name := range append(append([]string{}, Outputs...), DeadLetters, Transactions) {
		if _, ok := Lookup(name, 3); !ok {
			t.Errorf("%s is not declared", name)
		}
	}
}

func TestConfigsSpellKafka(t *testing.T) {
	tp, _ := Lookup(Transactions, 1)
	cfg := tp.Configs()
	if cfg[KeyRetentionMs] != "86400000" || cfg[KeyRetentionBytes] != "1073741824" || cfg[KeySegmentBytes] != "67108864" || cfg[KeyCleanupPolicy] != "delete" {
		t.Errorf("configs %v", cfg)
	}
	tp.RetentionTime = -1
	if got := tp.Configs()[KeyRetentionMs]; got != "-1" {
		t.Errorf("unlimited retention: retention.ms %s, want -1", got)
	}
}

func TestBadStorageNamesTopicAndSetting(t *testing.T) {
	good := DefaultStorage()
	for name, c := range map[string]struct {
		edit func(*Storage)
		say  string
	}{
		"retention":       {func(s *Storage) { s.RetentionTime = time.Second }, "retention 1s"},
		"retention bytes": {func(s *Storage) { s.RetentionBytes = 0 }, "retention.bytes 0"},
		"segment":         {func(s *Storage) { s.SegmentBytes = 1000 }, "segment.bytes 1000"},
		"below segment":   {func(s *Storage) { s.RetentionBytes = 1 << 20 }, "below segment.bytes"},
		"cleanup":         {func(s *Storage) { s.Cleanup = "keep" }, `cleanup.policy "keep"`},
	} {
		st := DefaultStorage()
		s := st[Aggregates]
		c.edit(&s)
		st[Aggregates] = s
		_, err := Declare(3, st)
		if err == nil || !strings.Contains(err.Error(), Aggregates) || !strings.Contains(err.Error(), c.say) {
			t.Errorf("%s: got %v, want an error naming %s and %q", name, err, Aggregates, c.say)
		}
	}
	delete(good, Anomalies)
	if _, err := Declare(1, good); err == nil || !strings.Contains(err.Error(), Anomalies) {
		t.Errorf("missing storage: %v", err)
	}
	if _, err := Declare(0, DefaultStorage()); err == nil {
		t.Error("0 brokers: no error")
	}
}

// A broker that is down is still one of the cluster's: its id stays in the partitions'
// replica lists while the live brokers leave it out.
func TestBrokersCountsTheOnesDown(t *testing.T) {
	for _, c := range []struct {
		live     []int32
		replicas [][]int32
		want     int
	}{
		{[]int32{1, 2, 3}, [][]int32{{1, 2, 3}}, 3},
		{[]int32{1, 3}, [][]int32{{1, 2, 3}, {2, 3, 1}}, 3},
		{[]int32{1}, nil, 1},
		{nil, nil, 0},
	} {
		if got := Brokers(c.live, c.replicas...); got != c.want {
			t.Errorf("Brokers(%v, %v) = %d, want %d", c.live, c.replicas, got, c.want)
		}
	}
	// Declared for three, the topic keeps three replicas with one broker down.
	if d, _ := Lookup(Transactions, Brokers([]int32{1, 3}, []int32{1, 2, 3})); d.ReplicationFactor != 3 {
		t.Errorf("with one of three brokers down the transactions topic is declared with %d replicas, want 3", d.ReplicationFactor)
	}
}
