package main

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// createTopics creates a run's topics, each with partitions and replication factor 1.
func createTopics(ctx context.Context, adm *kadm.Client, partitions int32, topics ...string) error {
	for _, t := range topics {
		resp, err := adm.CreateTopic(ctx, partitions, 1, nil, t)
		if err == nil {
			err = resp.Err
		}
		if err != nil {
			return fmt.Errorf("create topic %s: %w", t, err)
		}
	}
	return nil
}

// deleteTopics deletes a run's topics, also when the run was interrupted.
func deleteTopics(ctx context.Context, adm *kadm.Client, topics ...string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	adm.DeleteTopics(dctx, topics...)
}
