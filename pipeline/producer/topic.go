package producer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/finobs/finobs/topics"
)

// ErrTopicConflict is wrapped by EnsureTopic when an existing topic's settings differ
// from the asked ones.
var ErrTopicConflict = errors.New("topic settings conflict")

// ErrNoTopic is wrapped by EnsureTopic when the topic is missing and creation is off.
var ErrNoTopic = errors.New("topic does not exist")

// TopicSpec is what a topic must look like. A zero Partitions, ReplicationFactor or
// MinInsyncReplicas is "as declared": for a topic of topics/, its declaration for
// the cluster's broker count; for another topic, whatever it has when it exists, else the
// declarations' partitions and replication.
type TopicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int16
	MinInsyncReplicas int
	// Configs are further topic configs set when the topic is created (retention, segments,
	// cleanup); a declared topic's when nil. cmd/deploy keeps them up to date, not this.
	Configs map[string]string
}

// resolve fills the fields left zero from the declaration of the topic, if any.
func (spec TopicSpec) resolve(brokers int) TopicSpec {
	d, ok := topics.Lookup(spec.Name, brokers)
	if !ok {
		return spec
	}
	if spec.Partitions == 0 {
		spec.Partitions = d.Partitions
	}
	if spec.ReplicationFactor == 0 {
		spec.ReplicationFactor = d.ReplicationFactor
	}
	if spec.MinInsyncReplicas == 0 {
		spec.MinInsyncReplicas = d.MinInsyncReplicas
	}
	if spec.Configs == nil {
		spec.Configs = d.Configs()
		delete(spec.Configs, topics.KeyMinInsync)
	}
	return spec
}

// EnsureTopic creates the topic when it is missing and create is true, and otherwise checks
// that the existing topic has the asked partitions, replication factor and
// min.insync.replicas (the declared ones where spec leaves them zero). A mismatch is an
// error wrapping ErrTopicConflict: producing to a topic with other guarantees than the ones
// asked for must not pass unnoticed.
func EnsureTopic(ctx context.Context, cl *kgo.Client, spec TopicSpec, create bool) (created bool, err error) {
	_, created, err = ensureTopic(ctx, cl, spec, create)
	return created, err
}

// ensureTopic is EnsureTopic, returning the spec with the declared values filled in.
func ensureTopic(ctx context.Context, cl *kgo.Client, spec TopicSpec, create bool) (_ TopicSpec, created bool, err error) {
	t, err := describe(ctx, cl, spec.Name, false)
	if err != nil {
		return spec, false, err
	}
	spec = spec.resolve(t.brokers)
	if errors.Is(t.err, kerr.UnknownTopicOrPartition) {
		if !create {
			return spec, false, fmt.Errorf("%w: %s (and topic creation is off; go run ./cmd/deploy creates the declared topics)", ErrNoTopic, spec.Name)
		}
		// Not declared and not asked: shaped like the declared topics.
		rf, minInsync := topics.Replication(t.brokers)
		if spec.Partitions == 0 {
			spec.Partitions = topics.Partitions
		}
		if spec.ReplicationFactor == 0 {
			spec.ReplicationFactor = rf
		}
		if spec.MinInsyncReplicas == 0 {
			spec.MinInsyncReplicas = min(minInsync, int(spec.ReplicationFactor))
		}
		minISR := strconv.Itoa(spec.MinInsyncReplicas)
		cfg := map[string]*string{topics.KeyMinInsync: &minISR}
		for k, v := range spec.Configs {
			cfg[k] = &v
		}
		resp, err := kadm.NewClient(cl).CreateTopic(ctx, spec.Partitions, spec.ReplicationFactor, cfg, spec.Name)
		switch {
		case errors.Is(err, kerr.TopicAlreadyExists) || errors.Is(resp.Err, kerr.TopicAlreadyExists):
			// Someone else created it meanwhile: check theirs.
			return spec, false, checkTopic(ctx, cl, spec)
		case err != nil:
			return spec, false, fmt.Errorf("create topic %s (partitions %d, replication factor %d, min.insync.replicas %d): %w",
				spec.Name, spec.Partitions, spec.ReplicationFactor, spec.MinInsyncReplicas, describeErr(err, resp.ErrMessage))
		}
		// Return once brokers know it with a leader per partition: a busy broker takes a
		// while, and whoever produces or checks next would find no topic.
		if t, err := describe(ctx, cl, spec.Name, true); err != nil || t.err != nil {
			return spec, true, fmt.Errorf("topic %s created, but not ready after 10 s: %w", spec.Name, errors.Join(err, t.err))
		}
		// Every broker, not only the one asked: the next request (a config check) may go to
		// any broker of a 3-node cluster, and they learn of a new topic one after the other.
		if err := allBrokersKnow(ctx, cl, spec.Name, int(spec.Partitions)); err != nil {
			return spec, true, fmt.Errorf("topic %s created: %w", spec.Name, err)
		}
		return spec, true, nil
	}
	return spec, false, checkTopic(ctx, cl, spec)
}

