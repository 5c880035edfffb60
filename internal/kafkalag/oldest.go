package kafkalag

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// partitionMaxBytes bounds what one partition returns: the broker still sends a first batch
// larger than this whole (KIP-74), so a big record costs its size once, not a miss.
const partitionMaxBytes = 64 << 10

type tp struct {
	topic     string
	partition int32
}

// maxRounds bounds the fetch rounds of one reading: each round resolves, per partition, every
// committed offset within the batches it returned, smallest first.
const maxRounds = 8

// oldest sets Oldest of each partition to the timestamp of the record at its committed
// offset. A round sends one fetch request per leader, each partition at its smallest
// offset not yet resolved; the batches returned resolve every offset they cover (groups
// close together share a read), the rest wait for the next round. A committed offset below
// the log start (retention deleted what the group never read) reads the first record kept.
func (r *Reader) oldest(ctx context.Context, ps []*Partition) ([]string, error) {
	if len(ps) == 0 {
		return nil, nil
	}
	byOffset := map[tp]map[int64][]*Partition{}
	seen := map[string]bool{}
	var topics []string
	for _, p := range ps {
		if !seen[p.Topic] {
			seen[p.Topic] = true
			topics = append(topics, p.Topic)
		}
		k := tp{p.Topic, p.Partition}
		if byOffset[k] == nil {
			byOffset[k] = map[int64][]*Partition{}
		}
		byOffset[k][p.Committed] = append(byOffset[k][p.Committed], p)
	}
	md, err := r.adm.Metadata(ctx, topics...)
	if err != nil {
		return nil, fmt.Errorf("metadata of %d lagging topics: %w", len(topics), err)
	}
	var errs []string
	pending := map[tp][]int64{} // per partition, the offsets still to read, ascending
	for k, offs := range byOffset {
		for o := range offs {
			pending[k] = append(pending[k], o)
		}
		slices.Sort(pending[k])
	}
	for round := 0; len(pending) > 0; round++ {
		if round == maxRounds {
			n := 0
			for _, offs := range pending {
				n += len(offs)
			}
			errs = append(errs, fmt.Sprintf("%d committed offsets of %d partitions left unread after %d fetch rounds: their lag in seconds is not counted", n, len(pending), maxRounds))
			break
		}
		byLeader := map[int32]map[tp]int64{}
		for k, offs := range pending {
			t, ok := md.Topics[k.topic]
			pd, okp := t.Partitions[k.partition]
			if !ok || t.Err != nil || !okp || pd.Leader < 0 {
				errs = append(errs, fmt.Sprintf("%s/%d: no leader known", k.topic, k.partition))
				delete(pending, k)
				continue
			}
			if byLeader[pd.Leader] == nil {
				byLeader[pd.Leader] = map[tp]int64{}
			}
			byLeader[pd.Leader][k] = offs[0]
		}
		var (
			mu sync.Mutex
			wg sync.WaitGroup
		)
		for leader, parts := range byLeader {
			wg.Go(func() {
				got, starts, err := r.fetch(ctx, leader, md.Topics, parts)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Sprintf("fetch from broker %d: %v", leader, err))
					for k := range parts {
						delete(pending, k)
					}
					return
				}
				for k := range parts {
					if start, ok := starts[k]; ok {
						// Offsets below the log start all read the first record kept.
						var rest []int64
						for _, o := range pending[k] {
							if o < start {
								byOffset[k][start] = append(byOffset[k][start], byOffset[k][o]...)
								continue
							}
							rest = append(rest, o)
						}
						if len(rest) == 0 || rest[0] != start {
							rest = append([]int64{start}, rest...)
						}
						pending[k] = rest
						continue
					}
					recs := got[k]
					if len(recs) == 0 {
						delete(pending, k) // nothing readable at the offset: no age
						continue
					}
					var rest []int64
					for _, o := range pending[k] {
						i, _ := slices.BinarySearchFunc(recs, o, func(r stamp, o int64) int { return cmp.Compare(r.offset, o) })
						if i == len(recs) {
							rest = append(rest, o)
							continue
						}
						for _, p := range byOffset[k][o] {
							p.Oldest = recs[i].ts
						}
					}
					if pending[k] = rest; len(rest) == 0 {
						delete(pending, k)
					}
				}
			})
		}
		wg.Wait()
		if err := ctx.Err(); err != nil {
			return errs, err
		}
	}
	return errs, nil
}

// stamp is one record's offset and timestamp.
type stamp struct {
	offset int64
	ts     time.Time
}

// fetch fetches parts from their leader and returns, per partition, the offsets and
// timestamps of the records at or after its offset, ascending, and the log start of
// partitions whose offset fell below it.
func (r *Reader) fetch(ctx context.Context, leader int32, topics kadm.TopicDetails, parts map[tp]int64) (map[tp][]stamp, map[tp]int64, error) {
	req := kmsg.NewPtrFetchRequest()
	req.ReplicaID = -1
	req.MaxWaitMillis = 0
	req.MinBytes = 0
	req.MaxBytes = 32 << 20
	req.SessionEpoch = -1 // no fetch session: one request, all partitions
	byTopic := map[string]*kmsg.FetchRequestTopic{}
	var order []string
	for k, o := range parts {
		t := byTopic[k.topic]
		if t == nil {
			rt := kmsg.NewFetchRequestTopic()
			rt.Topic, rt.TopicID = k.topic, topics[k.topic].ID
			t = &rt
			byTopic[k.topic] = t
			order = append(order, k.topic)
		}
		rp := kmsg.NewFetchRequestTopicPartition()
		rp.Partition, rp.FetchOffset, rp.PartitionMaxBytes = k.partition, o, partitionMaxBytes
		rp.LogStartOffset, rp.CurrentLeaderEpoch = -1, -1
		t.Partitions = append(t.Partitions, rp)
	}
	names := map[[16]byte]string{}
	for _, n := range order {
		req.Topics = append(req.Topics, *byTopic[n])
		names[topics[n].ID] = n
	}
	resp, err := r.cl.Broker(int(leader)).Request(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	fr := resp.(*kmsg.FetchResponse)
	if err := kerr.ErrorForCode(fr.ErrorCode); err != nil {
		return nil, nil, err
	}
	got, moved := map[tp][]stamp{}, map[tp]int64{}
	for i := range fr.Topics {
		rt := &fr.Topics[i]
		topic := rt.Topic
		if n, ok := names[rt.TopicID]; ok && topic == "" {
			topic = n
		}
		for j := range rt.Partitions {
			rp := &rt.Partitions[j]
			k := tp{topic, rp.Partition}
			o, ok := parts[k]
			if !ok {
				continue
			}
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				if errors.Is(err, kerr.OffsetOutOfRange) && rp.LogStartOffset > o {
					moved[k] = rp.LogStartOffset
				}
				continue
			}
			fp, _ := kgo.ProcessFetchPartition(kgo.ProcessFetchPartitionOpts{Offset: o, Topic: topic, Partition: rp.Partition}, rp, kgo.DefaultDecompressor(), nil)
			for _, rec := range fp.Records {
				if rec.Timestamp.UnixMilli() >= 0 { // -1: a record without a timestamp
					got[k] = append(got[k], stamp{rec.Offset, rec.Timestamp})
				}
			}
		}
	}
	return got, moved, nil
}
