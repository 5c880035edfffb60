package faults

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/fault"
	"github.com/finobs/finobs/pkg/stack"
)

const diskFaultName = "kafka log dir full"

// logDirFull: the second log directory of the JBOD broker fills up. Kafka takes the directory
// offline at the first write that fails (a produce or fetch append, or the high-watermark
// checkpoint written every 5 s), moves leadership of its replicas to the other brokers and
// keeps serving the first directory, which holds the metadata log.
//
// What fires: KafkaOfflineLogDirectory on the broker, and KafkaDiskAlmostFull on the full
// file system (node_exporter sees the loop mount), both paging: the one says what broke, the
// other why. Muted: the under-replication the lost replicas cause on the leaders of their
// partitions (an inhibition of its own). Never: the broker down or its target down (it
// lives and is scraped), under-min-ISR (one replica of three out leaves min.insync.replicas
// 2) or an offline partition (every partition keeps two replicas).
func logDirFull() faultCase {
	d := &diskFault{}
	return faultCase{name: diskFaultName, setup: d.setup, inject: d.inject, resolve: d.expects}
}

// diskFault is the state of the fault: the broker, the directory and the disk over it.
type diskFault struct {
	mu     sync.Mutex
	e      *env
	broker stack.Instance
	dir    string
	disk   *fault.Disk
}

// find names the JBOD broker and its second directory from the topology.
func (f *diskFault) find(e *env) error {
	f.e = e
	for _, b := range e.st.Of(stack.KafkaBroker) {
		if b.KafkaLogDirs() > 1 {
			f.broker, f.dir = b, e.stack.P.KafkaLogDirs(e.st, b)[1]
			return nil
		}
	}
	return errors.New("no broker of the topology keeps two log dirs (stack.Instance.LogDirs): the fault needs one that lives with a directory failed")
}

func (f *diskFault) image() string {
	return filepath.Join(f.e.stack.P.State, "faults", filepath.Base(f.dir)+".img")
}

func (f *diskFault) expects(ctx context.Context, e *env) (fires, muted, never []expect, err error) {
	if err := f.find(e); err != nil {
		return nil, nil, nil, err
	}
	b := f.broker.Name
	return []expect{
			on(alerts.KafkaOfflineLogDirectory, "instance", b),
			on(alerts.KafkaDiskAlmostFull, "mountpoint", f.dir),
		},
		[]expect{on(alerts.KafkaUnderReplicatedPartitions)},
		[]expect{
			on(alerts.KafkaBrokerDown, "instance", b),
			on(alerts.TargetDown, "instance", b),
			on(alerts.KafkaUnderMinISRPartitions),
			on(alerts.KafkaOfflinePartitions),
		}, nil
}

// setup moves the broker's second directory onto a disk of the test's own: the broker is
// stopped, an ext4 image with the directory's data mounted over it, the broker started again
// and back in every ISR. The clock starts after it: a real disk is there from the start.
func (f *diskFault) setup(ctx context.Context, e *env) (func(context.Context) error, error) {
	if err := f.find(e); err != nil {
		return nil, err
	}
	// A run killed before its cleanup leaves the image mounted: undo that first.
	if src, err := fault.MountedAt(f.dir); err != nil {
		return nil, err
	} else if src != "" {
		f.disk = &fault.Disk{Dir: f.dir, Image: f.image()}
		if err := f.restore(ctx); err != nil {
			return nil, fmt.Errorf("a mount left by an earlier run on %s: %w", f.dir, err)
		}
	}
	if err := f.holdPartition(ctx); err != nil {
		return nil, err
	}
	if err := e.stack.Stop([]string{f.broker.Name}); err != nil {
		return nil, err
	}
	disk, err := fault.MountOver(f.dir, f.image(), 64<<20)
	if err != nil {
		_, serr := e.stack.Start(ctx, f.broker.Name)
		return nil, errors.Join(err, serr)
	}
	f.mu.Lock()
	f.disk = disk
	f.mu.Unlock()
	if _, err := e.stack.Start(ctx, f.broker.Name); err != nil {
		return f.restore, errors.Join(err, f.restore(ctx))
	}
	// Back in sync, the directory online: what follows is the fill's doing.
	b := f.broker.Name
	err = stacktest.Eventually(ctx, 3*time.Minute, 2*time.Second, func(ctx context.Context) error {
		for _, q := range []string{
			fmt.Sprintf(`sum(%s{job="kafka-broker"})`, catalog.KafkaUnderReplicatedPartitions),
			fmt.Sprintf(`%s{instance=%q}`, catalog.KafkaOfflineLogDirs, b),
			fmt.Sprintf(`1 - %s{instance=%q}`, catalog.Up, b),
		} {
			v, ok, err := promValue(ctx, e, q)
			if err != nil {
				return err
			}
			if !ok || v != 0 {
				return fmt.Errorf("%s on the loop disk: %s is %v (series found: %v), want 0", b, q, v, ok)
			}
		}
		return nil
	})
	if err != nil {
		return f.restore, errors.Join(err, f.restore(ctx))
	}
	free, _ := disk.Free()
	fmt.Printf("fault disk: %s mounted from %s over %s, %d MiB free\n", f.broker.Name, disk.Loop, f.dir, free>>20)
	return f.restore, nil
}

