package faults

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/fault"
	"github.com/finobs/finobs/pkg/stack"
)

// componentOf is the component label of each alert: its group's.
var componentOf = func() map[string]string {
	m := map[string]string{}
	for _, g := range alerts.Groups() {
		for _, a := range g.Alerts {
			m[a.Name] = g.Component
		}
	}
	return m
}()

// kill sends SIGKILL to a stack process; the undo starts it again (and waits for its health).
func kill(name string) func(context.Context, *env) (func(context.Context) error, error) {
	return signalled(name, syscall.SIGKILL)
}

// stop sends SIGTERM: the process shuts down as it would for an operator.
func stop(name string) func(context.Context, *env) (func(context.Context) error, error) {
	return signalled(name, syscall.SIGTERM)
}

func signalled(name string, sig syscall.Signal) func(context.Context, *env) (func(context.Context) error, error) {
	return func(ctx context.Context, e *env) (func(context.Context) error, error) {
		if _, err := e.stack.Signal(name, sig); err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			// SIGTERM takes a moment: start it only once it is gone.
			deadline := time.Now().Add(time.Minute)
			for time.Now().Before(deadline) {
				if _, err := e.stack.Signal(name, 0); err != nil {
					break
				}
				time.Sleep(500 * time.Millisecond)
			}
			_, err := e.stack.Start(ctx, name)
			return err
		}, nil
	}
}

// pause stops a process with SIGSTOP: it lives, holds its ports and answers nothing.
func pause(name string) func(context.Context, *env) (func(context.Context) error, error) {
	return func(ctx context.Context, e *env) (func(context.Context) error, error) {
		if _, err := e.stack.Signal(name, syscall.SIGSTOP); err != nil {
			return nil, err
		}
		return func(ctx context.Context) error {
			_, err := e.stack.Signal(name, syscall.SIGCONT)
			return err
		}, nil
	}
}

// killAll kills several processes at once.
func killAll(names ...string) func(context.Context, *env) (func(context.Context) error, error) {
	return func(ctx context.Context, e *env) (func(context.Context) error, error) {
		for _, n := range names {
			if _, err := e.stack.Signal(n, syscall.SIGKILL); err != nil {
				return nil, err
			}
		}
		return func(ctx context.Context) error {
			time.Sleep(time.Second)
			_, err := e.stack.Start(ctx, names...)
			return err
		}, nil
	}
}

// cutOff drops every packet to a broker's client and replication listener: its peers and
// clients cannot reach it; it reaches the controllers and the other brokers, and Prometheus
// scrapes it. Its followers fall out of the ISRs of the partitions it leads.
func cutOff(broker string) func(context.Context, *env) (func(context.Context) error, error) {
	return func(ctx context.Context, e *env) (func(context.Context) error, error) {
		for _, i := range e.st.Of(stack.KafkaBroker) {
			if i.Name == broker {
				undo, err := fault.DropPort(i.Port(stack.PortBroker))
				if err != nil {
					return nil, err
				}
				return func(context.Context) error { return undo() }, nil
			}
		}
		return nil, fmt.Errorf("no broker %s in the topology", broker)
	}
}

// inSync waits until no partition is under-replicated: a broker killed while another is
// still catching up would take partitions under min ISR, another page. A fault's ready step,
// before its clock starts.
func inSync(ctx context.Context, e *env) error {
	return e.waitSeries(ctx, 5*time.Minute, `sum(kafka_server_under_replicated_partitions) == 0`, "partitions are under-replicated")
}

// balanced is inSync, then a preferred leader election (what an operator runs once a broker
// is back, the broker runbook's last step): a broker restarted by the fault before leads
// nothing until the controller rebalances minutes later, and a broker cut off from its peers
// puts partitions under min ISR only where it leads.
func balanced(ctx context.Context, e *env) error {
	if err := inSync(ctx, e); err != nil {
		return err
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(strings.Split(e.st.KafkaBootstrap(), ",")...))
	if err != nil {
		return err
	}
	defer cl.Close()
	rs, err := kadm.NewClient(cl).ElectLeaders(ctx, kadm.ElectPreferredReplica, nil)
	if err != nil {
		return fmt.Errorf("preferred leader election: %w", err)
	}
	var errs []error
	for _, ps := range rs {
		for _, r := range ps {
			if r.Err != nil && !errors.Is(r.Err, kerr.ElectionNotNeeded) {
				errs = append(errs, fmt.Errorf("preferred leader of %s/%d: %w", r.Topic, r.Partition, r.Err))
			}
		}
	}
	return errors.Join(errs...)
}

