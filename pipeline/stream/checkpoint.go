package stream

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// A checkpoint holds Kafka offsets and aggregation state. Its offsets are positions in one
// topic of one cluster: read against a topic deleted and created again under the same name,
// or against another cluster, they skip records (or fail, then skip after a few restarts, as
// Spark 4.1.1 did) and nothing says so. Its state means something only to the query shape
// that wrote it. Spark records none of this in the checkpoint (Kafka offsets name the topic,
// not its id), so the driver does: the first start writes an ownership record beside the
// checkpoint, and every start, restarts included, compares it with what the job reads now.

// shapeVersion is the version of the transactions query's stateful plan: the aggregation's
// keys (merchantId, event-time window) and values (count, sum, avg, max), the one Kafka source
// and the union of the two branches. Increase it when a change to transactions() makes an old
// checkpoint's state or offsets mean something else (Spark does not always notice): such a
// checkpoint is then refused, not misread.
const shapeVersion = 1

// Owner is what a checkpoint belongs to: the ownership record, <checkpoint>.owner.json.
type Owner struct {
	Query     string `json:"query"`
	Topic     string `json:"topic"`
	TopicID   string `json:"topic_id"`   // as Kafka's tools print it (kafka-topics --describe)
	ClusterID string `json:"cluster_id"` // the Kafka cluster id
	Shape     Shape  `json:"shape"`
	// Where and when the record was written: for the reader, not compared.
	Bootstrap string    `json:"bootstrap"`
	Created   time.Time `json:"created"`
}

// Shape is what of the query's configuration is fixed in its checkpoint's state. Output
// topics, trigger, rate limits and the watermark delay are not: they may change between runs.
type Shape struct {
	Version         int    `json:"version"`
	Window          string `json:"window"`
	StatePartitions int    `json:"state_partitions"` // spark.sql.shuffle.partitions at the first start
}

func (s Shape) String() string {
	return fmt.Sprintf("v%d, window %s, %d state partitions", s.Version, s.Window, s.StatePartitions)
}

func (c Config) shape() Shape {
	return Shape{Version: shapeVersion, Window: c.Window.String(), StatePartitions: c.ShufflePartitions}
}

// differences lists how o (the record) and now (what the job reads) disagree.
func (o Owner) differences(now Owner) []string {
	var out []string
	if o.ClusterID != now.ClusterID {
		out = append(out, fmt.Sprintf("Kafka cluster %s, not %s (another cluster)", o.ClusterID, now.ClusterID))
	}
	switch {
	case o.Topic != now.Topic:
		out = append(out, fmt.Sprintf("topic %s (id %s), not %s", o.Topic, o.TopicID, now.Topic))
	case o.TopicID != now.TopicID && o.ClusterID == now.ClusterID:
		out = append(out, fmt.Sprintf("topic id %s, not %s (topic %s was deleted and created again since)", o.TopicID, now.TopicID, now.Topic))
	case o.TopicID != now.TopicID:
		out = append(out, fmt.Sprintf("topic id %s, not %s", o.TopicID, now.TopicID))
	}
	if o.Shape.Version != now.Shape.Version {
		out = append(out, fmt.Sprintf("query shape version %d, not %d (the job's plan changed)", o.Shape.Version, now.Shape.Version))
	}
	if o.Shape.Window != now.Shape.Window {
		out = append(out, fmt.Sprintf("window %s, not %s", o.Shape.Window, now.Shape.Window))
	}
	if o.Shape.StatePartitions != now.Shape.StatePartitions {
		out = append(out, fmt.Sprintf("%d state partitions, not %d (fixed at the first start)", o.Shape.StatePartitions, now.Shape.StatePartitions))
	}
	return out
}

// ForeignCheckpointError refuses a checkpoint that belongs to something else than what the
// job reads, or whose owner is unknown.
type ForeignCheckpointError struct {
	Checkpoint  string
	Record      string // the ownership record's path
	Owner       *Owner // nil: no record
	Now         Owner
	Differences []string
	Missing     bool // the topic the record names is gone
}