// inject fills the disk.
func (f *diskFault) inject(ctx context.Context, e *env) (func(context.Context) error, error) {
	f.mu.Lock()
	disk := f.disk
	f.mu.Unlock()
	if disk == nil {
		return nil, errors.New("no disk: setup did not run")
	}
	n, err := disk.Fill()
	if err != nil {
		return nil, errors.Join(err, f.restore(ctx))
	}
	// Kafka may free a block meanwhile (a checkpoint's temporary file it failed to write):
	// a few blocks are no room for its next segment write.
	free, err := disk.Free()
	if err != nil || free > 64<<10 {
		return nil, errors.Join(fmt.Errorf("%s still has %d bytes free after the fill (%v)", f.dir, free, err), f.restore(ctx))
	}
	fmt.Printf("fault disk: filled %s with %d MiB, %d bytes left\n", f.dir, n>>20, free)
	return f.restore, nil
}

// restore puts the broker back on its own directory: stopped, the disk unmounted and
// dropped (what was written to it is gone; the directory holds what it held when the broker
// stopped for setup, and the broker catches up from the leaders), started again. It does
// nothing the second time.
func (f *diskFault) restore(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.disk == nil {
		return nil
	}
	if err := f.e.stack.Stop([]string{f.broker.Name}); err != nil {
		return err
	}
	if err := f.disk.Unmount(); err != nil {
		return err
	}
	f.disk = nil
	_, err := f.e.stack.Start(ctx, f.broker.Name)
	return err
}

// partitionDir is a partition's directory in a log dir (topic-3); Kafka's own files and
// directories being deleted (topic-3.<id>-delete) or moved (-future) do not count.
var partitionDir = regexp.MustCompile(`^.+-[0-9]+$`)

// holdPartition makes sure the directory holds a replica, so that the fill has writes to
// fail: a stack formatted before the broker had a second directory put every partition in
// the first. Then the smallest replica of the first moves over (a reassignment between the
// broker's own directories, as an operator balances disks).
func (f *diskFault) holdPartition(ctx context.Context) error {
	if n := countPartitions(f.dir); n > 0 {
		return nil
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(f.e.st.KafkaBootstrap(), ",")...))
	if err != nil {
		return err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	id := int32(f.broker.NodeID)
	dirs, err := adm.DescribeBrokerLogDirs(ctx, id, nil)
	if err != nil {
		return fmt.Errorf("describe the log dirs of %s: %w", f.broker.Name, err)
	}
	first, ok := dirs[f.e.stack.P.KafkaLogDirs(f.e.st, f.broker)[0]]
	if !ok {
		return fmt.Errorf("%s reports no log dir %s (it has %v)", f.broker.Name, f.e.stack.P.KafkaLogDirs(f.e.st, f.broker)[0], dirs)
	}
	p, ok := kadm.DescribedLogDirs{first.Dir: first}.SmallestPartitionBySize()
	if !ok {
		return fmt.Errorf("%s holds no partition to move to %s", f.broker.Name, f.dir)
	}
	var req kadm.AlterReplicaLogDirsReq
	req.Add(f.dir, kadm.TopicsSet{p.Topic: {p.Partition: {}}})
	resp, err := adm.AlterBrokerReplicaLogDirs(ctx, id, req)
	if err != nil {
		return fmt.Errorf("move %s-%d to %s: %w", p.Topic, p.Partition, f.dir, err)
	}
	for _, r := range resp.Sorted() {
		if r.Err != nil {
			return fmt.Errorf("move %s-%d to %s: %w", r.Topic, r.Partition, f.dir, r.Err)
		}
	}
	fmt.Printf("fault disk: %s held no partition; moving %s-%d (%d bytes) there\n", f.dir, p.Topic, p.Partition, p.Size)
	return stacktest.Eventually(ctx, 3*time.Minute, 2*time.Second, func(ctx context.Context) error {
		if _, err := os.Stat(filepath.Join(f.dir, fmt.Sprintf("%s-%d", p.Topic, p.Partition))); err != nil {
			return fmt.Errorf("%s-%d is not in %s yet", p.Topic, p.Partition, f.dir)
		}
		return nil
	})
}

func countPartitions(dir string) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if e.IsDir() && partitionDir.MatchString(e.Name()) && !strings.HasSuffix(e.Name(), "-delete") && !strings.HasSuffix(e.Name(), "-future") {
			n++
		}
	}
	return n
}

// promValue is the value of a query of the stack's Prometheus that yields one series; ok is
// false when it yields none.
func promValue(ctx context.Context, e *env, q string) (v float64, ok bool, err error) {
	return promValueAt(ctx, stacktest.BaseURL(e.st, stack.Prometheus), q)
}

// promValueAt is promValue against the Prometheus at base.
func promValueAt(ctx context.Context, base, q string) (v float64, ok bool, err error) {
	var res struct {
		Result []struct {
			Value [2]any `json:"value"`
		} `json:"result"`
	}
	if err := stacktest.PromAPIAt(ctx, base, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
		return 0, false, err
	}
	if len(res.Result) != 1 {
		return 0, false, nil
	}
	s, _ := res.Result[0].Value[1].(string)
	if _, err := fmt.Sscan(s, &v); err != nil {
		return 0, false, fmt.Errorf("%s: value %q: %w", q, s, err)
	}
	return v, true, nil
}