// checkpointFrozen makes the stream query's offset log unwritable (the directory made
// immutable, which binds root too): the next batch fails at its commit, and every restart
// fails again, while the driver lives. The undo thaws it; the driver's next restart resumes.
func checkpointFrozen(ctx context.Context, e *env) (func(context.Context) error, error) {
	root := e.stack.P.PipelineCheckpoints(e.st)
	dirs, _ := filepath.Glob(filepath.Join(root, "*", "offsets"))
	if len(dirs) != 1 {
		return nil, fmt.Errorf("want the offset log of one query under %s, found %v", root, dirs)
	}
	if out, err := exec.CommandContext(ctx, "chattr", "+i", dirs[0]).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chattr +i %s: %v: %s", dirs[0], err, out)
	}
	return func(ctx context.Context) error {
		if out, err := exec.CommandContext(ctx, "chattr", "-i", dirs[0]).CombinedOutput(); err != nil {
			return fmt.Errorf("chattr -i %s: %v: %s", dirs[0], err, out)
		}
		return nil
	}, nil
}

// activeController finds the controller the quorum follows, from its own metric.
func activeController(ctx context.Context, e *env) (string, error) {
	var res struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	}
	q := `kafka_controller_active_controller_count{job="kafka-controller"} == 1`
	err := stacktest.Eventually(ctx, time.Minute, 2*time.Second, func(ctx context.Context) error {
		if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
			return err
		}
		if len(res.Result) != 1 {
			return fmt.Errorf("%s: %d series, want 1", q, len(res.Result))
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return res.Result[0].Metric["instance"], nil
}

// lane is a sequence of faults of one component, run one after another.
type lane struct {
	name   string
	faults []faultCase
}

// lanes run side by side; the faults of a lane one after another. Faults in different lanes
// touch different components, so each lane's first fault overlaps the others': a broker, a
// controller, the producer and the stream query fail at once, and each is delivered.
// `go test -run 'TestFaults/lanes/brokers'` runs one lane.
func lanes() []lane {
	noController := on(alerts.KafkaNoActiveController)
	return []lane{
		{"brokers", []faultCase{
			// A broker fault too: beside another, its lost replicas would put partitions under
			// min ISR. First: its alerts are none of the others', so they start while its
			// resolutions are on their way.
			logDirFull(),
			// Then the two that stop writes to some partitions: the stream query's batches hang
			// on them, so they come early, the query's own failure after them (it needs batches
			// to fail at their commit), the stream lane's other faults beside them.
			{name: "broker cut off from its peers", ready: balanced, inject: cutOff("kafka-broker-3"), onset: 30 * time.Second,
				fires: []expect{on(alerts.KafkaUnderMinISRPartitions, "instance", "kafka-broker-3")},
				never: []expect{on(alerts.KafkaBrokerDown, "instance", "kafka-broker-3")}},
			{name: "two of three brokers down", ready: inSync, inject: killAll("kafka-broker-2", "kafka-broker-3"),
				fires: []expect{
					on(alerts.KafkaBrokerDown, "instance", "kafka-broker-2"),
					on(alerts.KafkaBrokerDown, "instance", "kafka-broker-3"),
					on(alerts.KafkaUnderMinISRPartitions, "instance", "kafka-broker-1"),
				},
				never: []expect{noController}},
			// In sync first: the brokers of the fault before may still be catching up. It carries
			// the loss check (lost_test.go): nothing acknowledged is lost.
			withNothingLost(faultCase{name: "broker killed (-9)",
				fires: []expect{on(alerts.KafkaBrokerDown, "instance", "kafka-broker-1")},
				muted: []expect{on(alerts.TargetDown, "instance", "kafka-broker-1")},
				never: []expect{noController, on(alerts.KafkaOfflinePartitions)}}, "kafka-broker-1"),
		}},
		{"controllers", []faultCase{
			{name: "controller killed (-9)", inject: func(ctx context.Context, e *env) (func(context.Context) error, error) {
				name, err := follower(ctx, e)
				if err != nil {
					return nil, err
				}
				return kill(name)(ctx, e)
			}, resolve: func(ctx context.Context, e *env) ([]expect, []expect, []expect, error) {
				name, err := follower(ctx, e)
				return []expect{on(alerts.KafkaControllerDown, "instance", name)},
					[]expect{on(alerts.TargetDown, "instance", name)}, []expect{noController}, err
			}},
			{name: "active controller killed (-9)", inject: func(ctx context.Context, e *env) (func(context.Context) error, error) {
				name, err := activeController(ctx, e)
				if err != nil {
					return nil, err
				}
				return kill(name)(ctx, e)
			}, resolve: func(ctx context.Context, e *env) ([]expect, []expect, []expect, error) {
				name, err := activeController(ctx, e)
				return []expect{on(alerts.KafkaControllerDown, "instance", name)}, nil, []expect{noController}, err
			}},
		}},
		// The pipeline's own processes page when they are down (ProducerDown, StreamDriverDown,
		// SparkConnectDown); their TargetDown is muted.
		{"producer", []faultCase{
			{name: "producer stopped", inject: stop("producer"),
				fires: []expect{on(alerts.ProducerDown, "instance", "producer")},
				muted: []expect{on(alerts.TargetDown, "instance", "producer")}},
			{name: "producer paused (SIGSTOP)", inject: pause("producer"),
				fires: []expect{on(alerts.ProducerDown, "instance", "producer")},
				muted: []expect{on(alerts.TargetDown, "instance", "producer")}},
			// In this lane: a producer registers its schema when it starts, and the one above
			// is started again while the registry must be up (faults_registry_test.go).
			registryKilled(),
		}},
		// The stream driver, the Spark Connect server and the query, one after another: each
		// would blur the others. The first two run beside the broker faults that stop writes
		// (their alerts need none; the query's recovery waits for the writes). The query's
		// failure last, once those are undone: the driver's restarts stay in the crash-loop
		// alert's window for 15 minutes after it, and none of the others may follow.
		{"stream", []faultCase{
			{name: "stream driver killed (-9)", ready: queryProgressing, inject: kill("stream-driver"),
				fires:     []expect{on(alerts.StreamDriverDown, "instance", "stream-driver")},
				muted:     []expect{on(alerts.TargetDown, "instance", "stream-driver")},
				recovered: progressing},
			{name: "spark connect server killed (-9)", inject: kill("spark-connect"),
				fires:     []expect{on(alerts.SparkConnectDown, "instance", "spark-connect")},
				muted:     []expect{on(alerts.TargetDown, "instance", "spark-connect")},
				never:     []expect{on(alerts.StreamDriverDown)},
				recovered: progressing},
			// Seen only after three restarts: the next batch's commit, then the driver's
			// restart backoff (immediate, 10 s, 20 s).
			// It resolves once the query progresses again: the driver's next restart after its
			// backoff (up to 20 s here) and a first batch, tens of seconds while other lanes
			// load the machine (1m40s was not enough in a full run).
			// Caught up first: after the server's restart the query drains a backlog in batches
			// of minutes, and a batch in flight fails only at its commit. Not before 60 s
			// without progress: the alert waits that long for a batch to come.
			{name: "stream query failing, driver alive", ready: queryCaughtUp, inject: checkpointFrozen, onset: 60 * time.Second, after: "two of three brokers down",
				settle: 90 * time.Second, fires: []expect{on(alerts.StreamQueryCrashLooping)}},
		}},
		// Before the others: it cuts the delivery of every alert (faults_am_test.go).
		{"delivery", deliveryLane()},
		// Beside the others: only the dead man's switch is cut off.
		{"receiver", receiverLane()},
		// Beside the others: a consumer group of a deployment's own, its rules and routing
		// from a finobs.yaml (faults_consumers_test.go).
		{"consumers", consumerLane()},
	}
}

// progressing checks that the query runs batches again after the undo: the driver resumes it
// from its checkpoint (after a restart of its own, or its next restart of the query).
// Up to 10 minutes: a broker fault beside it (cut off, two of three down) hangs the batch's
// writes until it is undone, and their timeouts (2 minutes) run out after.
func progressing(ctx context.Context, e *env, since time.Time) error {
	return e.waitSeries(ctx, 10*time.Minute, fmt.Sprintf(`finobs_stream_last_progress_timestamp_seconds > %d`, since.Unix()),
		"the query has made no progress since the undo ("+since.Format(time.TimeOnly)+")")
}

// queryProgressing waits for the query's first batches: on cold JVMs the first drains what
// the producer wrote meanwhile, minutes on a loaded machine (256 s seen).
func queryProgressing(ctx context.Context, e *env) error {
	return e.waitSeries(ctx, 10*time.Minute, `time() - finobs_stream_last_progress_timestamp_seconds < 60`,
		"no progress of the query in the last minute: the managed stream driver must run (make up starts it)")
}

// queryCaughtUp waits until the query has read nearly all there is and just ran a batch: its
// next batch is a short one. Both at once: the offsets behind are those of the last batch, and
// a batch hung on writes (a broker fault just undone) leaves them low.
func queryCaughtUp(ctx context.Context, e *env) error {
	return e.waitSeries(ctx, 10*time.Minute,
		`sum(finobs_stream_offsets_behind_latest) < 2000 and on() (time() - max(finobs_stream_last_progress_timestamp_seconds) < 15)`,
		"the query is more than 2000 records behind, or ran no batch in the last 15 s")
}

// waitSeries waits until the instant query q returns a series; what says why it must.
func (e *env) waitSeries(ctx context.Context, timeout time.Duration, q, what string) error {
	return stacktest.Eventually(ctx, timeout, 5*time.Second, func(ctx context.Context) error {
		var res struct {
			Result []struct{} `json:"result"`
		}
		if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
			return err
		}
		if len(res.Result) == 0 {
			return fmt.Errorf("%s (%s)", what, q)
		}
		return nil
	})
}