func describeErr(err error, msg string) error {
	if msg != "" {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

type topicMeta struct {
	err                  error // of the topic: UnknownTopicOrPartition when missing
	partitions, replicas int
	brokers              int // in the cluster
}

// describe asks a broker for the topic's metadata. It sends a plain metadata request on
// purpose: kadm's ListTopics answers from the client's cache, which keeps saying a topic is
// unknown for a few seconds after it was created. With wait, it retries for up to 10 s
// until the topic is known with a leader for every partition.
func describe(ctx context.Context, cl *kgo.Client, topic string, wait bool) (topicMeta, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return topicMeta{}, fmt.Errorf("describe topic %s: %w", topic, err)
		}
		var m topicMeta
		if len(resp.Topics) != 1 {
			return m, fmt.Errorf("describe topic %s: %d topics in the answer", topic, len(resp.Topics))
		}
		t := resp.Topics[0]
		m.err = kerr.ErrorForCode(t.ErrorCode)
		m.partitions = len(t.Partitions)
		live := make([]int32, 0, len(resp.Brokers))
		for _, b := range resp.Brokers {
			live = append(live, b.NodeID)
		}
		var assigned [][]int32
		for _, p := range t.Partitions {
			assigned = append(assigned, p.Replicas)
			m.replicas = len(p.Replicas)
			if m.err == nil && (p.ErrorCode != 0 || p.Leader < 0) {
				m.err = kerr.LeaderNotAvailable
			}
		}
		m.brokers = topics.Brokers(live, assigned...)
		retriable := errors.Is(m.err, kerr.UnknownTopicOrPartition) || errors.Is(m.err, kerr.LeaderNotAvailable)
		if m.err == nil || !wait || !retriable || time.Now().After(deadline) {
			return m, nil
		}
		select {
		case <-ctx.Done():
			return m, fmt.Errorf("describe topic %s: %w", topic, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func checkTopic(ctx context.Context, cl *kgo.Client, spec TopicSpec) error {
	d, err := describe(ctx, cl, spec.Name, true)
	if err == nil {
		err = d.err
	}
	if err != nil {
		return fmt.Errorf("describe topic %s: %w", spec.Name, err)
	}
	var conflicts []string
	if spec.Partitions != 0 && d.partitions != int(spec.Partitions) {
		conflicts = append(conflicts, fmt.Sprintf("partitions %d, asked %d", d.partitions, spec.Partitions))
	}
	if spec.ReplicationFactor != 0 && d.replicas != int(spec.ReplicationFactor) {
		conflicts = append(conflicts, fmt.Sprintf("replication factor %d, asked %d", d.replicas, spec.ReplicationFactor))
	}
	rcs, err := kadm.NewClient(cl).DescribeTopicConfigs(ctx, spec.Name)
	if err != nil {
		return fmt.Errorf("describe configs of topic %s: %w", spec.Name, err)
	}
	rc, err := rcs.On(spec.Name, nil)
	if err == nil {
		err = rc.Err
	}
	if err != nil {
		return fmt.Errorf("describe configs of topic %s: %w", spec.Name, err)
	}
	for _, c := range rc.Configs {
		if c.Key == topics.KeyMinInsync && spec.MinInsyncReplicas != 0 && c.Value != nil && *c.Value != strconv.Itoa(spec.MinInsyncReplicas) {
			conflicts = append(conflicts, fmt.Sprintf("min.insync.replicas %s, asked %d", *c.Value, spec.MinInsyncReplicas))
		}
	}
	if conflicts != nil {
		return fmt.Errorf("%w: existing topic %s has %v; use other settings or another topic", ErrTopicConflict, spec.Name, conflicts)
	}
	return nil
}

// allBrokersKnow waits up to 10 s until every broker answers metadata of the topic with
// all its partitions led.
func allBrokersKnow(ctx context.Context, cl *kgo.Client, topic string, partitions int) error {
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := func() error {
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
				if len(m.Topics) != 1 || m.Topics[0].ErrorCode != 0 || len(m.Topics[0].Partitions) != partitions {
					return fmt.Errorf("broker %d does not know it yet", b.NodeID)
				}
				for _, p := range m.Topics[0].Partitions {
					if p.Leader < 0 || p.ErrorCode != 0 {
						return fmt.Errorf("broker %d knows no leader of partition %d yet", b.NodeID, p.Partition)
					}
				}
			}
			return nil
		}()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
