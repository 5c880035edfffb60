package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/finobs/finobs/topics"
)

// Topics puts the declared topics into a Kafka cluster: it creates missing ones, adds
// partitions where more are declared and sets the topic configs that differ
// (IncrementalAlterConfigs). It refuses what would lose data or guarantees: fewer
// partitions, another replication factor, a shorter retention (unless
// AllowRetentionDecrease), a compacted topic turned into one that deletes.
type Topics struct {
	Client                 *kgo.Client
	Topics                 []topics.Topic
	AllowRetentionDecrease bool

	plan map[string]topicPlan // by topic name, from the last Plan
}

// topicPlan is what Apply does to one topic.
type topicPlan struct {
	decl       topics.Topic
	create     bool
	partitions int // > 0: set the partition count to this
	alter      []kadm.AlterConfig
}

func (t *Topics) Name() string { return "topics" }

// Current is what a cluster has of one topic.
type Current struct {
	Exists     bool
	Partitions int
	// ReplicationFactor is the largest replica count of any partition; Mixed is set when
	// partitions differ (a reassignment under way, or one done by hand).
	ReplicationFactor int
	Mixed             bool
	// Configs are the effective values; FromTopic says which are set on the topic itself
	// (the others are broker defaults that a broker's settings change under it).
	Configs   map[string]string
	FromTopic map[string]bool
}

// Describe reads topics from the cluster, plus how many brokers it has. It sends a
// metadata request of its own: the client's cached metadata lags behind a topic just created.
func Describe(ctx context.Context, cl *kgo.Client, names ...string) (map[string]Current, int, error) {
	req := kmsg.NewPtrMetadataRequest()
	for _, n := range names {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(n)
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return nil, 0, fmt.Errorf("metadata: %w", err)
	}
	out := map[string]Current{}
	var existing []string
	for _, mt := range resp.Topics {
		name := ""
		if mt.Topic != nil {
			name = *mt.Topic
		}
		err := kerr.ErrorForCode(mt.ErrorCode)
		if errors.Is(err, kerr.UnknownTopicOrPartition) {
			out[name] = Current{}
			continue
		}
		if err != nil {
			return nil, 0, fmt.Errorf("metadata of topic %s: %w", name, err)
		}
		c := Current{Exists: true, Partitions: len(mt.Partitions)}
		for i, p := range mt.Partitions {
			if i > 0 && len(p.Replicas) != c.ReplicationFactor {
				c.Mixed = true
			}
			c.ReplicationFactor = max(c.ReplicationFactor, len(p.Replicas))
		}
		out[name] = c
		existing = append(existing, name)
	}
	if len(existing) > 0 {
		rcs, err := kadm.NewClient(cl).DescribeTopicConfigs(ctx, existing...)
		if err != nil {
			return nil, 0, fmt.Errorf("describe configs of %s: %w", strings.Join(existing, ", "), err)
		}
		for _, rc := range rcs {
			if rc.Err != nil {
				return nil, 0, fmt.Errorf("describe configs of topic %s: %w", rc.Name, rc.Err)
			}
			c := out[rc.Name]
			c.Configs, c.FromTopic = map[string]string{}, map[string]bool{}
			for _, cfg := range rc.Configs {
				if cfg.Value != nil {
					c.Configs[cfg.Key] = *cfg.Value
				}
				c.FromTopic[cfg.Key] = cfg.Source == kmsg.ConfigSourceDynamicTopicConfig
			}
			out[rc.Name] = c
		}
	}
	return out, len(resp.Brokers), nil
}

func (t *Topics) Plan(ctx context.Context) ([]Item, error) {
	names := make([]string, len(t.Topics))
	for i, d := range t.Topics {
		if err := d.Validate(); err != nil {
			return nil, err
		}
		names[i] = d.Name
	}
	cur, brokers, err := Describe(ctx, t.Client, names...)
	if err != nil {
		return nil, err
	}
	t.plan = map[string]topicPlan{}
	var items []Item
	for _, d := range t.Topics {
		it, tp := planTopic(d, cur[d.Name], brokers, t.AllowRetentionDecrease)
		items = append(items, it)
		t.plan[d.Name] = tp
	}
	return items, nil
}

