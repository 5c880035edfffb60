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

	"github.com/apache/spark-connect-go/spark/sql"
	"github.com/apache/spark-connect-go/spark/sql/functions"

	"github.com/finobs/finobs/internal/sparkconnect"
	"github.com/finobs/finobs/pipeline/transaction"
)

// The observations of the query: what its screening branch counts, and the valid records its
// aggregating branch takes.
const (
	observation         = "screening"
	acceptedObservation = "accepted"
	// Produce times (Kafka record timestamps, epoch ms) of the oldest and newest valid record
	// of a batch, in the accepted observation: the freshness metrics come from them. An
	// observation, not a column of the aggregates: it leaves the aggregation's state as it is,
	// so checkpoints stay compatible.
	oldestProduced = "oldest_produced_ms"
	newestProduced = "newest_produced_ms"
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

// source reads the input topic: the record text as `raw` (JSON) or its bytes as `bin` (Avro),
// plus where it came from.
//
// failOnDataLoss is on (Defaults, -fail-on-data-loss): records that Kafka no longer has when
// the query wants them (retention ran ahead of the job, the topic was deleted or truncated)
// are an event the user must see, never a skip that only Spark's log mentions. With it, the
// query fails with KAFKA_DATA_LOSS; the driver counts the failure as error_class="data_loss"
// in finobs_stream_query_failures_total (an alert pages on it), logs it, and gives up at
// once instead of restarting: a restart cannot bring the records back, and Spark 4.1.1 ran on
// past such a gap after a few restarts. Turning it off is a deliberate decision to accept a
// loss the user has seen (to continue from the checkpoint past the gap); New logs a warning.
func (j *Job) source(ctx context.Context) (sql.DataFrame, error) {
	r := j.s.ReadStream().Format("kafka").
		Option("kafka.bootstrap.servers", j.cfg.Bootstrap).
		Option("subscribe", j.cfg.InputTopic).
		Option("startingOffsets", j.cfg.StartingOffsets).
		Option("failOnDataLoss", strconv.FormatBool(j.cfg.FailOnDataLoss))
	if j.cfg.MaxOffsetsPerTrigger > 0 {
		r.Option("maxOffsetsPerTrigger", strconv.FormatInt(j.cfg.MaxOffsetsPerTrigger, 10))
	}
	src, err := r.Load()
	if err != nil {
		return nil, err
	}
	if j.cfg.SchemaID != 0 {
		// A dead letter carries the record as base64 (rawAvroSQL), made in the dead-letter branch
		// only: made here for every record, the text cost a fifth of the executor's task CPU.
		return src.SelectExpr(ctx, "CAST(key AS STRING) AS kafka_key", "value AS bin",
			"partition AS kafka_partition", "offset AS kafka_offset", "timestamp AS kafka_timestamp")
	}
	return src.SelectExpr(ctx, "CAST(key AS STRING) AS kafka_key", "CAST(value AS STRING) AS raw",
		"partition AS kafka_partition", "offset AS kafka_offset", "timestamp AS kafka_timestamp")
}

// Parse turns a DataFrame with the record text in `raw` into the transaction's fields as
// columns and amount_is_string; ValidSQL and Classify judge them. Other columns pass through.
//
// The fields come out of a generator (inline of a one-element array) rather than a projection
// of from_json(raw).field: the optimizer pushes filters through projections and prunes every
// from_json(raw).field to its own from_json, which parsed each record once per field reference
// (5x slower in the job). A filter is not pushed below a generator's output, so each record
// is parsed exactly once.
func Parse(ctx context.Context, in sql.DataFrame) (sql.DataFrame, error) {
	return in.SelectExpr(ctx, "*", "("+amountIsStringSQL+") AS amount_is_string",
		"inline(array(from_json(raw, "+sqlString(transaction.SparkSchema)+")))")
}

// Classify is Parse with the verdict: `reason` is NULL for a valid record, else why not.
func Classify(ctx context.Context, parsed sql.DataFrame) (sql.DataFrame, error) {
	return parsed.WithColumn(ctx, "reason", functions.Expr(reasonSQL()))
}

// transactions is the job's one query. It reads every record once and writes three outputs
// through the Kafka sink's per-row topic:
//
//   - aggregates: per merchant and tumbling event-time window, count, sum, average and maximum
//     amount, updated as batches arrive (update mode) and keyed by merchant. Each output record is
//     the window's running total, so a consumer keeps the latest per (merchantId, windowStart):
//     replays after a restart rewrite a total, they never add to it.
//   - anomalies: anomalous transactions, keyed by merchant, as read.
//   - dead letters: records that fail parsing or validation, with the reason, keyed as they came.
//
// Structured Streaming has one sink per query, so the outputs are the union of an aggregating
// branch and a screening branch. Both branches start from the same shuffle of the classified
// records, which Spark then runs once (ReusedExchange): Kafka is read and the JSON parsed once
// per record, not once per output (two queries, as the reference job has, pay both twice).
// For that, the shuffle's input must be identical in both branches: the columns travel in one
// struct (the optimizer prunes unused top-level columns per branch, which would make the two
// shuffles differ), and each branch starts with an observation, which filters are not pushed
// through. The observations are the job's counts: valid records, dead letters, anomalies.
func (j *Job) transactions(ctx context.Context) (*query, error) {
	raw, err := j.source(ctx)
	if err != nil {
		return nil, err
	}
	var in sql.DataFrame
	if id := j.cfg.SchemaID; id != 0 {
		parsed, err := ParseAvro(ctx, raw, id)
		if err != nil {
			return nil, err
		}
		if in, err = ClassifyAvro(ctx, parsed, id); err != nil {
			return nil, err
		}
	} else {
		parsed, err := Parse(ctx, raw)
		if err != nil {
			return nil, err
		}
		if in, err = Classify(ctx, parsed); err != nil {
			return nil, err
		}
	}
	// The record as a dead letter carries it: its text (JSON), or its bytes as base64 (Avro),
	// evaluated in the dead-letter branch of the CASE only.
	rawText := "raw"
	if j.cfg.SchemaID != 0 {
		rawText = rawAvroSQL
	}
	anomalous := "reason IS NULL AND " + transaction.AnomalySQL
	// screened is what the screening branch writes, NULL for a record it does not write.
	screened := func(anomaly, bad string) string {
		return fmt.Sprintf("CASE WHEN reason IS NOT NULL THEN %s WHEN %s THEN %s END", bad, anomalous, anomaly)
	}
	shared, err := in.SelectExpr(ctx, "named_struct("+
		"'valid', reason IS NULL, 'merchantId', merchantId, 'amount', amount, 'transactionTime', transactionTime, "+
		"'produced', unix_millis(kafka_timestamp), "+
		"'topic', "+screened(sqlString(j.cfg.AnomaliesTopic), sqlString(j.cfg.DeadLetterTopic))+
		", 'key', "+screened("merchantId", "kafka_key")+
		", 'value', "+screened(transactionJSON("'rule'", sqlString(transaction.AnomalySQL)),
		"to_json(named_struct('reason', reason, 'raw', "+rawText+", 'topic', "+sqlString(j.cfg.InputTopic)+
			", 'partition', kafka_partition, 'offset', kafka_offset))")+
		") AS r")
	if err != nil {
		return nil, err
	}
	shared, err = shared.Repartition(ctx, j.cfg.ShufflePartitions, []string{"r.merchantId"})
	if err != nil {
		return nil, err
	}
	agg, err := j.aggregates(ctx, shared)
	if err != nil {
		return nil, err
	}
	scr, err := j.screening(ctx, shared)
	if err != nil {
		return nil, err
	}
	// UnionAll: spark-connect-go's UnionByName leaves is_all unset, which is a distinct (stateful).
	w := j.s.WriteStream(agg.UnionAll(ctx, scr)).Format("kafka").QueryName(j.cfg.Query).OutputMode("update").
		Option("kafka.bootstrap.servers", j.cfg.Bootstrap).
		Trigger(sparkconnect.ProcessingTime(j.cfg.Trigger)).
		Checkpoint(filepath.Join(j.cfg.CheckpointDir, j.cfg.Query))
	return &query{name: j.cfg.Query, writer: w}, nil
}

// aggregates is the aggregating branch: topic, key and value of window totals.
func (j *Job) aggregates(ctx context.Context, shared sql.DataFrame) (sql.DataFrame, error) {
	obs, err := j.s.Observe(ctx, shared, acceptedObservation, "count_if(r.valid) AS valid",
		"min(IF(r.valid, r.produced, NULL)) AS "+oldestProduced, "max(IF(r.valid, r.produced, NULL)) AS "+newestProduced)
	if err != nil {
		return nil, err
	}
	valid, err := obs.Where(ctx, "r.valid")
	if err != nil {
		return nil, err
	}
	timed, err := valid.SelectExpr(ctx, "r.merchantId AS merchantId", "r.amount AS amount", "timestamp_millis(r.transactionTime) AS event_time")
	if err != nil {
		return nil, err
	}
	wm, err := timed.WithWatermark(ctx, "event_time", interval(j.cfg.WatermarkDelay))
	if err != nil {
		return nil, err
	}
	agg, err := wm.GroupBy(functions.Expr("window(event_time, "+sqlString(interval(j.cfg.Window))+")").Alias("window"),
		functions.Col("merchantId")).
		Agg(ctx, functions.Expr("count(*)").Alias("count"), functions.Expr("sum(amount)").Alias("sum"),
			functions.Expr("avg(amount)").Alias("avg"), functions.Expr("max(amount)").Alias("max"))
	if err != nil {
		return nil, err
	}
	return agg.SelectExpr(ctx, sqlString(j.cfg.AggregatesTopic)+" AS topic", "merchantId AS key",
		"to_json(named_struct('merchantId', merchantId, 'windowStart', unix_millis(window.start), "+
			"'windowEnd', unix_millis(window.end), 'count', count, 'sum', sum, 'avg', avg, 'max', max)) AS value")
}

// screening is the other branch: anomalies and dead letters as classified before the shuffle.
func (j *Job) screening(ctx context.Context, shared sql.DataFrame) (sql.DataFrame, error) {
	obs, err := j.s.Observe(ctx, shared, observation,
		"count_if(NOT r.valid) AS dead_letter", "count_if(r.valid AND r.topic IS NOT NULL) AS anomalies")
	if err != nil {
		return nil, err
	}
	picked, err := obs.Where(ctx, "r.topic IS NOT NULL")
	if err != nil {
		return nil, err
	}
	return picked.SelectExpr(ctx, "r.topic AS topic", "r.key AS key", "r.value AS value")
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

// failed accounts a failure of q: counts it, marks the query down and applies the restart
// policy: a restart is scheduled, or the policy gives up and the *GaveUpError is returned.
func (j *Job) failed(q *query, class FailureClass, cause error) *GaveUpError {
	now := time.Now()
	j.metrics.failed(q.name, class)
	q.up = false
	j.metrics.setUp(q.name, false)
	p := j.cfg.Restart
	kept := q.restarts[:0]
	for _, t := range q.restarts {
		if now.Sub(t) < p.Window {
			kept = append(kept, t)
		}
	}
	q.restarts = kept
	var reason string
	switch {
	case class.permanent():
		reason = fmt.Sprintf("a %s failure does not heal by restarting", class)
	case len(q.restarts) >= p.MaxRestarts:
		reason = fmt.Sprintf("the restart policy allows %d restarts in %s", p.MaxRestarts, p.Window)
	}
	if reason != "" {
		q.gaveUp = &GaveUpError{Query: q.name, Class: class, Restarts: len(q.restarts), Window: p.Window, Reason: reason, Err: cause}
		j.log.Error("giving up on the query", "query", q.name, "error_class", string(class), "restarts_in_window", len(q.restarts),
			"window", p.Window.String(), "reason", reason, "err", cause)
		return q.gaveUp
	}
	wait := p.delay(len(q.restarts))
	q.nextStart = now.Add(wait)
	j.log.Warn("query will be restarted from its checkpoint", "query", q.name, "error_class", string(class),
		"in", wait.String(), "restarts_in_window", len(q.restarts), "max_restarts", p.MaxRestarts, "window", p.Window.String())
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

// Run watches the queries until ctx ends, then stops them. It turns progress into metrics,
// marks failed queries down and starts them again from their checkpoint as the restart policy
// says. When the policy gives up on a query, Run stops the others and returns the
// *GaveUpError.
func (j *Job) Run(ctx context.Context) error {
	t := time.NewTicker(j.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return j.Stop(context.WithoutCancel(ctx))
		case <-t.C:
			err := j.Poll(ctx)
			if g := (*GaveUpError)(nil); errors.As(err, &g) {
				return errors.Join(g, j.Stop(context.WithoutCancel(ctx)))
			}
			if err != nil && ctx.Err() == nil {
				j.log.Warn("poll failed", "err", err)
			}
		}
	}
}

// Poll reads every query's status and new progress once.
func (j *Job) Poll(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var errs []error
	for _, q := range j.queries {
		if err := j.poll(ctx, q); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", q.name, err))
		}
	}
	return errors.Join(errs...)
}

func (j *Job) poll(ctx context.Context, q *query) error {
	if q.q == nil {
		return nil
	}
	if !q.up {
		if q.gaveUp != nil {
			return q.gaveUp
		}
		if time.Now().Before(q.nextStart) {
			return nil
		}
		q.restarts = append(q.restarts, time.Now())
		j.metrics.restarts.WithLabelValues(q.name).Inc()
		j.log.Info("restarting query from its checkpoint", "query", q.name, "restarts_in_window", len(q.restarts))
		if err := j.start(ctx, q); err != nil {
			class := startFailureClass(err)
			j.log.Error("query restart failed", "query", q.name, "error_class", string(class), "err", err)
			if g := j.failed(q, class, err); g != nil {
				return g
			}
		}
		return nil
	}
	// The last report is enough when nothing was missed since the previous poll; the server
	// renders every kept report as JSON for recentProgress, which costs its CPU at every poll.
	last, err := q.q.LastProgress(ctx)
	if sparkconnect.QueryGone(err) {
		// The server restarted: the query died with it, though no one saw it end. Down, and
		// restarted from its checkpoint per the policy, as any failure.
		j.log.Error("query lost by the Spark Connect server", "query", q.name, "id", q.q.ID, "error_class", string(FailTerminated), "err", err)
		if g := j.failed(q, FailTerminated, err); g != nil {
			return g
		}
		return nil
	}
	if err != nil {
		return err
	}
	if last != nil {
		ps := []sparkconnect.Progress{*last}
		if last.RunID != q.seenRun || last.BatchID > q.seenBatch+1 {
			if ps, err = q.q.RecentProgress(ctx); err != nil {
				return err
			}
		}
		j.account(q, ps)
	}
	st, err := q.q.Status(ctx)
	if err != nil {
		return err
	}
	if st.IsActive {
		return nil
	}
	// The query ended without us stopping it: that is a failure (our queries never finish).
	qe, err := q.q.Exception(ctx)
	if err != nil {
		return err
	}
	if ps, err := q.q.RecentProgress(ctx); err == nil {
		j.account(q, ps)
	}
	class := classifyFailure(qe)
	var cause error = qe
	if qe != nil {
		j.log.Error("query failed", "query", q.name, "id", q.q.ID, "error_class", string(class), "spark_error_class", qe.ErrorClass, "err", qe.Message)
	} else {
		cause = fmt.Errorf("stream: query %s terminated without an exception (status %q)", q.name, st.Message)
		j.log.Error("query terminated", "query", q.name, "id", q.q.ID, "error_class", string(class), "status", st.Message)
	}
	if g := j.failed(q, class, cause); g != nil {
		return g
	}
	return nil
}

// account folds the reports not seen yet into the metrics.
func (j *Job) account(q *query, ps []sparkconnect.Progress) {
	for i := range ps {
		p := &ps[i]
		if p.RunID != q.seenRun {
			if p.RunID != q.q.RunID {
				continue // a previous run's report
			}
			q.seenRun, q.seenTime, q.seenBatch = p.RunID, "", -1
		}
		if p.Timestamp <= q.seenTime {
			continue
		}
		q.seenTime = p.Timestamp
		q.seenBatch = max(q.seenBatch, p.BatchID)
		j.metrics.observe(q.name, p)
		if p.RanBatch() {
			j.log.Debug("batch", "query", q.name, "batch", p.BatchID, "rows", p.NumInputRows,
				"rows_per_s", p.ProcessedRowsPerSecond, "duration_ms", p.DurationMs["triggerExecution"])
		}
	}
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
