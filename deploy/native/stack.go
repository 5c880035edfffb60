package native

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/finobs/finobs/internal/fault"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

// Stack is the local stack of one state directory.
type Stack struct {
	P   Paths
	Log *slog.Logger
	// Provision, when set, puts the declarations into the running stack (cmd/deploy's
	// provisioner): Up calls it once Kafka, Spark, Prometheus and Alertmanager are healthy,
	// before it starts the data pipeline, whose topics it creates.
	Provision func(ctx context.Context, st stack.Stack) error
	// Timed, when set, is told how long each phase of Up took: "install", then "start".
	Timed func(phase string, took time.Duration)
	// FreshAlerting: Up starts an Alertmanager that is not running with an empty data
	// directory. cmd/stack exec sets it: a test session must not inherit an earlier session's
	// silences, nor its log of alerts notified (an interrupted run's firing alerts would be
	// held back for their repeat interval). Restarts within the session (Start) keep both.
	FreshAlerting bool
}

func (s *Stack) timed(phase string, t0 time.Time) {
	if s.Timed != nil {
		s.Timed(phase, time.Since(t0))
	}
}

// state is run/stack.json: which topology is up.
type state struct {
	KafkaNodes int       `json:"kafka_nodes"`
	Started    time.Time `json:"started"`
}

func (s *Stack) statePath() string { return filepath.Join(s.P.Run(), "stack.json") }

func (s *Stack) readState() (state, bool) {
	b, err := os.ReadFile(s.statePath())
	if err != nil {
		return state{}, false
	}
	var st state
	if json.Unmarshal(b, &st) != nil || st.KafkaNodes == 0 {
		return state{}, false
	}
	return st, true
}

// KafkaNodes is the size of the Kafka cluster: the running stack's, else $KAFKA_NODES, else 1.
func (s *Stack) KafkaNodes() (int, error) {
	if st, ok := s.readState(); ok && len(s.running()) > 0 {
		return st.KafkaNodes, nil
	}
	return envKafkaNodes()
}

func envKafkaNodes() (int, error) {
	v := os.Getenv("KAFKA_NODES")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("KAFKA_NODES=%q: want 1 or 3", v)
	}
	return n, nil
}

// Topology is the topology of the stack (running, or about to be started).
func (s *Stack) Topology() (stack.Stack, error) {
	n, err := s.KafkaNodes()
	if err != nil {
		return stack.Stack{}, err
	}
	return topology.Local(n)
}

// running lists the names of the stack's processes that are alive.
func (s *Stack) running() []string {
	files, _ := filepath.Glob(filepath.Join(s.P.Run(), "*.pid"))
	var out []string
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pid")
		if pf, ok, _ := readPid(s.P, name); ok && alive(pf.Pid, name) {
			out = append(out, name)
		}
	}
	return out
}

// Up installs what is missing and starts every managed component that is not running. It
// returns the names of the processes it started. On failure it stops them again.
func (s *Stack) Up(ctx context.Context) (started []string, err error) { return s.up(ctx, nil) }

// Start starts the named components of the stack where they do not run (a process the fault
// suite killed), and nothing else: what runs keeps its configuration.
func (s *Stack) Start(ctx context.Context, names ...string) (started []string, err error) {
	only := map[string]bool{}
	for _, n := range names {
		only[n] = true
	}
	return s.up(ctx, only)
}