func (e *ForeignCheckpointError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stream: checkpoint %s ", e.Checkpoint)
	switch {
	case e.Missing:
		fmt.Fprintf(&b, "belongs to topic %s (id %s) of Kafka cluster %s, which has no topic %s any more",
			e.Owner.Topic, e.Owner.TopicID, e.Owner.ClusterID, e.Owner.Topic)
	case e.Owner == nil:
		fmt.Fprintf(&b, "has no ownership record %s: it is not known to belong to topic %s (id %s) of Kafka cluster %s",
			e.Record, e.Now.Topic, e.Now.TopicID, e.Now.ClusterID)
	default:
		fmt.Fprintf(&b, "belongs to topic %s (id %s) of Kafka cluster %s, query %s of shape %s (since %s, record %s); "+
			"the job reads topic %s (id %s) of cluster %s with shape %s: %s",
			e.Owner.Topic, e.Owner.TopicID, e.Owner.ClusterID, e.Owner.Query, e.Owner.Shape, e.Owner.Created.Format(time.RFC3339), e.Record,
			e.Now.Topic, e.Now.TopicID, e.Now.ClusterID, e.Now.Shape, strings.Join(e.Differences, "; "))
	}
	b.WriteString(". Its offsets and state mean nothing here, so nothing was started. To start over deliberately, " +
		"run with -fresh: it moves the checkpoint and its record aside (nothing is deleted) and the query " +
		"reads the topic from -starting-offsets; or give another -checkpoint-dir")
	return b.String()
}

// kafkaLookupError is a failure to ask Kafka who the checkpoint should belong to.
type kafkaLookupError struct{ err error }

func (e *kafkaLookupError) Error() string { return e.err.Error() }
func (e *kafkaLookupError) Unwrap() error { return e.err }

// checkpointPath is the query's checkpoint; recordPath its ownership record.
func (c Config) checkpointPath(query string) string { return filepath.Join(c.CheckpointDir, query) }
func recordPath(checkpoint string) string           { return checkpoint + ".owner.json" }

// currentOwner asks Kafka what the query reads now: the cluster's id and the input topic's.
// A topic that does not exist is an error: a checkpoint cannot be tied to it.
func currentOwner(ctx context.Context, cfg Config, query string) (Owner, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(cfg.Bootstrap, ",")...))
	if err != nil {
		return Owner{}, &kafkaLookupError{fmt.Errorf("stream: kafka client: %w", err)}
	}
	defer cl.Close()
	md, err := kadm.NewClient(cl).Metadata(ctx, cfg.InputTopic)
	if err != nil {
		return Owner{}, &kafkaLookupError{fmt.Errorf("stream: metadata of %s at %s: %w", cfg.InputTopic, cfg.Bootstrap, err)}
	}
	own := Owner{Query: query, Topic: cfg.InputTopic, ClusterID: md.Cluster, Shape: cfg.shape(), Bootstrap: cfg.Bootstrap}
	td, ok := md.Topics[cfg.InputTopic]
	switch {
	case !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition):
		return own, &missingTopicError{topic: cfg.InputTopic, cluster: md.Cluster, bootstrap: cfg.Bootstrap}
	case td.Err != nil:
		return Owner{}, &kafkaLookupError{fmt.Errorf("stream: metadata of %s at %s: %w", cfg.InputTopic, cfg.Bootstrap, td.Err)}
	case td.ID == kadm.TopicID{}:
		return Owner{}, &kafkaLookupError{fmt.Errorf("stream: Kafka at %s gives no topic id for %s (topic ids need Kafka 2.8+)", cfg.Bootstrap, cfg.InputTopic)}
	}
	// Kafka prints topic ids in URL-safe base64 without padding; kadm's String is standard.
	own.TopicID = base64.RawURLEncoding.EncodeToString(td.ID[:])
	return own, nil
}

// missingTopicError: the input topic does not exist.
type missingTopicError struct{ topic, cluster, bootstrap string }

