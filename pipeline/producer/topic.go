package producer

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// ErrTopicConflict is wrapped by EnsureTopic when an existing topic's settings differ
// from the asked ones.
var ErrTopicConflict = errors.New("topic settings conflict")

// TopicSpec is what a topic must look like.
type TopicSpec struct {
	Name              string
	Partitions        int32
	ReplicationFactor int16
	MinInsyncReplicas int
}

// EnsureTopic creates the topic when it is missing and create is true, and otherwise checks
// that the existing topic has the asked partitions, replication factor and
// min.insync.replicas. A mismatch is an error wrapping ErrTopicConflict: producing to a
// topic with other guarantees than the ones asked for must not pass unnoticed.
func EnsureTopic(ctx context.Context, adm *kadm.Client, spec TopicSpec, create bool) (created bool, err error) {
	details, err := adm.ListTopics(ctx, spec.Name)
	if err != nil {
		return false, fmt.Errorf("describe topic %s: %w", spec.Name, err)
	}
	d, ok := details[spec.Name]
	if !ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition) {
		if !create {
			return false, fmt.Errorf("topic %s does not exist and topic creation is off", spec.Name)
		}
		minISR := strconv.Itoa(spec.MinInsyncReplicas)
		resp, err := adm.CreateTopic(ctx, spec.Partitions, spec.ReplicationFactor,
			map[string]*string{"min.insync.replicas": &minISR}, spec.Name)
		switch {
		case errors.Is(err, kerr.TopicAlreadyExists) || errors.Is(resp.Err, kerr.TopicAlreadyExists):
			// Someone else created it meanwhile: check theirs.
			return false, checkTopic(ctx, adm, spec)
		case err != nil:
			return false, fmt.Errorf("create topic %s (partitions %d, replication factor %d, min.insync.replicas %d): %w",
				spec.Name, spec.Partitions, spec.ReplicationFactor, spec.MinInsyncReplicas, describeErr(err, resp.ErrMessage))
		}
		return true, nil
	}
	if d.Err != nil {
		return false, fmt.Errorf("describe topic %s: %w", spec.Name, d.Err)
	}
	return false, checkTopic(ctx, adm, spec)
}

func describeErr(err error, msg string) error {
	if msg != "" {
		return fmt.Errorf("%w: %s", err, msg)
	}
	return err
}

func checkTopic(ctx context.Context, adm *kadm.Client, spec TopicSpec) error {
	details, err := adm.ListTopics(ctx, spec.Name)
	if err != nil {
		return fmt.Errorf("describe topic %s: %w", spec.Name, err)
	}
	d := details[spec.Name]
	if d.Err != nil {
		return fmt.Errorf("describe topic %s: %w", spec.Name, d.Err)
	}
	var conflicts []string
	if n := int32(len(d.Partitions)); n != spec.Partitions {
		conflicts = append(conflicts, fmt.Sprintf("partitions %d, asked %d", n, spec.Partitions))
	}
	if rf := d.Partitions.NumReplicas(); rf != int(spec.ReplicationFactor) {
		conflicts = append(conflicts, fmt.Sprintf("replication factor %d, asked %d", rf, spec.ReplicationFactor))
	}
	rcs, err := adm.DescribeTopicConfigs(ctx, spec.Name)
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
		if c.Key == "min.insync.replicas" && c.Value != nil && *c.Value != strconv.Itoa(spec.MinInsyncReplicas) {
			conflicts = append(conflicts, fmt.Sprintf("min.insync.replicas %s, asked %d", *c.Value, spec.MinInsyncReplicas))
		}
	}
	if conflicts != nil {
		return fmt.Errorf("%w: existing topic %s has %v; use other settings or another topic", ErrTopicConflict, spec.Name, conflicts)
	}
	return nil
}