func (s *Stack) up(ctx context.Context, only map[string]bool) (started []string, err error) {
	unlock, err := s.Lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	// A fault run killed before its undo leaves a port dropped: a broker that never gets
	// healthy. Only on a whole start: Start restarts a process the fault suite killed while
	// its other faults (a port dropped) are in effect. Without the right to read nftables
	// (not root) there is nothing of ours there.
	if only == nil {
		if gone, err := fault.ClearDrops(); err != nil {
			s.Log.Debug("no nftables to check for dropped ports", "err", err)
		} else if len(gone) > 0 {
			s.Log.Warn("removed the packet drops a killed fault run left", "tables", gone)
		}
	}
	n, err := envKafkaNodes()
	if err != nil {
		return nil, err
	}
	prev, ok := s.readState()
	if ok && os.Getenv("KAFKA_NODES") == "" && len(s.running()) > 0 {
		n = prev.KafkaNodes // no size asked for: complete the running stack
	}
	if ok && prev.KafkaNodes != n && len(s.running()) > 0 {
		return nil, fmt.Errorf("the stack runs with KAFKA_NODES=%d (%s): run `go run ./cmd/stack down` first",
			prev.KafkaNodes, strings.Join(s.running(), ", "))
	}
	st, err := topology.Local(n)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	in := &Installer{P: s.P, Log: s.Log}
	env, err := in.Install(ctx)
	if err != nil {
		return nil, err
	}
	s.Log.Info("installed", "took", time.Since(t0).Round(time.Second), "state", s.P.State)
	s.timed("install", t0)
	t1 := time.Now()
	svcs, err := services(s.P, env, st)
	if err != nil {
		return nil, err
	}

	// What runs already stays; everything else needs all its ports free before anything starts.
	var todo, running []service
	var busy []string
	for _, sv := range svcs {
		if sv.skip != "" {
			s.Log.Warn("not started", "component", sv.name(), "why", sv.skip)
			continue
		}
		if only != nil && !only[sv.name()] {
			continue
		}
		if pf, ok, _ := readPid(s.P, sv.name()); ok && alive(pf.Pid, sv.name()) {
			s.Log.Info("already running", "component", sv.name(), "pid", pf.Pid)
			running = append(running, sv)
			continue
		}
		for _, port := range sv.ports() {
			if !portFree(sv.inst.Host, port.Port) {
				who := portOwner(port.Port)
				if who == "" {
					who = "another process"
				}
				busy = append(busy, fmt.Sprintf("port %d is taken by %s; %s needs it (%s)", port.Port, who, sv.name(), port.Name))
			}
		}
		todo = append(todo, sv)
	}
	if len(busy) > 0 {
		return nil, fmt.Errorf("cannot start the local stack, nothing was started:\n  %s", strings.Join(busy, "\n  "))
	}
	if s.FreshAlerting {
		for _, sv := range todo {
			if sv.inst.Component == stack.Alertmanager {
				dir := s.P.StateOf(st, "alertmanager")
				s.Log.Info("Alertmanager starts without the silences and notification log of an earlier session", "dir", dir)
				if err := os.RemoveAll(dir); err != nil {
					return nil, err
				}
			}
		}
	}
	// A running Prometheus gets its config file rewritten (`go run ./cmd/gen` may have changed
	// it since it started); the provisioner below reloads it and Alertmanager, and checks
	// that the running configuration is the generated one.
	for _, sv := range running {
		if sv.inst.Component == stack.Prometheus && sv.prepare != nil && only == nil {
			if err := sv.prepare(ctx); err != nil { // rewrites only its config file
				return nil, fmt.Errorf("%s: %w", sv.name(), err)
			}
		}
	}
	// Likewise the index templates of a running Elasticsearch.
	for _, sv := range running {
		if sv.ready != nil && only == nil {
			if err := sv.ready(ctx, s.Log.With("component", sv.name())); err != nil {
				return nil, fmt.Errorf("%s: %w", sv.name(), err)
			}
		}
	}
	if len(todo) == 0 {
		if err := s.provision(ctx, st); err != nil {
			return nil, err
		}
		s.Log.Info("the stack is up already")
		return nil, nil
	}
	if only == nil {
		b, _ := json.Marshal(state{KafkaNodes: n, Started: time.Now().UTC()})
		if err := os.WriteFile(s.statePath(), b, 0o644); err != nil {
			return nil, err
		}
	}

	var procs []*proc
	fail := func(err error) ([]string, error) {
		s.Log.Error("start failed; stopping what this run started")
		names := make([]string, len(procs))
		for i, p := range procs {
			names[i] = p.Name
		}
		if derr := s.stop(names); derr != nil { // Up holds the lock
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	for phase := 0; phase <= pipelinePhase; phase++ {
		if phase == pipelinePhase {
			if err := s.provision(ctx, st); err != nil {
				return fail(err)
			}
		}
		var batch []service
		var bprocs []*proc
		for _, sv := range todo {
			if sv.phase != phase {
				continue
			}
			if sv.prepare != nil {
				if err := sv.prepare(ctx); err != nil {
					return fail(fmt.Errorf("%s: %w", sv.name(), err))
				}
			}
			if err := mkdirs(sv.dir); err != nil {
				return fail(err)
			}
			pr, err := startProc(s.P, sv.name(), sv.dir, sv.env, sv.argv, sv.user)
			if err != nil {
				return fail(err)
			}
			s.Log.Info("started", "component", sv.name(), "pid", pr.Pid, "log", pr.Log)
			procs = append(procs, pr)
			batch = append(batch, sv)
			bprocs = append(bprocs, pr)
		}
		// Wait for the whole phase at once: the JVMs start side by side.
		errs := make([]error, len(batch))
		var wg sync.WaitGroup
		for i := range batch {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.Now()
				if err := waitFor(ctx, batch[i].health, batch[i].timeout, bprocs[i].exited); err != nil {
					errs[i] = fmt.Errorf("%s is not healthy: %w\n  log %s:\n%s", batch[i].name(), err, bprocs[i].Log, tailFile(bprocs[i].Log, 12))
					return
				}
				s.Log.Info("healthy", "component", batch[i].name(), "took", time.Since(t).Round(100*time.Millisecond))
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return fail(err)
		}
		for _, sv := range batch {
			if sv.ready != nil {
				if err := sv.ready(ctx, s.Log.With("component", sv.name())); err != nil {
					return fail(fmt.Errorf("%s: %w", sv.name(), err))
				}
			}
		}
	}
	for _, p := range procs {
		started = append(started, p.Name)
	}
	s.Log.Info("the stack is up", "kafka_nodes", n, "bootstrap", st.KafkaBootstrap(), "took", time.Since(t0).Round(time.Second))
	s.timed("start", t1)
	return started, nil
}

func (s *Stack) provision(ctx context.Context, st stack.Stack) error {
	if s.Provision == nil {
		return nil
	}
	t := time.Now()
	if err := s.Provision(ctx, st); err != nil {
		return fmt.Errorf("provision the stack (go run ./cmd/deploy -dry-run shows the plan): %w", err)
	}
	s.Log.Info("provisioned", "took", time.Since(t).Round(100*time.Millisecond))
	return nil
}

// Down stops every process the stack started (all pid files), clients first.
func (s *Stack) Down() error {
	files, _ := filepath.Glob(filepath.Join(s.P.Run(), "*.pid"))
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".pid"))
	}
	if err := s.Stop(names); err != nil {
		return err
	}
	// Nothing of the topology may still listen.
	st, err := s.Topology()
	if err != nil {
		return err
	}
	var busy []string
	deadline := time.Now().Add(10 * time.Second)
	for _, inst := range st.Instances {
		// The pipeline's ports are clients' metrics ports: a producer run by hand may hold
		// one, and the stack's own were stopped by their pid files.
		if !Managed(inst.Component) || pipeline(inst.Component) {
			continue
		}
		for _, p := range inst.Ports {
			for !portFree(inst.Host, p.Port) && time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
			}
			if !portFree(inst.Host, p.Port) {
				busy = append(busy, fmt.Sprintf("port %d (%s %s) is still taken by %s", p.Port, inst.Name, p.Name, portOwner(p.Port)))
			}
		}
	}
	if len(busy) > 0 {
		return fmt.Errorf("down: stopped the stack's processes, but not by the stack:\n  %s", strings.Join(busy, "\n  "))
	}
	return nil
}