// follower is a controller that is not the active one.
func follower(ctx context.Context, e *env) (string, error) {
	active, err := activeController(ctx, e)
	if err != nil {
		return "", err
	}
	for _, i := range e.st.Of(stack.KafkaController) {
		if i.Name != active {
			return i.Name, nil
		}
	}
	return "", fmt.Errorf("no controller besides %s", active)
}

// TestFaults runs every lane at once and prints the table of faults.
func TestFaults(t *testing.T) {
	e := newEnv(t)
	healthy(t, e)
	start := time.Now()
	t.Run("lanes", func(t *testing.T) {
		// The faults that cut the delivery of every alert (alone) go first; the other lanes
		// start once the last of them is undone.
		var path sync.WaitGroup
		ls := lanes()
		steps := map[string]*step{} // every fault's, for those that wait for another lane's
		for _, l := range ls {
			for _, f := range l.faults {
				steps[f.name] = &step{f: f, undone: newGate(), over: newGate()}
			}
		}
		for _, l := range ls {
			for _, f := range l.faults {
				if _, ok := steps[f.after]; f.after != "" && !ok {
					t.Fatalf("%s: it waits for %q, no fault of the suite", f.name, f.after)
				}
			}
		}
		for _, l := range ls {
			ran := false
			t.Run(l.name, func(t *testing.T) {
				ran = true
				for _, f := range l.faults {
					if f.alone {
						path.Add(1) // before Parallel: no lane waits before every lane has counted
					}
				}
				t.Parallel()
				runLane(t, e, l, steps, &path)
			})
			if !ran { // left out by -run: a fault of another lane that waits for one of its faults goes on
				for _, f := range l.faults {
					steps[f.name].undone.open()
					steps[f.name].over.open()
				}
			}
		}
	})
	fmt.Printf("\nfault suite: %d lines in %s\n", len(e.lines), time.Since(start).Round(time.Second))
	fmt.Printf("%-36s %-58s %-10s %s\n", "FAULT", "ALERT", "RECEIVER", "OUTCOME")
	for _, l := range e.lines {
		fmt.Println(l)
	}
	// Faults overlap in real incidents: the lanes' faults must have been in effect at once
	// in pairs, each delivered and each inhibition muting only its own.
	pairs := e.overlaps()
	fmt.Printf("\nconcurrent faults, each delivered: %d pairs\n", len(pairs))
	for _, p := range pairs {
		fmt.Println("  " + p)
	}
	ran := map[string]bool{}
	for _, h := range e.held {
		ran[h.lane] = true
	}
	if len(ran) > 1 && !t.Failed() && len(pairs) < 2 { // -run of one lane overlaps nothing
		t.Errorf("only %d pairs of faults of different components overlapped; the suite must show at least 2", len(pairs))
	}
	if len(e.failures) > 0 {
		fmt.Printf("\nfailed, %d:\n", len(e.failures))
		for _, f := range e.failures {
			fmt.Println("  " + f)
		}
	}
}

