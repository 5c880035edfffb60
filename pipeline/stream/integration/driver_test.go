package integration

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

// The tests in this file run cmd/stream itself, as a user does: flags, exit status, JSON log
// and /metrics are what they check.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// streamBinary builds cmd/stream once per test binary.
func streamBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "finobs-stream-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "stream")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/finobs/finobs/cmd/stream").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build cmd/stream: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// driver is one run of cmd/stream.
type driver struct {
	t    *testing.T
	name string
	cmd  *exec.Cmd
	done chan struct{}
	code int

	mu    sync.Mutex
	lines []map[string]any // its JSON log lines
	raw   []string
	addr  string // its metrics listener
	last  map[string]float64
}

// startDriver runs cmd/stream against the native stack with args after the stack's addresses.
func startDriver(t *testing.T, name string, args ...string) *driver {
	t.Helper()
	local := stacktest.Local(t)
	argv := append([]string{"-spark", local.One(stack.SparkConnect).Addr(stack.PortGRPC), "-bootstrap", local.KafkaBootstrap(),
		// The tests write JSON records of their own: no registry subject to read Avro by.
		"-metrics-addr", "127.0.0.1:0", "-format", "json"}, args...)
	d := &driver{t: t, name: name, cmd: exec.Command(streamBinary(t), argv...), done: make(chan struct{}), last: map[string]float64{}}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.cmd.Stdout = os.Stdout
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: stream %s", name, strings.Join(argv, " "))
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var m map[string]any
			line := sc.Text()
			d.mu.Lock()
			d.raw = append(d.raw, line)
			if json.Unmarshal([]byte(line), &m) == nil {
				d.lines = append(d.lines, m)
				if m["msg"] == "serving metrics" {
					d.addr, _ = m["addr"].(string)
				}
			}
			d.mu.Unlock()
		}
		err := d.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			d.code = ee.ExitCode()
		default:
			d.code = -1
		}
		close(d.done)
	}()
	t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			d.cmd.Process.Kill()
			<-d.done
		}
	})
	return d
}

// logs returns the log lines whose msg is msg.
func (d *driver) logs(msg string) []map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []map[string]any
	for _, l := range d.lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

func (d *driver) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.raw, "\n")
}

// scrape reads the driver's /metrics once: values by `name{label="value",...}` (labels sorted,
// as the exposition writes them), keeping the last values seen once it has exited.
func (d *driver) scrape() map[string]float64 {
	d.mu.Lock()
	addr := d.addr
	d.mu.Unlock()
	if addr == "" {
		return d.last
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return d.last
	}
	defer resp.Body.Close()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return d.last
	}
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var ls []string
			for _, l := range m.GetLabel() {
				ls = append(ls, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			slices.Sort(ls)
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			out[name+"{"+strings.Join(ls, ",")+"}"] = v
		}
	}
	d.mu.Lock()
	d.last = out
	d.mu.Unlock()
	return out
}

// waitFor polls the driver's metrics until cond holds; it fails when the driver exits first.
func (d *driver) waitFor(ctx context.Context, what string, cond func(map[string]float64) bool) map[string]float64 {
	d.t.Helper()
	for {
		m := d.scrape()
		if cond(m) {
			return m
		}
		select {
		case <-d.done:
			d.t.Fatalf("%s: exited %d while waiting for %s; log:\n%s", d.name, d.code, what, d.log())
		case <-ctx.Done():
			d.t.Fatalf("%s: waiting for %s: %v; log:\n%s", d.name, what, ctx.Err(), d.log())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// wait waits for the driver to exit, scraping its metrics meanwhile, and returns its status.
func (d *driver) wait(ctx context.Context) int {
	d.t.Helper()
	for {
		d.scrape()
		select {
		case <-d.done:
			return d.code
		case <-ctx.Done():
			d.t.Fatalf("%s: still running: %v; log:\n%s", d.name, ctx.Err(), d.log())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and returns the exit status.
func (d *driver) stop(ctx context.Context) int {
	d.t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		d.t.Fatal(err)
	}
	return d.wait(ctx)
}

// series is the key scrape gives a series of the query.
func series(name, query string, labels ...string) string {
	ls := append([]string{fmt.Sprintf("query=%q", query)}, labels...)
	slices.Sort(ls)
	return name + "{" + strings.Join(ls, ",") + "}"
}
