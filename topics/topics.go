// Package topics declares the Kafka topics of the data pipeline, once: their names (the
// producer, the streaming job, the alerts and the dashboards refer to these constants) and
// everything the stack creates them with: partitions, replication, min.insync.replicas,
// retention, segments and cleanup policy. cmd/deploy applies the declarations to a running
// stack; the producer and the stream driver check them and create from them as a fallback.
package topics

import (
	"cmp"
	"fmt"
	"strconv"
	"time"

	"github.com/finobs/finobs/pkg/stack"
)

const (
	// Transactions is what the producer writes and the streaming job reads.
	Transactions = "financial_transactions"
	// Aggregates holds the per-merchant window totals the job writes.
	Aggregates = "merchant_aggregates"
	// Anomalies holds the transactions the job's screening flags.
	Anomalies = "transaction_anomalies"
	// DeadLetters holds the records the job cannot parse, with the reason.
	DeadLetters = "transactions_dead_letter"
)

// Outputs are the topics the streaming job writes results to.
var Outputs = []string{Aggregates, Anomalies}

// Names lists every declared topic, in declaration order.
var Names = []string{Transactions, Aggregates, Anomalies, DeadLetters}

// Timestamp is a topic's message.timestamp.type: whose clock a record's timestamp is.
type Timestamp string

const (
	CreateTime    Timestamp = "CreateTime"    // the producer's (Kafka's default)
	LogAppendTime Timestamp = "LogAppendTime" // the leader broker's, when it appends
)

// Timestamps: the transactions topic keeps the broker's clock, so that the stream job can
// tell an event time that runs ahead (a producer's clock, or one bad record) from a late one
// (pipeline/stream quarantines what is out of tolerance); the others keep the producer's.
var Timestamps = map[string]Timestamp{Transactions: LogAppendTime}

// Partitions of every pipeline topic: the job's outputs are keyed like its input, so they
// spread over as many partitions.
const Partitions = 6

// Cleanup is a topic's cleanup.policy.
type Cleanup string

const (
	Delete        Cleanup = "delete"
	Compact       Cleanup = "compact"
	CompactDelete Cleanup = "compact,delete"
)

// Storage is what the brokers keep of a topic: the part the capacity planner sizes.
type Storage struct {
	// RetentionTime is retention.ms; a negative value keeps records forever.
	RetentionTime time.Duration
	// RetentionBytes is retention.bytes, per partition; -1 is no size limit.
	RetentionBytes int64
	// SegmentBytes is segment.bytes: retention deletes whole segments, so a partition holds
	// up to RetentionBytes plus one segment.
	SegmentBytes int64
	Cleanup      Cleanup
}

// DefaultStorage is the storage of every topic, in one place: a capacity plan replaces it
// (Declare takes any such map). Sized for a laptop stack: a day of transactions, and a week
// of the job's much smaller outputs (smaller segments, so that time retention frees them),
// each partition bounded at 1 GiB, the native brokers' default: a stack whose topics were
// created before these declarations holds no more than that, and provisioning it lowers
// no retention.
func DefaultStorage() map[string]Storage {
	const week = 7 * 24 * time.Hour
	return map[string]Storage{
		Transactions: {RetentionTime: 24 * time.Hour, RetentionBytes: 1 << 30, SegmentBytes: 64 << 20, Cleanup: Delete},
		Aggregates:   {RetentionTime: week, RetentionBytes: 1 << 30, SegmentBytes: 16 << 20, Cleanup: Delete},
		// Compacted as well: the job keys them by transaction id and by source offset, and a
		// replayed batch writes them again under the same keys.
		Anomalies:   {RetentionTime: week, RetentionBytes: 1 << 30, SegmentBytes: 16 << 20, Cleanup: CompactDelete},
		DeadLetters: {RetentionTime: week, RetentionBytes: 1 << 30, SegmentBytes: 16 << 20, Cleanup: CompactDelete},
	}
}

// Topic is one declared topic.
type Topic struct {
	Name              string
	Partitions        int32
	ReplicationFactor int16
	MinInsyncReplicas int
	Timestamp         Timestamp
	Storage
}

// Kafka topic config keys the declarations set.
const (
	KeyMinInsync      = "min.insync.replicas"
	KeyRetentionMs    = "retention.ms"
	KeyRetentionBytes = "retention.bytes"
	KeySegmentBytes   = "segment.bytes"
	KeyCleanupPolicy  = "cleanup.policy"
	KeyTimestampType  = "message.timestamp.type"
)

// ConfigKeys are the topic configs of Configs, in a fixed order (for plans and tests).
var ConfigKeys = []string{KeyMinInsync, KeyRetentionMs, KeyRetentionBytes, KeySegmentBytes, KeyCleanupPolicy, KeyTimestampType}

