package stream

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/topics"
)

// ErrTopicConflict is wrapped by EnsureTopics when a declared output topic exists with
// other guarantees than its declaration.
var ErrTopicConflict = errors.New("topic settings conflict")

// EnsureTopics makes sure the job's output topics exist: the Kafka sink cannot create them
// where auto-creation is off. go run ./cmd/deploy creates the declared topics
// (topics/); this is the fallback. A declared topic is created from its declaration
// for the cluster's broker count, and an existing one must have its declared partitions,
// replication factor and min.insync.replicas, or the job does not start: its outputs would
// not survive what the declaration promises. Another topic (a test's) gets partitions
// (0: as many as the input topic) and replicationFactor (0: as the declared topics for the
// cluster), and is left as it is when it exists.
func EnsureTopics(ctx context.Context, cfg Config, partitions int32, replicationFactor int16) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(cfg.Bootstrap, ",")...))
	if err != nil {
		return fmt.Errorf("stream: kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	outputs := []string{cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic}
	md, err := adm.Metadata(ctx, append([]string{cfg.InputTopic}, outputs...)...)
	if err != nil {
		return fmt.Errorf("stream: describe topics at %s: %w", cfg.Bootstrap, err)
	}
	var assigned [][]int32
	for _, t := range md.Topics {
		for _, p := range t.Partitions {
			assigned = append(assigned, p.Replicas)
		}
	}
	brokers := topics.Brokers(md.Brokers.NodeIDs(), assigned...)
	if partitions == 0 {
		partitions = topics.Partitions
		if d, ok := md.Topics[cfg.InputTopic]; ok && d.Err == nil && len(d.Partitions) > 0 {
			partitions = int32(len(d.Partitions))
		}
	}
	rf, minInsync := topics.Replication(brokers)
	if replicationFactor > 0 {
		rf, minInsync = replicationFactor, min(minInsync, int(replicationFactor))
	}
	for _, name := range outputs {
		decl, declared := topics.Lookup(name, brokers)
		if !declared {
			decl = topics.Topic{Name: name, Partitions: partitions, ReplicationFactor: rf, MinInsyncReplicas: minInsync}
		}
		if d, ok := md.Topics[name]; ok && d.Err == nil {
			if declared {
				if err := check(ctx, adm, decl, d); err != nil {
					return err
				}
			}
			continue
		}
		configs := map[string]*string{}
		if declared {
			for k, v := range decl.Configs() {
				configs[k] = &v
			}
		} else {
			v := strconv.Itoa(decl.MinInsyncReplicas)
			configs[topics.KeyMinInsync] = &v
		}
		resp, err := adm.CreateTopic(ctx, decl.Partitions, decl.ReplicationFactor, configs, name)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("stream: create topic %s (partitions %d, replication factor %d): %w", name, decl.Partitions, decl.ReplicationFactor, err)
		}
	}
	return nil
}

// check compares an existing topic with its declaration.
func check(ctx context.Context, adm *kadm.Client, decl topics.Topic, d kadm.TopicDetail) error {
	var conflicts []string
	if len(d.Partitions) != int(decl.Partitions) {
		conflicts = append(conflicts, fmt.Sprintf("partitions %d, declared %d", len(d.Partitions), decl.Partitions))
	}
	rf := 0
	for _, p := range d.Partitions {
		rf = max(rf, len(p.Replicas))
	}
	if rf != int(decl.ReplicationFactor) {
		conflicts = append(conflicts, fmt.Sprintf("replication factor %d, declared %d", rf, decl.ReplicationFactor))
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, decl.Name)
	if err != nil {
		return fmt.Errorf("stream: describe configs of %s: %w", decl.Name, err)
	}
	rc, err := rcs.On(decl.Name, nil)
	if err == nil {
		err = rc.Err
	}
	if err != nil {
		return fmt.Errorf("stream: describe configs of %s: %w", decl.Name, err)
	}
	for _, c := range rc.Configs {
		if c.Key == topics.KeyMinInsync && c.Value != nil && *c.Value != strconv.Itoa(decl.MinInsyncReplicas) {
			conflicts = append(conflicts, fmt.Sprintf("min.insync.replicas %s, declared %d", *c.Value, decl.MinInsyncReplicas))
		}
	}
	if conflicts != nil {
		return fmt.Errorf("stream: %w: output topic %s has %s (go run ./cmd/deploy -dry-run shows what it would change)",
			ErrTopicConflict, decl.Name, strings.Join(conflicts, ", "))
	}
	return nil
}