// Stop stops the named stack processes in dependency order and removes their pid files.
func (s *Stack) Stop(names []string) error {
	unlock, err := s.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	return s.stop(names)
}

func (s *Stack) stop(names []string) error {
	st, _ := s.Topology()
	comp := map[string]stack.Component{}
	for _, i := range st.Instances {
		comp[i.Name] = i.Component
	}
	rank := func(name string) int {
		if c, ok := comp[name]; ok {
			return stopRank(c)
		}
		for _, c := range []stack.Component{stack.KafkaBroker, stack.KafkaController} { // other topology size
			if strings.HasPrefix(name, string(c)) {
				return stopRank(c)
			}
		}
		if strings.HasPrefix(name, "kafka") {
			return stopRank(stack.KafkaCombined)
		}
		return stopRank(stack.Component(name))
	}
	names = slices.Clone(names)
	sort.SliceStable(names, func(a, b int) bool { return rank(names[a]) < rank(names[b]) })
	var errs []error
	// One rank at a time, its members in parallel (three brokers shut down together).
	for i := 0; i < len(names); {
		j := i
		for j < len(names) && rank(names[j]) == rank(names[i]) {
			j++
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for _, name := range names[i:j] {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pf, ok, err := readPid(s.P, name)
				if err == nil && ok {
					grace := 30 * time.Second
					if strings.HasPrefix(name, "kafka") {
						grace = 60 * time.Second // controlled shutdown moves leadership first
					}
					err = stopPid(pf.Pid, name, grace)
					if err == nil {
						s.Log.Info("stopped", "component", name, "pid", pf.Pid)
					}
				}
				if err == nil {
					os.Remove(s.P.pidPath(name))
				}
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}()
		}
		wg.Wait()
		i = j
	}
	return errors.Join(errs...)
}

