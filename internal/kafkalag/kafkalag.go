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
	"errors"
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
	// Keep is how long a group whose coordinator cannot be reached keeps its last committed
	// offsets (see Read).
	Keep time.Duration

	last map[string]remembered // groups as last read, by name
}

// remembered is a group as last read whole.
type remembered struct {
	g    Group
	seen time.Time
}

// NewReader reads through cl, which it does not close.
func NewReader(cl *kgo.Client) *Reader {
	return &Reader{cl: cl, adm: kadm.NewClient(cl), Now: time.Now, Keep: 5 * time.Minute, last: map[string]remembered{}}
}

// Read takes a snapshot of every consumer group. Groups or partitions that fail are left
// out and named in Errors; an error is returned only when nothing could be read.
//
// A group whose coordinator cannot be reached (a broker down, its group partition's leader
// moving) keeps its last committed offsets for Keep, against the end offsets of now: no
// commit can land without the coordinator, so they still hold, and the lag grows as it
// does. Dropping the group instead would reset its alerts' for at every broker failure,
// when lag matters most.
func (r *Reader) Read(ctx context.Context) (Snapshot, error) {
	listed, err := r.adm.ListGroups(ctx)
	partial := false
	if err != nil {
		se, ok := errors.AsType[*kadm.ShardErrors](err)
		if !ok || se.AllFailed {
			return Snapshot{}, fmt.Errorf("list consumer groups: %w", err)
		}
		partial = true // some broker did not answer: its groups are not listed
	}
	names := listed.Groups()
	if partial {
		for g := range r.last {
			if _, ok := listed[g]; !ok {
				names = append(names, g)
			}
		}
	}
	snap := Snapshot{Ends: map[string]map[int32]int64{}}
	if len(names) == 0 {
		r.last = map[string]remembered{}
		return snap, nil
	}
	lags, err := r.adm.Lag(ctx, names...)
	if err != nil {
		return Snapshot{}, fmt.Errorf("consumer group lag: %w", err)
	}
	now := r.Now()
	var stale []Group // groups served from their last reading
	seen := map[string]bool{}
	for _, l := range lags.Sorted() {
		if err := l.Error(); err != nil {
			if m, ok := r.last[l.Group]; ok && now.Sub(m.seen) < r.Keep {
				stale = append(stale, m.g)
				seen[l.Group] = true
				snap.Errors = append(snap.Errors, fmt.Sprintf("group %s: %v; its commits as read %s ago", l.Group, err, now.Sub(m.seen).Round(time.Second)))
				continue
			}
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
		sortPartitions(g.Partitions)
		snap.Groups = append(snap.Groups, g)
		seen[g.Name] = true
		r.last[g.Name] = remembered{g: cloneGroup(g), seen: now}
	}
	for name, m := range r.last {
		if !seen[name] && (!partial || now.Sub(m.seen) >= r.Keep) {
			delete(r.last, name) // deleted, or unreachable for too long
		}
	}
	if len(stale) > 0 {
		errs := r.restale(ctx, &snap, stale)
		snap.Errors = append(snap.Errors, errs...)
		slices.SortFunc(snap.Groups, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	}
	var lagging []*Partition
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

// restale adds groups served from their last reading, their lag against the end offsets of
// now (one listing of their topics).
func (r *Reader) restale(ctx context.Context, snap *Snapshot, stale []Group) []string {
	var topics []string
	for _, g := range stale {
		for _, p := range g.Partitions {
			if !slices.Contains(topics, p.Topic) {
				topics = append(topics, p.Topic)
			}
		}
	}
	ends, err := r.adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return []string{fmt.Sprintf("end offsets of %v: %v; groups left out: %d", topics, err, len(stale))}
	}
	var errs []string
	for _, g := range stale {
		g = cloneGroup(g)
		kept := g.Partitions[:0]
		for _, p := range g.Partitions {
			end, ok := ends.Lookup(p.Topic, p.Partition)
			if !ok || end.Err != nil {
				errs = append(errs, fmt.Sprintf("group %s %s/%d: no end offset", g.Name, p.Topic, p.Partition))
				continue
			}
			p.End, p.Lag, p.Oldest = end.Offset, max(end.Offset-p.Committed, 0), time.Time{}
			kept = append(kept, p)
			if snap.Ends[p.Topic] == nil {
				snap.Ends[p.Topic] = map[int32]int64{}
			}
			snap.Ends[p.Topic][p.Partition] = end.Offset
		}
		g.Partitions, g.LagSeconds = kept, 0
		snap.Groups = append(snap.Groups, g)
	}
	return errs
}

func sortPartitions(ps []Partition) {
	slices.SortFunc(ps, func(a, b Partition) int {
		if c := strings.Compare(a.Topic, b.Topic); c != 0 {
			return c
		}
		return int(a.Partition - b.Partition)
	})
}

func cloneGroup(g Group) Group {
	g.Partitions = slices.Clone(g.Partitions)
	return g
}
