// Package kafkalag reads every consumer group's lag from Kafka: per partition the committed
// offset, the end offset and the records between them (franz-go's kadm computes these), and
// per group its state, its members and its lag in time.
//
// The lag in time is the age of the oldest record the group has not consumed: now minus the
// Kafka timestamp of the record at its committed offset, read with one small fetch per
// lagging partition. An offset-to-time estimate (interpolating end offsets sampled over time,
// as Burrow and kafka-lag-exporter do) needs a history the exporter loses at each restart and
// is wrong when the produce rate changes; the record itself is exact, costs nothing for a
// group without lag, and is what an on-call means by "how old is what waits".
package kafkalag

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Snapshot is one reading of every consumer group.
type Snapshot struct {
	Groups []Group
	// Ends are the end offsets of the partitions groups commit to, by topic and partition.
	Ends map[string]map[int32]int64
	// Errors are the groups or partitions that could not be read, one line each.
	Errors []string
}

// Group is one consumer group.
type Group struct {
	Name    string
	State   string // Stable, PreparingRebalance, CompletingRebalance, Empty, Dead
	Members int
	// Partitions are the partitions the group has committed offsets for, sorted.
	Partitions []Partition
	// LagSeconds is the age of the oldest record the group has not consumed, over its
	// partitions: 0 without lag.
	LagSeconds float64
}

// Partition is one partition a group commits to.
type Partition struct {
	Topic     string
	Partition int32
	Committed int64
	End       int64
	Lag       int64
	// Oldest is the timestamp of the record at Committed, zero when there is no lag or it
	// could not be read.
	Oldest time.Time
}

// Reader reads snapshots through one client.
type Reader struct {
	cl  *kgo.Client
	adm *kadm.Client
	// Now is the clock lag in time is measured against.
	Now func() time.Time
}

// NewReader reads through cl, which it does not close.
func NewReader(cl *kgo.Client) *Reader {
	return &Reader{cl: cl, adm: kadm.NewClient(cl), Now: time.Now}
}

// Read takes a snapshot of every consumer group. Groups or partitions that fail are left
// out and named in Errors; an error is returned only when nothing could be read.
func (r *Reader) Read(ctx context.Context) (Snapshot, error) {
	lags, err := r.adm.Lag(ctx)
	if err != nil {
		return Snapshot{}, fmt.Errorf("consumer group lag: %w", err)
	}
	snap := Snapshot{Ends: map[string]map[int32]int64{}}
	var lagging []*Partition
	for _, l := range lags.Sorted() {
		if err := l.Error(); err != nil {
			snap.Errors = append(snap.Errors, fmt.Sprintf("group %s: %v", l.Group, err))
			continue
		}
		g := Group{Name: l.Group, State: l.State, Members: len(l.Members)}
		for _, ps := range l.Lag {
			for _, p := range ps {
				// A partition a member is assigned but the group never committed to has no
				// committed offset: kafka_exporter leaves it out, so do we.
				if p.Err != nil || p.Commit.At < 0 {
					if p.Err != nil {
						snap.Errors = append(snap.Errors, fmt.Sprintf("group %s %s/%d: %v", l.Group, p.Topic, p.Partition, p.Err))
					}
					continue
				}
				g.Partitions = append(g.Partitions, Partition{
					Topic: p.Topic, Partition: p.Partition,
					Committed: p.Commit.At, End: p.End.Offset, Lag: p.Lag,
				})
				if snap.Ends[p.Topic] == nil {
					snap.Ends[p.Topic] = map[int32]int64{}
				}
				snap.Ends[p.Topic][p.Partition] = p.End.Offset
			}
		}
		slices.SortFunc(g.Partitions, func(a, b Partition) int {
			if c := strings.Compare(a.Topic, b.Topic); c != 0 {
				return c
			}
			return int(a.Partition - b.Partition)
		})
		snap.Groups = append(snap.Groups, g)
	}
	for i := range snap.Groups {
		for j := range snap.Groups[i].Partitions {
			if p := &snap.Groups[i].Partitions[j]; p.Lag > 0 {
				lagging = append(lagging, p)
			}
		}
	}
	errs, err := r.oldest(ctx, lagging)
	if err != nil {
		snap.Errors = append(snap.Errors, err.Error())
	}
	snap.Errors = append(snap.Errors, errs...)
	now := r.Now()
	for i := range snap.Groups {
		g := &snap.Groups[i]
		for _, p := range g.Partitions {
			if p.Lag > 0 && !p.Oldest.IsZero() {
				g.LagSeconds = max(g.LagSeconds, max(now.Sub(p.Oldest).Seconds(), 0))
			}
		}
	}
	return snap, nil
}
