// Package stream is the finobs streaming job: transactions from Kafka, parsed with an explicit
// schema, aggregated per merchant and event-time window into an aggregates topic, screened for
// anomalies and bad input into an anomalies and a dead-letter topic. It runs as Structured
// Streaming queries on a Spark Connect server; this package builds them with spark-connect-go's
// DataFrame API (internal/sparkconnect adds the streaming parts) and turns their progress into
// Prometheus metrics.
package stream

import (
	"github.com/finobs/finobs/topics"

	"errors"
	"fmt"
	"strings"
	"time"
)

// Config is everything the job needs; Defaults gives a working local setup.
type Config struct {
	SparkRemote string // Spark Connect host:port or sc:// URL
	Bootstrap   string // Kafka bootstrap servers

	InputTopic string
	// SchemaID, when set, says the input is Avro in the registry's wire format, of this
	// schema id (see SchemaID to look it up); 0 reads JSON.
	SchemaID        uint32
	AggregatesTopic string
	AnomaliesTopic  string
	DeadLetterTopic string

	// CheckpointDir holds the query's checkpoint (<dir>/<query name>) and its ownership record
	// (<dir>/<query name>.owner.json, see Owner): a local path that this driver and the Spark
	// server both see. Restarting with the same directory resumes where the last run committed,
	// if the checkpoint belongs to the same topic, cluster and query shape.
	CheckpointDir string
	// FreshStart moves an existing checkpoint and its ownership record aside (never deletes
	// them) before the first start, so that the query starts over from StartingOffsets.
	FreshStart bool

	Query string // the query's name; it is the `query` label of every metric

	Trigger        time.Duration // processing-time trigger
	Window         time.Duration // tumbling event-time window of the aggregates
	WatermarkDelay time.Duration // how late an event may be and still count
	// EventAhead and EventBehind bound a record's event time against its Kafka timestamp,
	// the broker's clock (the input topic uses LogAppendTime): a record outside them is
	// quarantined to the dead-letter topic with the reason and never moves the watermark.
	// One record dated a year ahead would otherwise move it a year ahead, and every record
	// after it would be late and dropped. 0 turns a bound off.
	EventAhead, EventBehind time.Duration
	ShufflePartitions       int // partitions of the aggregation's state and shuffle

	StartingOffsets      string // "earliest" or "latest" (first start only; then the checkpoint rules)
	MaxOffsetsPerTrigger int64  // cap on records per batch; 0 = no cap
	// FailOnDataLoss fails the query when offsets it needs are gone from Kafka (retention, a
	// deleted topic); see Job.source for why it is on.
	FailOnDataLoss bool

	PollInterval time.Duration // how often progress is read into metrics
	// Restart says when a failed query is started again and when the driver gives up.
	Restart RestartPolicy
	// StopWait bounds how long a stop waits for the running batch to finish.
	StopWait time.Duration
	// CommitTimeout bounds a commit of processed offsets to the query's consumer group
	// (commit.go); 0 is 10s.
	CommitTimeout time.Duration

	// SparkConf is set in the job's Spark session before the queries are planned (SQL and
	// streaming settings, e.g. spark.sql.codegen.hugeMethodLimit).
	SparkConf map[string]string
}

// Defaults is the local native stack's setup, but for CheckpointDir, which the caller sets:
// cmd/stream puts it in the native stack's state directory (deploy/native) or where
// $FINOBS_CHECKPOINT_DIR says (a volume under Compose).
func Defaults() Config {
	return Config{
		SparkRemote:          "127.0.0.1:15002",
		Bootstrap:            "127.0.0.1:9092",
		InputTopic:           topics.Transactions,
		AggregatesTopic:      topics.Aggregates,
		AnomaliesTopic:       topics.Anomalies,
		DeadLetterTopic:      topics.DeadLetters,
		CheckpointDir:        "", // the stack's: cmd/stream defaults it to deploy/native's state directory
		Query:                "transactions",
		Trigger:              5 * time.Second,
		Window:               time.Minute,
		WatermarkDelay:       30 * time.Second,
		EventAhead:           5 * time.Minute,
		EventBehind:          24 * time.Hour, // the input topic's retention
		ShufflePartitions:    4,
		StartingOffsets:      "earliest",
		MaxOffsetsPerTrigger: 0,
		FailOnDataLoss:       true,
		PollInterval:         5 * time.Second,
		Restart:              DefaultRestartPolicy(),
		StopWait:             10 * time.Second,
	}
}

// Validate reports the first unusable setting.
func (c *Config) Validate() error {
	var errs []error
	for name, v := range map[string]string{"spark remote": c.SparkRemote, "bootstrap": c.Bootstrap,
		"input topic": c.InputTopic, "aggregates topic": c.AggregatesTopic, "anomalies topic": c.AnomaliesTopic,
		"dead-letter topic": c.DeadLetterTopic, "checkpoint dir": c.CheckpointDir,
		"query": c.Query} {
		if v == "" {
			errs = append(errs, fmt.Errorf("%s is empty", name))
		}
	}
	if c.Trigger < 0 {
		errs = append(errs, fmt.Errorf("trigger %s is negative", c.Trigger))
	}
	if c.Window < time.Second || c.Window%time.Second != 0 {
		errs = append(errs, fmt.Errorf("window %s must be whole seconds, at least 1s", c.Window))
	}
	if c.WatermarkDelay < 0 || c.WatermarkDelay%time.Millisecond != 0 {
		errs = append(errs, fmt.Errorf("watermark delay %s must be whole milliseconds, not negative", c.WatermarkDelay))
	}
	if c.EventAhead < 0 || c.EventBehind < 0 {
		errs = append(errs, fmt.Errorf("event-time tolerances %s ahead, %s behind: not negative (0 turns one off)", c.EventAhead, c.EventBehind))
	}
	if c.ShufflePartitions < 1 {
		errs = append(errs, fmt.Errorf("shuffle partitions %d < 1", c.ShufflePartitions))
	}
	if c.StartingOffsets != "earliest" && c.StartingOffsets != "latest" {
		errs = append(errs, fmt.Errorf("starting offsets %q: want earliest or latest", c.StartingOffsets))
	}
	if c.MaxOffsetsPerTrigger < 0 {
		errs = append(errs, fmt.Errorf("max offsets per trigger %d is negative", c.MaxOffsetsPerTrigger))
	}
	if c.PollInterval <= 0 {
		errs = append(errs, fmt.Errorf("poll interval %s must be positive", c.PollInterval))
	}
	if c.CheckpointDir != "" && strings.Contains(c.CheckpointDir, "://") {
		errs = append(errs, fmt.Errorf("checkpoint dir %s: want a local path (the driver checks the checkpoint's ownership record beside it)", c.CheckpointDir))
	}
	if err := c.Restart.validate(); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("stream: config: %w", err)
	}
	return nil
}
