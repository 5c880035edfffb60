package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Job is the streaming query of finobs and the driver loop that watches it.
type Job struct {
	cfg     Config
	s       *sparkconnect.Session
	log     *slog.Logger
	metrics *Metrics

	mu        sync.Mutex
	queries   []*query
	freshDone bool // FreshStart applies to the first Start only

	// kafka commits the queries' processed offsets to their consumer groups (commit.go).
	kafkaOnce sync.Once
	kafka     *kgo.Client
	kafkaErr  error
}

// query is one streaming query: its plan, how to start it and what the driver saw of it.
type query struct {
	name   string
	writer *sparkconnect.StreamWriter

	q         *sparkconnect.Query
	up        bool
	seenRun   string // run whose progress was accounted up to seenTime
	seenTime  string // progress timestamps are fixed-width ISO 8601, so they order as text
	seenBatch int64

	commits *committer // processed offsets to the query's consumer group

	restarts  []time.Time // restarts within the restart policy's window
	nextStart time.Time   // when a failed query is started again
	gaveUp    *GaveUpError
}

// New builds the query's plan in the session (nothing runs yet) and registers metrics.
func New(ctx context.Context, s *sparkconnect.Session, cfg Config, m *Metrics, log *slog.Logger) (*Job, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// The driver reads the checkpoint's ownership record where the server writes the
	// checkpoint: one absolute path for both.
	dir, err := filepath.Abs(cfg.CheckpointDir)
	if err != nil {
		return nil, fmt.Errorf("stream: checkpoint dir: %w", err)
	}
	cfg.CheckpointDir = dir
	// State partitions are fixed in the checkpoint at a query's first start; later values are ignored.
	if err := s.Config().Set(ctx, "spark.sql.shuffle.partitions", strconv.Itoa(cfg.ShufflePartitions)); err != nil {
		return nil, fmt.Errorf("stream: set shuffle partitions: %w", err)
	}
	for k, v := range cfg.SparkConf {
		if err := s.Config().Set(ctx, k, v); err != nil {
			return nil, fmt.Errorf("stream: set %s=%s: %w", k, v, err)
		}
	}
	if !cfg.FailOnDataLoss {
		log.Warn("failOnDataLoss is off: offsets lost in Kafka will be skipped, with a line in the Spark server's log only",
			"query", cfg.Query, "topic", cfg.InputTopic)
	}
	j := &Job{cfg: cfg, s: s, log: log, metrics: m}
	q, err := j.transactions(ctx)
	if err != nil {
		return nil, fmt.Errorf("stream: plan %s: %w", cfg.Query, err)
	}
	j.queries = []*query{q}
	for _, q := range j.queries {
		m.register(q.name, cfg.Trigger)
	}
	return j, nil
}

// Start starts every query. A query whose checkpoint exists resumes from it, if the
// checkpoint belongs to the topic, cluster and query shape it reads now; a foreign checkpoint
// is refused with a *ForeignCheckpointError and nothing is started. With FreshStart, existing
// checkpoints are first moved aside.
func (j *Job) Start(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, q := range j.queries {
		if j.cfg.FreshStart && !j.freshDone {
			ckpt := j.cfg.checkpointPath(q.name)
			aside, err := moveAside(ckpt, time.Now())
			if err != nil {
				return err
			}
			if aside != "" {
				j.log.Warn("fresh start: moved the checkpoint aside", "query", q.name, "checkpoint", ckpt, "moved_to", aside)
			} else {
				j.log.Info("fresh start: no checkpoint to move aside", "query", q.name, "checkpoint", ckpt)
			}
		}
		if err := j.start(ctx, q); err != nil {
			j.metrics.failed(q.name, startFailureClass(err))
			return err
		}
	}
	j.freshDone = true
	return nil
}

// start checks the query's checkpoint's ownership and starts the query.
func (j *Job) start(ctx context.Context, q *query) error {
	ckpt := j.cfg.checkpointPath(q.name)
	now, lookupErr := currentOwner(ctx, j.cfg, q.name)
	claimed, err := checkOwnership(ckpt, now, lookupErr, time.Now())
	if err != nil {
		return err
	}
	if claimed {
		j.log.Info("new checkpoint: ownership recorded", "query", q.name, "checkpoint", ckpt, "record", recordPath(ckpt),
			"topic", now.Topic, "topic_id", now.TopicID, "cluster_id", now.ClusterID)
	}
	sq, err := q.writer.Start(ctx)
	if err != nil {
		return fmt.Errorf("stream: %w", err)
	}
	q.q, q.up = sq, true
	j.metrics.setUp(q.name, true)
	j.log.Info("query started", "query", q.name, "id", sq.ID, "run_id", sq.RunID, "trigger", j.cfg.Trigger.String(),
		"checkpoint", ckpt, "topic", now.Topic, "topic_id", now.TopicID, "cluster_id", now.ClusterID)
	return nil
}

// Queries returns the running queries' handles by name.
func (j *Job) Queries() map[string]*sparkconnect.Query {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]*sparkconnect.Query{}
	for _, q := range j.queries {
		if q.q != nil {
			out[q.name] = q.q
		}
	}
	return out
}

// Stop stops every running query (each finishes its current batch), accounts their last
// progress and marks them down.
func (j *Job) Stop(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var errs []error
	for _, q := range j.queries {
		if q.q == nil || !q.up {
			continue
		}
		// Stop between batches where we can: a batch interrupted after its offsets were logged
		// is re-run on restart (its output written twice: harmless for the aggregates, which are
		// totals, but duplicates for anomalies and dead letters).
		for deadline := time.Now().Add(j.cfg.StopWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			st, err := q.q.Status(ctx)
			if err != nil || !st.IsTriggerActive || !st.IsActive {
				break
			}
		}
		if err := q.q.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("stream: stop %s: %w", q.name, err))
			continue
		}
		if ps, err := q.q.RecentProgress(ctx); err == nil {
			j.account(q, ps)
		}
		q.up = false
		j.metrics.setUp(q.name, false)
		j.log.Info("query stopped", "query", q.name, "id", q.q.ID)
	}
	return errors.Join(errs...)
}