// runLane runs a lane's faults one after another, each a parallel subtest. A fault starts once
// the one before it is undone and what it broke is back, while that one's resolutions are
// still on their way; it waits for the one before to be over when it watches an alert whose
// resolution that one awaits (a resolution not yet sent would be overtaken by the next
// firing), or when either runs alone; and once the fault of another lane it names (after)
// is undone. After a failure the lane's later faults are skipped: the component may be left
// broken.
func runLane(t *testing.T, e *env, l lane, steps map[string]*step, path *sync.WaitGroup) {
	var failed atomic.Bool
	var prev *step
	for _, f := range l.faults {
		cur := steps[f.name]
		var once sync.Once
		release := func() {
			once.Do(func() {
				if f.alone {
					path.Done()
				}
				cur.undone.open()
			})
		}
		before := prev
		ran := false
		t.Run(strings.ReplaceAll(f.name, " ", "_"), func(t *testing.T) {
			ran = true
			defer cur.over.open()
			defer release()
			defer func() {
				if t.Failed() {
					failed.Store(true)
				}
			}()
			t.Parallel()
			if !f.alone && !f.ownDelivery {
				path.Wait()
			}
			if before != nil {
				before.undone.wait()
				if f.alone || before.f.alone || before.plan == nil {
					before.over.wait()
				}
			}
			if f.after != "" {
				steps[f.after].undone.wait()
			}
			skipIfFailed(t, &failed)
			p, err := e.plan(context.Background(), f)
			if err != nil {
				t.Fatal(err)
			}
			if before != nil && before.plan != nil && shareAlerts(*before.plan, p) {
				before.over.wait()
				skipIfFailed(t, &failed)
			}
			cur.plan = &p // read by the next fault once undone opens
			// A failure before the undo keeps the next fault from starting on a broken component.
			e.run(t, l.name, f, p, func() {
				if t.Failed() {
					failed.Store(true)
				}
				release()
			})
		})
		if !ran { // left out by -run
			release()
			cur.over.open()
		}
		prev = cur
	}
}

