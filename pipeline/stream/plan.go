package stream

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

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
	// maxSkew is the batch's largest event time minus Kafka timestamp of a record that met
	// the contract (quarantined ones included): the producers' clock skew.
	maxSkew        = "max_skew_ms"
	newestProduced = "newest_produced_ms"
)

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
	return src.SelectExpr(ctx, "CAST(key AS STRING) AS kafka_key", "CAST(value AS STRING) AS raw", "value AS bin",
		"partition AS kafka_partition", "offset AS kafka_offset", "timestamp AS kafka_timestamp")
}

// transactions is the job's one query. It reads every record once and writes three outputs
// through the Kafka sink's per-row topic:
//
//   - aggregates: per merchant and tumbling event-time window, count, sum, average and maximum
//     amount, updated as batches arrive (update mode) and keyed by merchant. Each output record is
//     the window's running total, so a consumer keeps the latest per (merchantId, windowStart):
//     replays after a restart rewrite a total, they never add to it.
//   - anomalies: anomalous transactions as read, keyed by transaction id.
//   - dead letters: records that fail parsing or validation, with the reason and the record's
//     key, keyed by where the record is (input topic/partition/offset).
//
// A batch replayed after a restart writes its outputs again: aggregates as the same running
// totals, anomalies and dead letters under the same keys, in compacted topics (topics/): a
// consumer that keeps the latest record per key counts each once, and compaction drops the
// copies in time.
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
	// The record as a dead letter carries it: an excerpt of its text (JSON), or of its bytes as
	// base64 (Avro), evaluated in the dead-letter branch of the CASE only.
	rawText := rawTextSQL
	if j.cfg.SchemaID != 0 {
		rawText = rawAvroSQL
	}
	// The skew of a record that meets the contract, then the record quarantined when its
	// event time is out of tolerance: a reason like any other, so it goes to dead letters and
	// never reaches the watermark.
	if in, err = in.WithColumn(ctx, "skew_ms", functions.Expr("IF(reason IS NULL, "+eventSkewSQL+", NULL)")); err != nil {
		return nil, err
	}
	if in, err = in.WithColumn(ctx, "reason", functions.Expr("COALESCE(reason, "+eventTimeReasonSQL(j.cfg.EventAhead, j.cfg.EventBehind)+")")); err != nil {
		return nil, err
	}
	anomalous := "reason IS NULL AND " + transaction.AnomalySQL
	// screened is what the screening branch writes, NULL for a record it does not write.
	screened := func(anomaly, bad string) string {
		return fmt.Sprintf("CASE WHEN reason IS NOT NULL THEN %s WHEN %s THEN %s END", bad, anomalous, anomaly)
	}
	shared, err := in.SelectExpr(ctx, "named_struct("+
		"'valid', reason IS NULL, 'merchantId', merchantId, 'amount', amount, 'transactionTime', transactionTime, "+
		"'produced', unix_millis(kafka_timestamp), 'skew', skew_ms, 'quarantined', skew_ms IS NOT NULL AND reason IS NOT NULL, "+
		"'topic', "+screened(sqlString(j.cfg.AnomaliesTopic), sqlString(j.cfg.DeadLetterTopic))+
		", 'key', "+screened("transactionId", deadLetterSourceSQL(j.cfg.InputTopic))+
		", 'value', "+screened(transactionJSON("'rule'", sqlString(transaction.AnomalySQL)),
		"to_json(named_struct('reason', reason, 'raw', "+rawText+", "+deadLetterRecordSQL+", 'key', "+deadLetterKeySQL+", 'topic', "+sqlString(j.cfg.InputTopic)+
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
	q := &query{name: j.cfg.Query, writer: w}
	q.commits = &committer{j: j, query: q.name}
	return q, nil
}

// aggregates is the aggregating branch: topic, key and value of window totals.
func (j *Job) aggregates(ctx context.Context, shared sql.DataFrame) (sql.DataFrame, error) {
	obs, err := j.s.Observe(ctx, shared, acceptedObservation, "count_if(r.valid) AS valid",
		"min(IF(r.valid, r.produced, NULL)) AS "+oldestProduced, "max(IF(r.valid, r.produced, NULL)) AS "+newestProduced,
		"max(r.skew) AS "+maxSkew)
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
		"count_if(NOT r.valid) AS dead_letter", "count_if(r.quarantined) AS quarantined", "count_if(r.valid AND r.topic IS NOT NULL) AS anomalies")
	if err != nil {
		return nil, err
	}
	picked, err := obs.Where(ctx, "r.topic IS NOT NULL")
	if err != nil {
		return nil, err
	}
	return picked.SelectExpr(ctx, "r.topic AS topic", "r.key AS key", "r.value AS value")
}
