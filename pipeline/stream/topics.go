package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// EnsureTopics creates the job's output topics when missing: the Kafka sink cannot create
// them where auto-creation is off. They get as many partitions as the input topic (when it
// exists, else partitions), so keyed output spreads like the input. Existing topics are
// left as they are.
func EnsureTopics(ctx context.Context, cfg Config, partitions int32, replicationFactor int16) error {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(cfg.Bootstrap, ",")...))
	if err != nil {
		return fmt.Errorf("stream: kafka client: %w", err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	td, err := adm.ListTopics(ctx, cfg.InputTopic)
	if err != nil {
		return fmt.Errorf("stream: describe %s at %s: %w", cfg.InputTopic, cfg.Bootstrap, err)
	}
	if d, ok := td[cfg.InputTopic]; ok && d.Err == nil && len(d.Partitions) > 0 {
		partitions = int32(len(d.Partitions))
	}
	for _, name := range []string{cfg.AggregatesTopic, cfg.AnomaliesTopic, cfg.DeadLetterTopic} {
		resp, err := adm.CreateTopic(ctx, partitions, replicationFactor, nil, name)
		if err == nil {
			err = resp.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("stream: create topic %s: %w", name, err)
		}
	}
	return nil
}
