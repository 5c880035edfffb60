package kafkalag

import (
	"context"
	"errors"
	"fmt"
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

// oldest sets Oldest of each partition to the timestamp of the record at its committed
// offset: one fetch request per leader and round, a round per distinct offset of one
// partition (groups at one offset share the read). A committed offset below the log start
// (retention deleted what the group never read) reads the first record kept instead.
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
	// pending: per partition, the offsets still to read.
	pending := map[tp][]int64{}
	for k, offs := range byOffset {
		for o := range offs {
			pending[k] = append(pending[k], o)
		}
	}
	for len(pending) > 0 {
		round := map[int32]map[tp]int64{} // leader → partition → offset
		for k, offs := range pending {
			t, ok := md.Topics[k.topic]
			if !ok || t.Err != nil {
				errs = append(errs, fmt.Sprintf("%s: no metadata", k.topic))
				delete(pending, k)
				continue
			}
			pd, ok := t.Partitions[k.partition]
			if !ok || pd.Leader < 0 {
				errs = append(errs, fmt.Sprintf("%s/%d: no leader", k.topic, k.partition))
				delete(pending, k)
				continue
			}
			if round[pd.Leader] == nil {
				round[pd.Leader] = map[tp]int64{}
			}
			round[pd.Leader][k] = offs[len(offs)-1]
			if pending[k] = offs[:len(offs)-1]; len(pending[k]) == 0 {
				delete(pending, k)
			}
		}
		var (
			mu sync.Mutex
			wg sync.WaitGroup
		)
		for leader, parts := range round {
			wg.Go(func() {
				got, moved, err := r.fetchFirst(ctx, leader, md.Topics, parts)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					errs = append(errs, fmt.Sprintf("fetch from broker %d: %v", leader, err))
					return
				}
				for k, o := range parts {
					if ts, ok := got[k]; ok {
						for _, p := range byOffset[k][o] {
							p.Oldest = ts
						}
						continue
					}
					if start, ok := moved[k]; ok && start > o {
						// Read the log start for the partitions' groups at o.
						byOffset[k][start] = append(byOffset[k][start], byOffset[k][o]...)
						pending[k] = append(pending[k], start)
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

// fetchFirst fetches parts from their leader and returns the timestamp of the first record
// at or after each offset, and the log start of partitions whose offset fell below it.
func (r *Reader) fetchFirst(ctx context.Context, leader int32, topics kadm.TopicDetails, parts map[tp]int64) (map[tp]time.Time, map[tp]int64, error) {
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
	got, moved := map[tp]time.Time{}, map[tp]int64{}
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
			if len(fp.Records) > 0 && fp.Records[0].Timestamp.UnixMilli() >= 0 {
				got[k] = fp.Records[0].Timestamp
			}
		}
	}
	return got, moved, nil
}