// planTopic compares one declaration with what the cluster has.
func planTopic(d topics.Topic, c Current, brokers int, allowRetentionDecrease bool) (Item, topicPlan) {
	it := Item{Object: "topic " + d.Name}
	tp := topicPlan{decl: d}
	want := d.Configs()
	if int(d.ReplicationFactor) > brokers {
		it.Unsafe = append(it.Unsafe, fmt.Sprintf("replication factor %d is declared, but the cluster has %d broker(s)", d.ReplicationFactor, brokers))
	}
	if !c.Exists {
		it.Action, tp.create = Create, true
		it.Settings = append(it.Settings,
			Setting{Name: "partitions", New: strconv.Itoa(int(d.Partitions))},
			Setting{Name: "replication.factor", New: strconv.Itoa(int(d.ReplicationFactor))})
		for _, k := range topics.ConfigKeys {
			it.Settings = append(it.Settings, Setting{Name: k, New: want[k]})
		}
		return it, tp
	}
	switch {
	case int(d.Partitions) < c.Partitions:
		it.Unsafe = append(it.Unsafe, fmt.Sprintf("partitions %d → %d: Kafka cannot remove partitions (delete and recreate the topic, losing its data, if you mean it)", c.Partitions, d.Partitions))
	case int(d.Partitions) > c.Partitions:
		it.Settings = append(it.Settings, Setting{Name: "partitions", Old: strconv.Itoa(c.Partitions), New: strconv.Itoa(int(d.Partitions))})
		tp.partitions = int(d.Partitions)
	}
	if int(d.ReplicationFactor) != c.ReplicationFactor || c.Mixed {
		old := strconv.Itoa(c.ReplicationFactor)
		if c.Mixed {
			old += " (on some partitions)"
		}
		it.Unsafe = append(it.Unsafe, fmt.Sprintf("replication factor %s → %d: the provisioner does not move replicas (reassign the partitions with kafka-reassign-partitions, or recreate the topic)", old, d.ReplicationFactor))
	}
	for _, k := range topics.ConfigKeys {
		have, w := c.Configs[k], want[k]
		if have == w && c.FromTopic[k] {
			continue
		}
		old := have
		if have == w { // the same value, but a broker default: pin it on the topic
			old += " (broker default)"
		}
		if old == "" {
			old = "(none)"
		}
		it.Settings = append(it.Settings, Setting{Name: k, Old: old, New: w})
		v := w
		tp.alter = append(tp.alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: &v})
		if why := unsafeConfig(k, have, w, allowRetentionDecrease); why != "" {
			it.Unsafe = append(it.Unsafe, why)
		}
	}
	if len(it.Settings) > 0 {
		it.Action = Change
	} else {
		it.Action = Unchanged
	}
	return it, tp
}

// unsafeConfig says why changing config k from have to want would lose data, or "".
func unsafeConfig(k, have, want string, allowRetentionDecrease bool) string {
	switch k {
	case topics.KeyRetentionMs, topics.KeyRetentionBytes:
		if allowRetentionDecrease || have == "" {
			return ""
		}
		h, err1 := strconv.ParseInt(have, 10, 64)
		w, err2 := strconv.ParseInt(want, 10, 64)
		if err1 != nil || err2 != nil {
			return fmt.Sprintf("%s %s → %s: not numbers", k, have, want)
		}
		unlimited := func(v int64) bool { return v < 0 }
		if (unlimited(h) && !unlimited(w)) || (!unlimited(h) && !unlimited(w) && w < h) {
			return fmt.Sprintf("%s %s → %s is lower: the brokers would delete data kept today (-allow-retention-decrease to accept)", k, have, want)
		}
	case topics.KeyCleanupPolicy:
		if strings.Contains(have, string(topics.Compact)) && !strings.Contains(want, string(topics.Compact)) {
			return fmt.Sprintf("%s %s → %s: a compacted topic keeps the last record of every key forever; deleting by age would lose them", k, have, want)
		}
	}
	return ""
}

