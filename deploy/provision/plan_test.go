package provision

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/finobs/finobs/topics"
)

func declared(t *testing.T) topics.Topic {
	t.Helper()
	d, ok := topics.Lookup(topics.Transactions, 3)
	if !ok {
		t.Fatal("transactions not declared")
	}
	return d
}

// current is a topic as the cluster would hold d, every config set on the topic.
func current(d topics.Topic) Current {
	c := Current{Exists: true, Partitions: int(d.Partitions), ReplicationFactor: int(d.ReplicationFactor), Configs: map[string]string{}, FromTopic: map[string]bool{}}
	for k, v := range d.Configs() {
		c.Configs[k], c.FromTopic[k] = v, true
	}
	return c
}

func TestPlanTopic(t *testing.T) {
	d := declared(t)
	if it, tp := planTopic(d, Current{}, 3, false); it.Action != Create || !tp.create || len(it.Unsafe) > 0 {
		t.Errorf("missing topic: %s", it)
	}
	if it, _ := planTopic(d, current(d), 3, false); it.Action != Unchanged || len(it.Settings) > 0 {
		t.Errorf("same topic: %s", it)
	}
	// A broker default of the same value is pinned on the topic.
	c := current(d)
	c.FromTopic[topics.KeySegmentBytes] = false
	if it, tp := planTopic(d, c, 3, false); it.Action != Change || len(tp.alter) != 1 || !strings.Contains(it.String(), "broker default") {
		t.Errorf("broker default: %s", it)
	}
	// More partitions and a longer retention are changes.
	c = current(d)
	c.Partitions, c.Configs[topics.KeyRetentionMs] = 3, "3600000"
	it, tp := planTopic(d, c, 3, false)
	if it.Action != Change || tp.partitions != int(d.Partitions) || len(tp.alter) != 1 || len(it.Unsafe) > 0 {
		t.Errorf("growth: %s", it)
	}
	if !strings.Contains(it.String(), "partitions 3 → 6") || !strings.Contains(it.String(), "retention.ms 3600000 → 86400000") {
		t.Errorf("plan line %q does not say old → new", it)
	}
}

func TestPlanTopicRefusesUnsafe(t *testing.T) {
	d := declared(t)
	for name, c := range map[string]struct {
		edit  func(*Current)
		say   string
		allow bool
	}{
		"fewer partitions":   {func(c *Current) { c.Partitions = 12 }, "partitions 12 → 6", false},
		"replication down":   {func(c *Current) { c.ReplicationFactor = 1 }, "replication factor 1 → 3", false},
		"retention lower":    {func(c *Current) { c.Configs[topics.KeyRetentionMs] = "604800000" }, "retention.ms 604800000 → 86400000 is lower", false},
		"retention infinite": {func(c *Current) { c.Configs[topics.KeyRetentionMs] = "-1" }, "retention.ms -1 → 86400000 is lower", false},
		"bytes lower":        {func(c *Current) { c.Configs[topics.KeyRetentionBytes] = "-1" }, "retention.bytes -1", false},
		"compact to delete":  {func(c *Current) { c.Configs[topics.KeyCleanupPolicy] = "compact" }, "cleanup.policy compact → delete", false},
	} {
		cur := current(d)
		c.edit(&cur)
		it, _ := planTopic(d, cur, 3, c.allow)
		if len(it.Unsafe) == 0 || !strings.Contains(strings.Join(it.Unsafe, ";"), c.say) {
			t.Errorf("%s: %s; want unsafe naming %q", name, it, c.say)
		}
	}
	cur := current(d)
	cur.Configs[topics.KeyRetentionMs] = "604800000"
	if it, _ := planTopic(d, cur, 3, true); len(it.Unsafe) > 0 || it.Action != Change {
		t.Errorf("allowed decrease: %s", it)
	}
	if it, _ := planTopic(d, Current{}, 1, false); len(it.Unsafe) == 0 {
		t.Errorf("RF 3 on one broker: %s", it)
	}
}

// step records what Run asks of it.
type step struct {
	name    string
	items   []Item
	err     error
	applied *[]string
}

func (s *step) Name() string                         { return s.name }
func (s *step) Plan(context.Context) ([]Item, error) { return s.items, s.err }
func (s *step) Apply(context.Context, []Item, *slog.Logger) error {
	*s.applied = append(*s.applied, s.name)
	return nil
}

func TestRunPlansAllBeforeApplying(t *testing.T) {
	var applied []string
	ok := &step{name: "a", items: []Item{{Object: "x", Action: Create}}, applied: &applied}
	bad := &step{name: "b", items: []Item{{Object: "topic y", Action: Change, Unsafe: []string{"partitions 6 → 3"}}}, applied: &applied}
	var out strings.Builder
	_, err := Run(context.Background(), []Step{ok, bad}, Options{Out: &out})
	if !IsUnsafe(err) || !strings.Contains(err.Error(), "topic y: partitions 6 → 3") || len(applied) > 0 {
		t.Fatalf("unsafe later step: err %v, applied %v", err, applied)
	}
	if !strings.Contains(out.String(), "UNSAFE: partitions 6 → 3") {
		t.Errorf("plan does not show the unsafe change:\n%s", out.String())
	}
	failing := &step{name: "c", err: errors.New("down"), applied: &applied}
	if _, err := Run(context.Background(), []Step{ok, failing}, Options{}); err == nil || len(applied) > 0 {
		t.Fatalf("failing plan: err %v, applied %v", err, applied)
	}
	if _, err := Run(context.Background(), []Step{ok}, Options{DryRun: true}); err != nil || len(applied) > 0 {
		t.Fatalf("dry run: err %v, applied %v", err, applied)
	}
	if _, err := Run(context.Background(), []Step{ok, &step{name: "d", applied: &applied}}, Options{}); err != nil || strings.Join(applied, ",") != "a,d" {
		t.Fatalf("run: err %v, applied %v", err, applied)
	}
}

// The generated configs load, and a config equals itself however it is written.
func TestGeneratedConfigsCompare(t *testing.T) {
	for _, r := range []*Reloaded{
		Prometheus("", "../../deploy/local/prometheus.yml", "/x"),
		Prometheus("", "../../deploy/prometheus/prometheus.yml", "/etc/prometheus"),
		Alertmanager("", "../../deploy/local/alertmanager.yml"),
		Alertmanager("", "../../deploy/alertmanager/alertmanager.yml"),
	} {
		want, err := r.generated()
		if err != nil {
			t.Fatal(err)
		}
		again, err := r.normalize(want, false)
		if err != nil {
			t.Fatalf("%s: the marshalled config does not load again: %v", r.File, err)
		}
		if _, same := firstDifference(again, want); !same {
			t.Errorf("%s: not stable through load and marshal", r.File)
		}
		changed := strings.Replace(want, "scrape_interval: ", "scrape_interval: 1", 1) // 10s -> 110s
		if changed == want {
			changed = strings.Replace(want, "30s", "31s", 1)
		}
		if d, same := firstDifference(changed, want); same || d.n == 0 {
			t.Errorf("%s: a changed duration compares equal", r.File)
		}
	}
}