type statusRow struct {
	name, pid, ports, health, url string
}

func (s *Stack) status(ctx context.Context) ([]statusRow, error) {
	st, err := s.Topology()
	if err != nil {
		return nil, err
	}
	// Health checks need no installed binaries: an empty Env is enough to describe services.
	env := Env{JavaHome: "/", SparkHome: "/", Alertmanager: "alertmanager"}
	svcs, err := services(s.P, env, st)
	if err != nil {
		return nil, err
	}
	rows := make([]statusRow, len(svcs))
	var wg sync.WaitGroup
	for i, sv := range svcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := statusRow{name: sv.name(), pid: "-", url: sv.url}
			var ports []string
			for _, p := range sv.ports() {
				ports = append(ports, fmt.Sprintf("%s:%d", p.Name, p.Port))
			}
			r.ports = strings.Join(ports, " ")
			pf, ok, _ := readPid(s.P, sv.name())
			running := ok && alive(pf.Pid, sv.name())
			if running {
				r.pid = strconv.Itoa(pf.Pid)
			}
			if sv.skip != "" && !running {
				r.health = "not started: " + sv.skip
				rows[i] = r
				return
			}
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			switch err := sv.health(cctx); {
			case err == nil && running:
				r.health = "ok"
			case err == nil:
				r.health = "serving, but not started by the stack"
			case running:
				r.health = "unhealthy: " + err.Error()
			default:
				r.health = "down"
			}
			rows[i] = r
		}()
	}
	wg.Wait()
	// The stream driver's restarts belong in the status, whoever runs it (FINOBS_PIPELINE=0:
	// its own command).
	for _, inst := range st.Of(stack.StreamDriver) {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		d := driverStatus(cctx, inst)
		cancel()
		i := slices.IndexFunc(rows, func(r statusRow) bool { return r.name == inst.Name })
		switch {
		case i < 0:
			rows = append(rows, d)
		case rows[i].health == "ok" || strings.HasPrefix(rows[i].health, "serving"):
			rows[i].health += ": " + d.health
		}
	}
	return rows, nil
}

// Status prints one line per component: name, pid, ports, health.
func (s *Stack) Status(ctx context.Context, w io.Writer) error {
	rows, err := s.status(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COMPONENT\tPID\tPORTS\tHEALTH\tURL")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.name, r.pid, r.ports, r.health, r.url)
	}
	return tw.Flush()
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "  | (" + err.Error() + ")\n"
	}
	return lastLines(string(b), n)
}