func (t *Topics) Apply(ctx context.Context, items []Item, log *slog.Logger) error {
	adm := kadm.NewClient(t.Client)
	for _, d := range t.Topics {
		tp, ok := t.plan[d.Name]
		if !ok {
			return fmt.Errorf("topic %s: not planned", d.Name)
		}
		switch {
		case tp.create:
			cfg := map[string]*string{}
			for k, v := range d.Configs() {
				cfg[k] = &v
			}
			resp, err := adm.CreateTopic(ctx, d.Partitions, d.ReplicationFactor, cfg, d.Name)
			if err == nil {
				err = resp.Err
			}
			if err != nil {
				return fmt.Errorf("create topic %s: %w", d.Name, withMessage(err, resp.ErrMessage))
			}
			if err := waitLeaders(ctx, t.Client, d.Name, int(d.Partitions)); err != nil {
				return err
			}
			log.Info("created", "topic", d.Name, "partitions", d.Partitions, "replication_factor", d.ReplicationFactor, "min_insync_replicas", d.MinInsyncReplicas)
			continue
		}
		if tp.partitions > 0 {
			rs, err := adm.UpdatePartitions(ctx, tp.partitions, d.Name)
			if err == nil {
				var r kadm.CreatePartitionsResponse
				r, err = rs.On(d.Name, nil)
				if err == nil {
					err = withMessage(r.Err, r.ErrMessage)
				}
			}
			if err != nil {
				return fmt.Errorf("topic %s: set partitions to %d: %w", d.Name, tp.partitions, err)
			}
			if err := waitLeaders(ctx, t.Client, d.Name, tp.partitions); err != nil {
				return err
			}
			log.Info("added partitions", "topic", d.Name, "partitions", tp.partitions)
		}
		if len(tp.alter) > 0 {
			rs, err := adm.AlterTopicConfigs(ctx, tp.alter, d.Name)
			if err == nil {
				var r kadm.AlterConfigsResponse
				r, err = rs.On(d.Name, nil)
				if err == nil {
					err = withMessage(r.Err, r.ErrMessage)
				}
			}
			if err != nil {
				return fmt.Errorf("topic %s: alter configs: %w", d.Name, err)
			}
			if err := waitConfigs(ctx, t.Client, d.Name, tp.alter); err != nil {
				return err
			}
			keys := make([]string, len(tp.alter))
			for i, a := range tp.alter {
				keys[i] = a.Name + "=" + *a.Value
			}
			log.Info("altered configs", "topic", d.Name, "set", strings.Join(keys, " "))
		}
	}
	return nil
}

func withMessage(err error, msg string) error {
	if err != nil && msg != "" {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

// waitLeaders waits until every broker knows every partition of the topic with a leader:
// whoever produces, describes or plans next may ask any of them (metadata reaches the
// brokers of a 3-node cluster one after the other).
func waitLeaders(ctx context.Context, cl *kgo.Client, topic string, partitions int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := allBrokersKnow(ctx, cl, topic, partitions)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic %s: not every broker knows its %d partitions with a leader after 30 s: %w", topic, partitions, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func allBrokersKnow(ctx context.Context, cl *kgo.Client, topic string, partitions int) error {
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return err
	}
	for _, b := range resp.Brokers {
		r, err := cl.Broker(int(b.NodeID)).Request(ctx, req)
		if err != nil {
			return fmt.Errorf("broker %d: %w", b.NodeID, err)
		}
		m := r.(*kmsg.MetadataResponse)
		if len(m.Topics) != 1 || m.Topics[0].ErrorCode != 0 || len(m.Topics[0].Partitions) != partitions ||
			slices.ContainsFunc(m.Topics[0].Partitions, func(p kmsg.MetadataResponseTopicPartition) bool { return p.Leader < 0 || p.ErrorCode != 0 }) {
			return fmt.Errorf("broker %d does not know it yet", b.NodeID)
		}
	}
	return nil
}

// waitConfigs waits until every broker answers the altered configs with their new values:
// a plan right after this one, asking any broker, must find nothing left to do.
func waitConfigs(ctx context.Context, cl *kgo.Client, topic string, set []kadm.AlterConfig) error {
	want := map[string]string{}
	req := kmsg.NewPtrDescribeConfigsRequest()
	r := kmsg.NewDescribeConfigsRequestResource()
	r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeTopic, topic
	for _, a := range set {
		want[a.Name] = *a.Value
		r.ConfigNames = append(r.ConfigNames, a.Name)
	}
	req.Resources = append(req.Resources, r)
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := func() error {
			md, err := kmsg.NewPtrMetadataRequest().RequestWith(ctx, cl)
			if err != nil {
				return err
			}
			for _, b := range md.Brokers {
				resp, err := cl.Broker(int(b.NodeID)).Request(ctx, req)
				if err != nil {
					return fmt.Errorf("broker %d: %w", b.NodeID, err)
				}
				for _, res := range resp.(*kmsg.DescribeConfigsResponse).Resources {
					if err := kerr.ErrorForCode(res.ErrorCode); err != nil {
						return fmt.Errorf("broker %d: %w", b.NodeID, err)
					}
					for _, c := range res.Configs {
						if w, ok := want[c.Name]; ok && (c.Value == nil || *c.Value != w) {
							return fmt.Errorf("broker %d still has another %s", b.NodeID, c.Name)
						}
					}
				}
			}
			return nil
		}()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("topic %s: configs set, but not seen by every broker after 30 s: %w", topic, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
