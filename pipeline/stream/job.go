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
)

// Job is the streaming query of finobs and the driver loop that watches it.
type Job struct {
	cfg     Config
	s       *sparkconnect.Session
	log     *slog.Logger
	metrics *Metrics

	mu      sync.Mutex
	queries []*query
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
	failedAt  time.Time
	failures  int
}

// New builds the query's plan in the session (nothing runs yet) and registers metrics.
func New(ctx context.Context, s *sparkconnect.Session, cfg Config, m *Metrics, log *slog.Logger) (*Job, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// State partitions are fixed in the checkpoint at a query's first start; later values are ignored.
	if err := s.Config().Set(ctx, "spark.sql.shuffle.partitions", strconv.Itoa(cfg.ShufflePartitions)); err != nil {
		return nil, fmt.Errorf("stream: set shuffle partitions: %w", err)
	}
	for k, v := range cfg.SparkConf {
		if err := s.Config().Set(ctx, k, v); err != nil {
			return nil, fmt.Errorf("stream: set %s=%s: %w", k, v, err)
		}
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

// source reads the input topic: the record text as `raw`, plus where it came from.
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
	return src.SelectExpr(ctx, "CAST(key AS STRING) AS kafka_key", "CAST(value AS STRING) AS raw",
		"partition AS kafka_partition", "offset AS kafka_offset")
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
	parsed, err := Parse(ctx, raw)
	if err != nil {
		return nil, err
	}
	in, err := Classify(ctx, parsed)
	if err != nil {
		return nil, err
	}
	anomalous := "reason IS NULL AND " + transaction.AnomalySQL
	// screened is what the screening branch writes, NULL for a record it does not write.
	screened := func(anomaly, bad string) string {
		return fmt.Sprintf("CASE WHEN reason IS NOT NULL THEN %s WHEN %s THEN %s END", bad, anomalous, anomaly)
	}
	shared, err := in.SelectExpr(ctx, "named_struct("+
		"'valid', reason IS NULL, 'merchantId', merchantId, 'amount', amount, 'transactionTime', transactionTime, "+
		"'topic', "+screened(sqlString(j.cfg.AnomaliesTopic), sqlString(j.cfg.DeadLetterTopic))+
		", 'key', "+screened("merchantId", "kafka_key")+
		", 'value', "+screened(transactionJSON("'rule'", sqlString(transaction.AnomalySQL)),
		"to_json(named_struct('reason', reason, 'raw', raw, 'topic', "+sqlString(j.cfg.InputTopic)+
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
	obs, err := j.s.Observe(ctx, shared, acceptedObservation, "count_if(r.valid) AS valid")
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

// Start starts every query. A query whose checkpoint exists resumes from it.
func (j *Job) Start(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, q := range j.queries {
		if err := j.start(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

func (j *Job) start(ctx context.Context, q *query) error {
	sq, err := q.writer.Start(ctx)
	if err != nil {
		return fmt.Errorf("stream: %w", err)
	}
	q.q, q.up = sq, true
	j.metrics.setUp(q.name, true)
	j.log.Info("query started", "query", q.name, "id", sq.ID, "run_id", sq.RunID, "trigger", j.cfg.Trigger.String(),
		"checkpoint", filepath.Join(j.cfg.CheckpointDir, q.name))
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
// marks failed queries down and, with a RestartBackoff, starts them again from their checkpoint.
func (j *Job) Run(ctx context.Context) error {
	t := time.NewTicker(j.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return j.Stop(context.WithoutCancel(ctx))
		case <-t.C:
			if err := j.Poll(ctx); err != nil && ctx.Err() == nil {
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
		// The first restart is immediate: Spark 4.1.1's Kafka source fails a restarted query
		// right after it re-runs a batch the previous run had planned but not committed
		// (KafkaMicroBatchStream.metrics on a null latest offset, after the batch committed), and
		// the next start goes through. Repeated failures back off.
		if j.cfg.RestartBackoff > 0 && time.Since(q.failedAt) >= j.cfg.RestartBackoff*time.Duration(min(q.failures-1, 10)) {
			j.log.Info("restarting query from its checkpoint", "query", q.name, "failures", q.failures)
			if err := j.start(ctx, q); err != nil {
				q.failedAt = time.Now()
				q.failures++
				return err
			}
		}
		return nil
	}
	// The last report is enough when nothing was missed since the previous poll; the server
	// renders every kept report as JSON for recentProgress, which costs its CPU at every poll.
	last, err := q.q.LastProgress(ctx)
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
	q.up = false
	q.failedAt = time.Now()
	q.failures++
	j.metrics.setUp(q.name, false)
	qe, err := q.q.Exception(ctx)
	if err != nil {
		return err
	}
	if ps, err := q.q.RecentProgress(ctx); err == nil {
		j.account(q, ps)
	}
	if qe != nil {
		j.log.Error("query failed", "query", q.name, "id", q.q.ID, "error_class", qe.ErrorClass, "err", qe.Message)
	} else {
		j.log.Error("query terminated", "query", q.name, "id", q.q.ID, "status", st.Message)
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