// Configs are the topic-level configs of t, as Kafka spells them.
func (t Topic) Configs() map[string]string {
	ms := int64(-1)
	if t.RetentionTime >= 0 {
		ms = t.RetentionTime.Milliseconds()
	}
	return map[string]string{
		KeyMinInsync:      strconv.Itoa(t.MinInsyncReplicas),
		KeyRetentionMs:    strconv.FormatInt(ms, 10),
		KeyRetentionBytes: strconv.FormatInt(t.RetentionBytes, 10),
		KeySegmentBytes:   strconv.FormatInt(t.SegmentBytes, 10),
		KeyCleanupPolicy:  string(t.Cleanup),
		KeyTimestampType:  string(cmp.Or(t.Timestamp, CreateTime)),
	}
}

// Replication is the replication factor and min.insync.replicas for a cluster of n
// brokers: 3 and 2 from three brokers on (one broker may be lost with acks=all still
// writing), everything on the one broker of a single-node stack.
func Replication(brokers int) (rf int16, minInsync int) {
	switch {
	case brokers >= 3:
		return 3, 2
	case brokers == 2:
		return 2, 1
	default:
		return 1, 1
	}
}

// Declare is every topic for a cluster of the given number of brokers, with the given
// storage per topic name. A topic without storage, or with storage that Kafka would
// refuse, is an error naming it.
func Declare(brokers int, storage map[string]Storage) ([]Topic, error) {
	if brokers < 1 {
		return nil, fmt.Errorf("topics: %d brokers: want at least 1", brokers)
	}
	rf, minISR := Replication(brokers)
	out := make([]Topic, 0, len(Names))
	for _, name := range Names {
		s, ok := storage[name]
		if !ok {
			return nil, fmt.Errorf("topics: no storage declared for topic %s", name)
		}
		t := Topic{Name: name, Partitions: Partitions, ReplicationFactor: rf, MinInsyncReplicas: minISR,
			Timestamp: cmp.Or(Timestamps[name], CreateTime), Storage: s}
		if err := t.Validate(); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// For is every topic as the stack declares it (its broker count decides the replication).
func For(st stack.Stack) []Topic {
	ts, err := Declare(st.Brokers(), DefaultStorage())
	if err != nil {
		panic(err) // the defaults are a declaration: the package tests check them
	}
	return ts
}

// Brokers is the size of a cluster as a metadata answer shows it: the live brokers, and the
// brokers the partitions are assigned to. A broker that is down is missing from the live
// ones only, and a client started meanwhile must not take the cluster for a smaller one
// (it would ask for the replication of two brokers on topics declared for three).
func Brokers(live []int32, replicas ...[]int32) int {
	ids := map[int32]bool{}
	for _, id := range live {
		ids[id] = true
	}
	for _, rs := range replicas {
		for _, id := range rs {
			ids[id] = true
		}
	}
	return len(ids)
}

// Lookup returns the declared topic of that name for a cluster of the given size.
func Lookup(name string, brokers int) (Topic, bool) {
	ts, err := Declare(max(brokers, 1), DefaultStorage())
	if err != nil {
		panic(err)
	}
	for _, t := range ts {
		if t.Name == name {
			return t, true
		}
	}
	return Topic{}, false
}

// Validate reports a declaration Kafka would refuse or that would lose data at once.
func (t Topic) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("topic %s: "+format, append([]any{t.Name}, a...)...)
	}
	switch {
	case t.Name == "":
		return fmt.Errorf("topics: a topic without a name")
	case t.Partitions < 1:
		return bad("partitions %d: want at least 1", t.Partitions)
	case t.ReplicationFactor < 1:
		return bad("replication factor %d: want at least 1", t.ReplicationFactor)
	case t.Timestamp != CreateTime && t.Timestamp != LogAppendTime:
		return bad("message.timestamp.type %q: want %s or %s", t.Timestamp, CreateTime, LogAppendTime)
	case t.MinInsyncReplicas < 1 || t.MinInsyncReplicas > int(t.ReplicationFactor):
		return bad("min.insync.replicas %d: want 1..replication factor %d", t.MinInsyncReplicas, t.ReplicationFactor)
	case t.RetentionTime >= 0 && t.RetentionTime < time.Minute:
		return bad("retention %v: want a minute or more, or negative for no time limit", t.RetentionTime)
	case t.RetentionBytes == 0 || t.RetentionBytes < -1:
		return bad("retention.bytes %d: want bytes per partition, or -1 for no size limit", t.RetentionBytes)
	case t.SegmentBytes < 1<<20:
		return bad("segment.bytes %d: want at least 1 MiB (Kafka's floor)", t.SegmentBytes)
	case t.RetentionBytes > 0 && t.RetentionBytes < t.SegmentBytes:
		return bad("retention.bytes %d is below segment.bytes %d: a partition would keep only its active segment", t.RetentionBytes, t.SegmentBytes)
	}
	switch t.Cleanup {
	case Delete, Compact, CompactDelete:
	default:
		return bad("cleanup.policy %q: want delete, compact or compact,delete", t.Cleanup)
	}
	return nil
}