// step is a fault of a lane as the next one sees it.
type step struct {
	f            faultCase
	plan         *plan
	undone, over *gate
}

func skipIfFailed(t *testing.T, failed *atomic.Bool) {
	if failed.Load() {
		t.Skip("an earlier fault of this lane failed: its component may be left broken")
	}
}

// gate opens once, and stays open.
type gate struct {
	once sync.Once
	ch   chan struct{}
}

func newGate() *gate { return &gate{ch: make(chan struct{})} }

func openGate() *gate {
	g := newGate()
	g.open()
	return g
}

func (g *gate) open() { g.once.Do(func() { close(g.ch) }) }
func (g *gate) wait() { <-g.ch }

// shareAlerts reports whether the next fault watches an alert whose resolution the fault
// before it may still await (by name, with labels that do not contradict each other).
func shareAlerts(before, next plan) bool {
	for _, x := range slices.Concat(before.fires, before.late, before.muted) {
		for _, y := range slices.Concat(next.fires, next.muted, next.late, next.never) {
			if x.alert.Name == y.alert.Name && compatible(x.labels, y.labels) {
				return true
			}
		}
	}
	return false
}

func compatible(a, b map[string]string) bool {
	for k, v := range a {
		if w, ok := b[k]; ok && w != v {
			return false
		}
	}
	return true
}

// healthy waits until the pipeline runs: every target up but the logging pipeline's (left
// out on this stack) and the producer producing. The query's first batch on cold JVMs takes
// minutes: the stream lane waits for it (queryProgressing), the others need not.
func healthy(t *testing.T, e *env) {
	t.Helper()
	ctx := context.Background()
	err := stacktest.Eventually(ctx, 10*time.Minute, 5*time.Second, func(ctx context.Context) error {
		var res struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		}
		if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {`up{job!~"elasticsearch.*"} == 0`}}, &res); err != nil {
			return err
		}
		if len(res.Result) > 0 {
			var down []string
			for _, r := range res.Result {
				down = append(down, r.Metric["instance"])
			}
			return fmt.Errorf("targets down: %v", down)
		}
		for _, q := range []string{`rate(finobs_producer_records_total[1m]) > 0`} {
			if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
				return err
			}
			if len(res.Result) == 0 {
				return fmt.Errorf("no series for %s: the managed producer and stream driver must run (make up starts them)", q)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the stack is not healthy before the faults: %v", err)
	}
	// The host itself short of disk pages on its own (KafkaDiskAlmostFull, every mount), and
	// its open group would hold back the log-dir fault's page by a group interval: say so
	// now, not as a late delivery twenty minutes in.
	var full struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	}
	q := `ALERTS{alertname="` + alerts.KafkaDiskAlmostFull.Name + `"}`
	if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {q}}, &full); err != nil {
		t.Fatal(err)
	}
	for _, r := range full.Result {
		t.Fatalf("before the faults, %s is %s for %s: the machine's disk has under 10%% free; free space and run again",
			alerts.KafkaDiskAlmostFull.Name, r.Metric["alertstate"], r.Metric["mountpoint"])
	}
	if os.Getenv("FINOBS_FAULTS_VERBOSE") != "" {
		t.Log("healthy:", stacktest.PromAlerts(ctx, e.st))
	}
}