func (e *missingTopicError) Error() string {
	return fmt.Sprintf("stream: input topic %s does not exist in Kafka cluster %s (%s): create it first (cmd/produce does); "+
		"the driver ties the query's checkpoint to the topic's id", e.topic, e.cluster, e.bootstrap)
}

// checkOwnership compares the checkpoint's ownership record with now. An absent or empty
// checkpoint is claimed: the record is written (replacing a record left without its
// checkpoint). A checkpoint without a record, with a record of another owner, or whose topic
// is gone, is refused with a *ForeignCheckpointError. The bool says whether it claimed.
func checkOwnership(checkpoint string, now Owner, lookupErr error, at time.Time) (bool, error) {
	rec := recordPath(checkpoint)
	empty, err := isEmptyDir(checkpoint)
	if err != nil {
		return false, fmt.Errorf("stream: checkpoint %s: %w", checkpoint, err)
	}
	old, err := readOwner(rec)
	if err != nil {
		return false, err
	}
	var missing *missingTopicError
	if errors.As(lookupErr, &missing) {
		if !empty && old != nil && old.Topic == now.Topic && old.ClusterID == now.ClusterID {
			return false, &ForeignCheckpointError{Checkpoint: checkpoint, Record: rec, Owner: old, Now: now, Missing: true}
		}
		return false, lookupErr
	}
	if lookupErr != nil {
		return false, lookupErr
	}
	if empty {
		now.Created = at.UTC()
		return true, writeOwner(rec, now)
	}
	if old == nil {
		return false, &ForeignCheckpointError{Checkpoint: checkpoint, Record: rec, Now: now}
	}
	if d := old.differences(now); len(d) > 0 {
		return false, &ForeignCheckpointError{Checkpoint: checkpoint, Record: rec, Owner: old, Now: now, Differences: d}
	}
	return false, nil
}

// isEmptyDir: path is absent or an empty directory. Spark writes a checkpoint's metadata
// file at the query's first start, so a checkpoint that ever ran is never empty.
func isEmptyDir(path string) (bool, error) {
	entries, err := os.ReadDir(path)
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return len(entries) == 0, nil
}

func readOwner(path string) (*Owner, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("stream: ownership record: %w", err)
	}
	var o Owner
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("stream: ownership record %s is unreadable (%v): move the checkpoint aside with -fresh", path, err)
	}
	return &o, nil
}

// writeOwner writes the record atomically (a rename), so that a crash never leaves half a record.
func writeOwner(path string, o Owner) error {
	b, err := json.MarshalIndent(o, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("stream: checkpoint dir: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("stream: ownership record: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("stream: ownership record: %w", err)
	}
	return nil
}

// moveAside renames the checkpoint and its record to <checkpoint>.replaced-<time> (and
// .owner.json), never deleting either. It returns the new checkpoint path, "" when there was
// nothing to move.
func moveAside(checkpoint string, at time.Time) (string, error) {
	rec := recordPath(checkpoint)
	_, errC := os.Lstat(checkpoint)
	_, errR := os.Lstat(rec)
	if errors.Is(errC, fs.ErrNotExist) && errors.Is(errR, fs.ErrNotExist) {
		return "", nil
	}
	base := checkpoint + ".replaced-" + at.UTC().Format("20060102T150405Z")
	aside := base
	for i := 2; ; i++ {
		_, e1 := os.Lstat(aside)
		_, e2 := os.Lstat(recordPath(aside))
		if errors.Is(e1, fs.ErrNotExist) && errors.Is(e2, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s-%d", base, i)
	}
	if errC == nil {
		if err := os.Rename(checkpoint, aside); err != nil {
			return "", fmt.Errorf("stream: move checkpoint aside: %w", err)
		}
	}
	if errR == nil {
		if err := os.Rename(rec, recordPath(aside)); err != nil {
			return "", fmt.Errorf("stream: move ownership record aside: %w", err)
		}
	}
	return aside, nil
}
