package stream

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/internal/sparkconnect"
)

// GroupPrefix names the consumer group a query's processed offsets are committed to:
// GroupPrefix + the query's name.
const GroupPrefix = "finobs-stream-"

// Group is the consumer group of query q.
func Group(query string) string { return GroupPrefix + query }

// committer commits each batch's end offsets to the query's consumer group after the batch
// is in the checkpoint (Spark's Kafka source commits none), so the lag exporter and Kafka's
// kafka-consumer-groups show the job like any other consumer. It is a mirror, never read
// back: a failed commit is counted and logged, and neither stops nor rewinds the query.
// One goroutine per query commits the newest offsets; older ones waiting are dropped.
type committer struct {
	j       *Job
	query   string
	mu      sync.Mutex
	pending kadm.Offsets
	running bool
}

// offer queues the end offsets of p's Kafka sources.
func (c *committer) offer(p *sparkconnect.Progress) {
	os := kadm.Offsets{}
	for _, s := range p.Sources {
		end, err := sparkconnect.KafkaOffsets(s.EndOffset)
		if err != nil {
			continue // not a Kafka source
		}
		for topic, parts := range end {
			for part, off := range parts {
				n, err := strconv.ParseInt(part, 10, 32)
				if err != nil || off < 0 {
					continue
				}
				os.Add(kadm.Offset{Topic: topic, Partition: int32(n), At: off, LeaderEpoch: -1})
			}
		}
	}
	if len(os) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = os
	if !c.running {
		c.running = true
		go c.loop()
	}
}

func (c *committer) loop() {
	for {
		c.mu.Lock()
		os := c.pending
		c.pending = nil
		if os == nil {
			c.running = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		if err := c.j.commitGroup(c.query, os); err != nil {
			c.j.metrics.groupCommits.WithLabelValues(c.query, "error").Inc()
			c.j.log.Warn("committing processed offsets to the query's consumer group failed (the checkpoint is unaffected)",
				"query", c.query, "group", Group(c.query), "err", err)
			continue
		}
		c.j.metrics.groupCommits.WithLabelValues(c.query, "ok").Inc()
	}
}

// commitTimeout bounds one commit (CommitTimeout, else 10s).
func (j *Job) commitTimeout() time.Duration {
	if j.cfg.CommitTimeout > 0 {
		return j.cfg.CommitTimeout
	}
	return 10 * time.Second
}

// commitGroup commits os to the query's group through the job's Kafka client, opened on
// first use.
func (j *Job) commitGroup(query string, os kadm.Offsets) error {
	j.kafkaOnce.Do(func() {
		j.kafka, j.kafkaErr = kgo.NewClient(kgo.SeedBrokers(strings.Split(j.cfg.Bootstrap, ",")...))
	})
	if j.kafkaErr != nil {
		return fmt.Errorf("kafka client: %w", j.kafkaErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), j.commitTimeout())
	defer cancel()
	return kadm.NewClient(j.kafka).CommitAllOffsets(ctx, Group(query), os)
}
