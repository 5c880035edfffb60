package stream

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/finobs/finobs/internal/sparkconnect"
)

// RestartPolicy says when a failed query is started again from its checkpoint, and when the
// driver gives up on it. A query that fails again and again is not healed by restarting: past
// MaxRestarts within Window the driver stops trying and Run returns a *GaveUpError (cmd/stream
// exits non-zero), so that a supervisor and the alerts see a dead job, not a job that flickers
// up between failures and looks healthy.
type RestartPolicy struct {
	// MaxRestarts is how many restarts Window may hold; the failure after them gives up.
	// 0 gives up at the first failure.
	MaxRestarts int
	// Window is how far back restarts count: a query that ran well for longer has its
	// earlier restarts forgotten.
	Window time.Duration
	// Backoff is the wait before the second restart within Window; it doubles for every
	// further one, up to MaxBackoff. The first restart is immediate: Spark 4.1.1's Kafka source
	// fails a restarted query once right after it re-ran a batch the previous run had planned
	// but not committed (KafkaMicroBatchStream.metrics on a null latest offset, after the batch
	// committed), and the next start goes through.
	Backoff    time.Duration
	MaxBackoff time.Duration
}

// DefaultRestartPolicy gives up after 5 restarts in 15 minutes, waiting 0, 10 s, 20 s, 40 s
// and 80 s before them: about 3 minutes of a query failing at every start, well past the
// crash-loop alert (3 restarts in 15 minutes) and the single failure of Spark's restart bug.
func DefaultRestartPolicy() RestartPolicy {
	return RestartPolicy{MaxRestarts: 5, Window: 15 * time.Minute, Backoff: 10 * time.Second, MaxBackoff: 2 * time.Minute}
}

func (p RestartPolicy) validate() error {
	var errs []error
	if p.MaxRestarts < 0 {
		errs = append(errs, fmt.Errorf("max restarts %d is negative", p.MaxRestarts))
	}
	if p.MaxRestarts > 0 && p.Window <= 0 {
		errs = append(errs, fmt.Errorf("restart window %s must be positive", p.Window))
	}
	if p.Backoff < 0 || p.MaxBackoff < p.Backoff {
		errs = append(errs, fmt.Errorf("restart backoff %s and max backoff %s: want 0 <= backoff <= max", p.Backoff, p.MaxBackoff))
	}
	return errors.Join(errs...)
}

// delay is the wait before the next restart when the window already holds n restarts.
func (p RestartPolicy) delay(n int) time.Duration {
	if n <= 0 {
		return 0
	}
	d := p.Backoff
	for i := 1; i < n && d < p.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, p.MaxBackoff)
}

// FailureClass is the error_class label of finobs_stream_query_failures_total: a fixed set,
// so that the label stays bounded whatever Spark's message says, and every class's series can
// exist at 0 from the start.
type FailureClass string

const (
	// FailDataLoss: offsets the checkpoint needs are gone from Kafka (retention, a deleted or
	// truncated topic), reported by Spark with failOnDataLoss. Not restarted: a restart would
	// fail again, or, as Spark 4.1.1 did after a few tries, run on past the gap.
	FailDataLoss FailureClass = "data_loss"
	// FailForeignCheckpoint: the checkpoint belongs to another topic, cluster or query shape
	// (a *ForeignCheckpointError), or its topic is gone. Not restarted.
	FailForeignCheckpoint FailureClass = "foreign_checkpoint"
	// FailState: the state store refused the checkpoint's state (schema, corruption).
	FailState FailureClass = "state"
	// FailKafka: Kafka errors other than data loss (unreachable, timeouts, authorization).
	FailKafka FailureClass = "kafka"
	// FailStart: the server did not start the query (the start command failed).
	FailStart FailureClass = "start"
	// FailTerminated: the query ended without an exception and without the driver stopping it.
	FailTerminated FailureClass = "terminated"
	// FailOther: any other exception of the query.
	FailOther FailureClass = "other"
)

// FailureClasses is every FailureClass, in the order the metrics create them.
var FailureClasses = []FailureClass{FailDataLoss, FailForeignCheckpoint, FailState, FailKafka, FailStart, FailTerminated, FailOther}

// permanent says whether restarting cannot help: the driver gives up at once.
func (c FailureClass) permanent() bool { return c == FailDataLoss || c == FailForeignCheckpoint }

// classifyFailure puts a query's exception in its class. Spark 4 wraps the cause in
// STREAM_FAILED, naming the cause's error class in the message: the message is searched too,
// up to the description of the query that follows the cause (its plan names operators such
// as StateStoreSave and KafkaTable whatever failed).
func classifyFailure(qe *sparkconnect.QueryError) FailureClass {
	if qe == nil {
		return FailTerminated
	}
	cause, _, _ := strings.Cut(qe.Message, "=== Streaming Query ===")
	text := qe.ErrorClass + " " + cause
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(text, s) {
				return true
			}
		}
		return false
	}
	switch {
	case has("KAFKA_DATA_LOSS", "data may have been lost", "data may have been missed", "Some data may be lost",
		"OffsetOutOfRangeException"):
		return FailDataLoss
	case has("STATE_STORE_", "STATE_SCHEMA", "StateSchemaNotCompatible"):
		return FailState
	case has("org.apache.kafka.", "KAFKA_"):
		return FailKafka
	}
	return FailOther
}

// startFailureClass is the class of an error starting (or restarting) a query.
func startFailureClass(err error) FailureClass {
	var fe *ForeignCheckpointError
	var ke *kafkaLookupError
	switch {
	case errors.As(err, &fe):
		return FailForeignCheckpoint
	case errors.As(err, &ke):
		return FailKafka
	}
	return FailStart
}

// GaveUpError is what Run returns when the restart policy gave up on a query.
type GaveUpError struct {
	Query    string
	Class    FailureClass
	Restarts int           // restarts within the policy's window before the last failure
	Window   time.Duration // the policy's window
	Reason   string        // why no further restart
	Err      error         // the last failure
}

func (e *GaveUpError) Error() string {
	return fmt.Sprintf("stream: query %s: gave up after %d restarts in %s: %s; last failure (%s): %v",
		e.Query, e.Restarts, e.Window, e.Reason, e.Class, e.Err)
}

func (e *GaveUpError) Unwrap() error { return e.Err }
