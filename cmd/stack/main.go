// Command stack runs the native local stack (no Docker): Kafka in KRaft mode, a Spark
// master and worker with a Spark Connect server running against them, Prometheus, Alertmanager, node_exporter, the webhook receiver and the
// logging pipeline (Elasticsearch, its exporter, Filebeat), as background processes with
// state under .stack/ ($FINOBS_STATE).
//
//	go run ./cmd/stack install     install the pinned versions into the state directory only
//	go run ./cmd/stack up          install what is missing, start what is not running
//	go run ./cmd/stack down        stop what `up` started
//	go run ./cmd/stack status      one line per component: pid, ports, health
//	go run ./cmd/stack exec -- CMD start the stack if needed, run CMD, stop what was started
//
// KAFKA_NODES=3 runs 3 controllers and 3 brokers instead of one combined node; FINOBS_LOGS=0
// leaves the logging pipeline out; FINOBS_PIPELINE=0 the producer and the stream driver;
// FINOBS_SPARK_MASTER=local[2] runs the Spark Connect server's application in the server
// rather than on the stack's Spark master and worker.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/deploy/provision"
	"github.com/finobs/finobs/pkg/stack"
)

func main() {
	level := slog.LevelInfo
	if os.Getenv("FINOBS_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	code, err := run(log, os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "stack:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

const usage = "usage: stack install|up|down|status|exec -- CMD [ARGS...]"

const help = `stack runs the native local stack (no Docker): Kafka in KRaft mode, a Spark Connect
server, Prometheus, Alertmanager, node_exporter and the webhook receiver, as background
processes with state under .stack/ ($FINOBS_STATE).

  stack install        install the pinned versions into the state directory only
  stack up             install what is missing, start what is not running
  stack down           stop what up started
  stack status         one line per component: pid, ports, health
  stack exec -- CMD    start the stack if needed, run CMD, stop what was started;
                       CMD's exit code is stack's

Environment: KAFKA_NODES=3 runs 3 controllers and 3 brokers instead of one combined
node; FINOBS_LOGS=0 leaves out Elasticsearch, its exporter and Filebeat (a lighter
stack; make test runs them); FINOBS_REGISTRY=0 leaves out the schema registry (the
producer then needs -format json); FINOBS_PIPELINE=0 leaves out the producer and the stream
driver that up starts last (FINOBS_PRODUCER_RATE records/s, default 200), after it has
provisioned the declared topics and checked Prometheus' and Alertmanager's configs as
go run ./cmd/deploy does; exec leaves them out unless FINOBS_PIPELINE=1 (tests run their
own on the same ports) and pauses running ones for the command. FINOBS_STATE moves the
state directory; FINOBS_DEBUG=1 logs at debug level. FINOBS_SPARK_MASTER=local[2] runs the
Spark Connect server's application inside the server instead of on the stack's standalone
Spark cluster (master and worker still run), e.g. to compare the two with bench stream.
`

func run(log *slog.Logger, args []string) (int, error) {
	if len(args) == 0 {
		return 2, errors.New(usage)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Print(help)
		return 0, nil
	}
	p, err := native.FindPaths()
	if err != nil {
		return 1, err
	}
	s := &native.Stack{P: p, Log: log, Provision: provisioner(p, log)}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "up":
		_, err := s.Up(ctx)
		if err != nil {
			return 1, err
		}
		return 0, s.Status(context.Background(), os.Stdout)
	case "install":
		unlock, err := s.Lock()
		if err != nil {
			return 1, err
		}
		defer unlock()
		_, err = (&native.Installer{P: p, Log: log}).Install(ctx)
		return 0, err
	case "down":
		return 0, s.Down()
	case "status":
		return 0, s.Status(ctx, os.Stdout)
	case "exec":
		cmd := args[1:]
		if len(cmd) > 0 && cmd[0] == "--" {
			cmd = cmd[1:]
		}
		if len(cmd) == 0 {
			return 2, errors.New(usage)
		}
		return execIn(ctx, s, log, cmd)
	default:
		return 2, fmt.Errorf("unknown command %q; %s", args[0], usage)
	}
}

// provisioner applies the declarations to the native stack as `go run ./cmd/deploy -stack
// local` does, without the Elasticsearch step: the stack provisions Elasticsearch itself as
// soon as it is healthy, before Filebeat ships anything.
func provisioner(p native.Paths, log *slog.Logger) func(context.Context, stack.Stack) error {
	return func(ctx context.Context, st stack.Stack) error {
		only := map[string]bool{}
		for _, s := range provision.StepNames {
			only[s] = s != "elasticsearch" && (s != "schemas" || native.RegistryEnabled())
		}
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		_, err := provision.Deploy(ctx, provision.LocalTarget(p.Repo, st), provision.Config{Only: only, Out: os.Stderr, Log: log.With("component", "deploy")})
		return err
	}
}

// execIn brings the stack up if needed, runs cmd, and stops what it started, whatever cmd's
// outcome. cmd's exit code becomes ours.
func execIn(ctx context.Context, s *native.Stack, log *slog.Logger, argv []string) (int, error) {
	// Up starts only what does not run (and reloads the configuration of what does);
	// what was up before stays up after the command.
	// Tests and benchmarks run their own producer and stream driver on the ports Prometheus
	// scrapes: the managed ones stay out unless FINOBS_PIPELINE says otherwise, and those
	// running now (a stack up with them) pause for the command and come back after it.
	if os.Getenv("FINOBS_PIPELINE") == "" {
		os.Setenv("FINOBS_PIPELINE", "0")
	}
	if paused := s.RunningPipeline(); !native.PipelineEnabled() && len(paused) > 0 {
		log.Info("pausing the managed pipeline for the command", "components", paused)
		if err := s.Stop(paused); err != nil {
			return 1, err
		}
		defer func() {
			os.Setenv("FINOBS_PIPELINE", "1")
			if _, err := s.Up(context.WithoutCancel(ctx)); err != nil {
				log.Error("restart the managed pipeline", "err", err)
			}
		}()
	}
	phases := phaseLog(log)
	s.Timed = phases
	s.FreshAlerting = true
	started, err := s.Up(ctx)
	if err != nil {
		return 1, err
	}
	if len(started) == 0 {
		log.Info("the stack was up already; it stays up after the command")
	}
	defer func() {
		if len(started) > 0 {
			log.Info("stopping what exec started", "components", started)
			t := time.Now()
			if err := s.Stop(started); err != nil {
				log.Error("stop", "err", err)
			}
			phases("stop", time.Since(t))
		}
	}()
	n, err := s.KafkaNodes()
	if err != nil {
		return 1, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// FINOBS_STACK_RUN changes every time: tests that read it are never taken from go test's
	// cache (their results depend on the live stack, not on their inputs).
	cmd.Env = append(os.Environ(), "FINOBS_STATE="+s.P.State, "KAFKA_NODES="+strconv.Itoa(n),
		"FINOBS_STACK_RUN="+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err := cmd.Start(); err != nil {
		return 1, fmt.Errorf("exec %s: %w", argv[0], err)
	}
	// The terminal sends Ctrl-C to cmd too; a SIGTERM to us is passed on. Either way we
	// wait for cmd and then stop the stack.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		for sig := range sigs {
			cmd.Process.Signal(sig)
		}
	}()
	t := time.Now()
	err = cmd.Wait()
	phases(filepath.Base(argv[0])+" "+strings.Join(argv[1:min(len(argv), 2)], " "), time.Since(t))
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), nil
	}
	if err != nil {
		return 1, err
	}
	return 0, nil
}

// PhasesEnv names a file that exec appends its phases to, one "label<TAB>seconds" line each
// (install, start, the command, stop), labelled with $FINOBS_PHASE: make test prints them
// all at its end.
const PhasesEnv = "FINOBS_PHASES"

// phaseLog records a phase's duration in the log and, when $FINOBS_PHASES is set, in that file.
func phaseLog(log *slog.Logger) func(string, time.Duration) {
	return func(phase string, took time.Duration) {
		if label := os.Getenv("FINOBS_PHASE"); label != "" {
			phase = label + ": " + phase
		}
		log.Info("phase", "phase", phase, "took", took.Round(time.Second))
		file := os.Getenv(PhasesEnv)
		if file == "" {
			return
		}
		f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			log.Warn("phases file", "err", err)
			return
		}
		defer f.Close()
		fmt.Fprintf(f, "%s\t%.0f\n", phase, took.Seconds())
	}
}
