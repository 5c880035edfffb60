// Package faults is the fault suite: it injects real faults into the running native stack
// (3 controllers, 3 brokers, the producer and the stream driver running) and follows every
// alert the fault should raise from Prometheus through Alertmanager to the webhook receiver
// that Alertmanager's own routing code (dispatch.Route) computes from our configuration.
// `make test` runs it after the other tests (`make test-faults` alone).
package faults

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	promconfig "github.com/prometheus/prometheus/config"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
)

// expect is an alert with the labels it must carry (a subset of its labels).
type expect struct {
	alert  rules.Alert
	labels map[string]string
}

func (e expect) String() string {
	var kv []string
	for k, v := range e.labels {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return e.alert.Name + "{" + strings.Join(kv, ",") + "}"
}

func on(a rules.Alert, kv ...string) expect {
	e := expect{alert: a, labels: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		e.labels[kv[i]] = kv[i+1]
	}
	return e
}

// fault is one failure a user of the pipeline fears.
type faultCase struct {
	name string
	// inject breaks something real and returns what undoes it.
	inject func(ctx context.Context, e *env) (undo func(ctx context.Context) error, err error)
	// setup, when set, readies the stack for inject before the clock starts (a broker moved
	// onto a disk the test can fill); its teardown runs at the end of the test, failed or not.
	setup func(ctx context.Context, e *env) (teardown func(ctx context.Context) error, err error)
	// ready, when set, waits until the stack is as the fault needs it (every partition in
	// sync) and readies what checks it (a producer running): after setup, before the clock.
	ready func(ctx context.Context, e *env) error
	// onset is how long after inject the fault can be seen at all (a follower falls out of
	// the ISR only after replica.lag.time.max.ms); it adds to every bound.
	onset time.Duration
	fires []expect // delivered where the routing tree says, within the bound; resolution too
	muted []expect // active in Alertmanager, inhibited, never delivered
	never []expect // never firing in Prometheus while the fault lasts
	// expects is computed at run time for faults whose target is found on the stack (the
	// active controller).
	resolve func(ctx context.Context, e *env) (fires, muted, never []expect, err error)

	// late are alerts that the fault itself keeps from their receivers (it is in the
	// delivery path): firing in Prometheus during the fault and delivered nowhere; once it is
	// undone, delivered where the routing tree says, then resolved. Such a fault's undo
	// restores the path and waits for them before it undoes their cause (heldBack).
	late []expect
	// settle is how long after the undo an alert's condition may still hold (a rate over a
	// window keeps seeing the fault); it adds to the resolution bound.
	settle time.Duration
	// during checks what the fault must do beyond alerts, waiting until it has (and so
	// holding the fault); recovered checks what must come back after the undo.
	during, recovered func(ctx context.Context, e *env, since time.Time) error
	// alone: the fault stops deliveries for every alert; the other lanes start once it is undone.
	alone bool
	// ownDelivery: what the fault must raise goes through a Prometheus and an Alertmanager of
	// its own, not the stack's: it starts beside the faults that run alone.
	ownDelivery bool
	// after names a fault of another lane that must be undone before this one starts.
	after string
}

// env is the running stack as the suite sees it.
type env struct {
	st      stack.Stack
	stack   *native.Stack
	rt      stacktest.Routing
	am      string
	scrape  time.Duration
	eval    time.Duration
	started time.Time

	mu       sync.Mutex
	lines    []string
	held     []heldFault          // faults that passed, while they lasted
	failures []string             // what failed, by test
	groups   map[string]time.Time // alert groups notified, by alertname and job
}

// heldFault is the time a fault lasted, from its injection to its undo.
type heldFault struct {
	lane, fault string
	from, to    time.Time
}

// overlaps lists the pairs of faults of different lanes that were in effect at once, each
// of which passed (its alerts delivered, its inhibitions holding).
func (e *env) overlaps() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for i, a := range e.held {
		for _, b := range e.held[i+1:] {
			if a.lane == b.lane {
				continue
			}
			from, to := maxTime(a.from, b.from), minTime(a.to, b.to)
			if to.After(from) {
				out = append(out, fmt.Sprintf("%s (%s) and %s (%s): at once for %.0fs", a.fault, a.lane, b.fault, b.lane, to.Sub(from).Seconds()))
			}
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// faultT is the test of one fault: what fails is kept for the suite's summary too, at the
// end of its output, where the tail of a CI log shows it.
type faultT struct {
	*testing.T
	e *env
}

func (t faultT) Errorf(format string, args ...any) {
	t.T.Helper()
	t.e.failed(t.Name(), fmt.Sprintf(format, args...))
	t.T.Errorf(format, args...)
}

func (t faultT) Error(args ...any) {
	t.T.Helper()
	t.e.failed(t.Name(), fmt.Sprint(args...))
	t.T.Error(args...)
}

func (t faultT) Fatalf(format string, args ...any) {
	t.T.Helper()
	t.e.failed(t.Name(), fmt.Sprintf(format, args...))
	t.T.Fatalf(format, args...)
}

func (e *env) failed(test, msg string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures = append(e.failures, test+": "+msg)
}

func (e *env) report(line string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lines = append(e.lines, line)
	fmt.Println("FAULT", line)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	st := stacktest.Local(t)
	if st.Brokers() != 3 || st.Controllers() != 3 {
		t.Fatalf("the fault suite runs on 3 controllers and 3 brokers (KAFKA_NODES=3); this stack has %d and %d", st.Controllers(), st.Brokers())
	}
	p, err := native.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	_, file, _, _ := runtime.Caller(0)
	cfgPath := filepath.Join(filepath.Dir(file), "..", "..", "deploy", "local", "prometheus-kafka3.yml")
	cfg, err := promconfig.LoadFile(cfgPath, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("load %s: %v", cfgPath, err)
	}
	return &env{
		st: st, stack: &native.Stack{P: p, Log: log}, rt: stacktest.LoadRouting(t),
		am:     stacktest.BaseURL(st, stack.Alertmanager),
		scrape: time.Duration(cfg.GlobalConfig.ScrapeInterval), eval: time.Duration(cfg.GlobalConfig.EvaluationInterval),
		started: time.Now(), groups: map[string]time.Time{},
	}
}

// amAlert is an alert as Alertmanager's API v2 lists it, inhibited ones included.
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	StartsAt    time.Time         `json:"startsAt"`
	Status      struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

func (e *env) amAlerts(ctx context.Context, x expect) ([]amAlert, error) {
	filter := url.Values{"filter": {`alertname="` + x.alert.Name + `"`}, "silenced": {"true"}, "inhibited": {"true"}, "active": {"true"}}
	var as []amAlert
	if err := stacktest.GetJSON(ctx, e.am+"/api/v2/alerts?"+filter.Encode(), &as); err != nil {
		return nil, err
	}
	var out []amAlert
	for _, a := range as {
		if subset(x.labels, a.Labels) {
			out = append(out, a)
		}
	}
	return out, nil
}

func subset(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// firingBound is how long after the fault an alert may take to reach its receiver: its
// for, two scrape intervals (one to see the fault, one for a scrape that times out) and
// one evaluation, the route's group wait, and a little for the HTTP hops. An alert whose
// group was sent before goes out with the group's next flush instead: Prometheus sends a
// resolved alert again for 15 minutes, which keeps its group open, so a second fault of the
// same alert and job within that time waits up to a group interval, not a group wait.
func (e *env) firingBound(f faultCase, x expect, d stacktest.Delivery, groupOpen bool) time.Duration {
	wait := d.GroupWait
	if groupOpen {
		wait = max(wait, d.GroupInterval)
	}
	return f.onset + x.alert.For + 2*e.scrape + e.eval + wait + 5*time.Second
}

// resolvedRetention is how long Prometheus keeps sending an alert after it resolved.
const resolvedRetention = 15 * time.Minute

func groupKey(labels map[string]string) string { return labels["alertname"] + "|" + labels["job"] }

// groupOpen reports whether a group of these labels was notified recently, and marks it.
func (e *env) groupOpen(labels map[string]string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	at, ok := e.groups[groupKey(labels)]
	return ok && time.Since(at) < resolvedRetention+time.Minute
}

func (e *env) groupSent(labels map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.groups[groupKey(labels)] = time.Now()
}

// promFiring reports whether x was firing in Prometheus at any evaluation of the last d.
func (e *env) promFiring(ctx context.Context, x expect, d time.Duration) (bool, error) {
	sel := []string{`alertname="` + x.alert.Name + `"`, `alertstate="firing"`}
	for k, v := range x.labels {
		sel = append(sel, k+`="`+v+`"`)
	}
	q := fmt.Sprintf("max_over_time(ALERTS{%s}[%ds])", strings.Join(sel, ","), int(d.Seconds())+1)
	var res struct {
		Result []struct{} `json:"result"`
	}
	if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
		return false, err
	}
	return len(res.Result) > 0, nil
}

// firingDelivered lists the paths a firing notification of x reached in [from, to): a
// resolved one for an alert that was muted is no page (Alertmanager sends it when the group
// was notified before, even weeks ago: its notification log outlives the fault).
func (e *env) firingDelivered(ctx context.Context, x expect, from, to time.Time) ([]string, error) {
	u := stacktest.BaseURL(e.st, stack.Webhook) + "/notifications?alertname=" + url.QueryEscape(x.alert.Name) +
		"&since=" + url.QueryEscape(from.UTC().Format(time.RFC3339Nano))
	var all []stacktest.Notification
	if err := stacktest.GetJSON(ctx, u, &all); err != nil {
		return nil, err
	}
	var paths []string
	for _, n := range all {
		if !n.ReceivedAt.Before(to) {
			continue
		}
		for _, a := range n.Message.Alerts {
			if a.Status == "firing" && subset(x.labels, a.Labels) && !slices.Contains(paths, n.Path) {
				paths = append(paths, n.Path)
			}
		}
	}
	return paths, nil
}

// run injects f, checks what it raises and mutes, undoes it and checks the resolutions.
// undone is called once the fault is undone and what it broke is back, while its
// resolutions may still be on their way.
func (e *env) run(tt *testing.T, lane string, f faultCase, p plan, undone func()) {
	t := faultT{T: tt, e: e}
	ctx := context.Background()
	fires, muted, never := p.fires, p.muted, p.never
	// A clean start: none of its alerts active from an earlier fault (a group still open would
	// send a new firing only with its next flush, not after group_wait).
	for _, x := range slices.Concat(fires, muted, f.late) {
		err := stacktest.Eventually(ctx, 10*time.Minute, 5*time.Second, func(ctx context.Context) error {
			as, err := e.amAlerts(ctx, x)
			if err != nil {
				return err
			}
			if len(as) > 0 {
				return fmt.Errorf("%s is still active in Alertmanager from before", x)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
	}

	if f.setup != nil {
		teardown, err := f.setup(ctx, e)
		if err != nil {
			t.Fatalf("set up %s: %v", f.name, err)
		}
		t.Cleanup(func() {
			if err := teardown(ctx); err != nil {
				t.Errorf("tear down %s: %v", f.name, err)
			}
		})
	}
	if f.ready != nil {
		if err := f.ready(ctx, e); err != nil {
			t.Fatalf("ready %s: %v", f.name, err)
		}
	}
	undo, err := f.inject(ctx, e)
	if err != nil {
		t.Fatalf("inject %s: %v", f.name, err)
	}
	// The clock starts once the fault is in effect: a process stopped gracefully lives (and
	// is scraped up) until it has drained, a minute when a broker is cut off beside it.
	t0 := time.Now()
	isUndone := false
	defer func() {
		if !isUndone {
			if err := undo(ctx); err != nil {
				t.Errorf("undo %s: %v", f.name, err)
			}
		}
	}()
	t.Logf("%s: injected at %s", f.name, t0.Format(time.TimeOnly))

	type fired struct {
		x       expect
		fp      string
		d       stacktest.Delivery
		after   time.Duration
		bound   time.Duration
		via     string
		receive string
		labels  map[string]string
	}
	results := make([]fired, len(fires))
	// Alerts of one name raised by one fault share an Alertmanager group (the route groups by
	// alertname, job and cluster): one that reaches Alertmanager after the group's first flush
	// waits for the next, a group interval later (two brokers killed at once are scraped down
	// up to a scrape and an evaluation apart).
	shared := map[string]int{}
	for _, x := range fires {
		shared[x.alert.Name]++
	}
	var wg sync.WaitGroup
	errs := make([]error, len(fires)+len(muted))
	for i, x := range fires {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := e.rt.Expect(t, withStatic(x))
			bound := e.firingBound(f, x, d, true)
			var a amAlert
			err := stacktest.Eventually(ctx, bound, time.Second, func(ctx context.Context) error {
				as, err := e.amAlerts(ctx, x)
				if err != nil {
					return err
				}
				for _, c := range as {
					if c.Status.State == "active" {
						a = c
						return nil
					}
					if len(c.Status.InhibitedBy) > 0 {
						return fmt.Errorf("%s is inhibited (by %v): it must page", x, c.Status.InhibitedBy)
					}
				}
				return fmt.Errorf("%s is not active in Alertmanager; Prometheus: %s", x, stacktest.PromAlerts(ctx, e.st))
			})
			if err != nil {
				errs[i] = err
				return
			}
			open := e.groupOpen(a.Labels)
			bound = e.firingBound(f, x, d, open || shared[x.alert.Name] > 1)
			// Wait a group interval past the bound, to say how late a late one is.
			at := waitDelivered(t.T, e, x, a.Fingerprint, "firing", t0, d, bound+d.GroupInterval-time.Since(t0))
			switch {
			case at.IsZero():
				errs[i] = fmt.Errorf("%s: not delivered within %s of the fault (group open before: %v)", x, (bound + d.GroupInterval).Round(time.Second), open)
				return
			case at.Sub(t0) > bound:
				errs[i] = fmt.Errorf("%s: delivered %s after the fault, past its bound %s (group open before: %v)", x, at.Sub(t0).Round(time.Second), bound.Round(time.Second), open)
				return
			}
			e.groupSent(a.Labels)
			via := "group wait"
			switch {
			case open:
				via = "group interval"
			case shared[x.alert.Name] > 1:
				via = "group shared, its interval"
			}
			results[i] = fired{x: x, fp: a.Fingerprint, d: d, after: at.Sub(t0), bound: bound, via: via, labels: a.Labels, receive: strings.Join(stacktest.Keys(d.Paths), ",")}
		}()
	}
	for j, x := range muted {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := e.rt.Expect(t, withStatic(x))
			bound := e.firingBound(f, x, d, false)
			err := stacktest.Eventually(ctx, bound, time.Second, func(ctx context.Context) error {
				as, err := e.amAlerts(ctx, x)
				if err != nil {
					return err
				}
				for _, c := range as {
					if len(c.Status.InhibitedBy) > 0 {
						return nil
					}
					return fmt.Errorf("%s is %s, not inhibited", x, c.Status.State)
				}
				return fmt.Errorf("%s is not in Alertmanager yet (it must fire, and be muted)", x)
			})
			errs[len(fires)+j] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	for _, x := range muted {
		got, err := e.firingDelivered(ctx, x, t0, time.Now())
		if err != nil {
			t.Error(err)
		} else if len(got) > 0 {
			t.Errorf("%s: %s is inhibited, yet was delivered to %v", f.name, x, got)
		}
	}
	for _, x := range f.late {
		d := e.rt.Expect(t, withStatic(x))
		bound := e.firingBound(f, x, d, false) - d.GroupWait
		err := stacktest.Eventually(ctx, bound, time.Second, func(ctx context.Context) error {
			if firing, err := e.promFiring(ctx, x, time.Since(t0)); err != nil || !firing {
				return fmt.Errorf("%s is not firing in Prometheus within %s (%v)", x, bound.Round(time.Second), err)
			}
			return nil
		})
		if err != nil {
			t.Errorf("%s: %v", f.name, err)
		} else if got, err := e.firingDelivered(ctx, x, t0, time.Now()); err != nil || len(got) > 0 {
			t.Errorf("%s: %s was delivered to %v during the fault (%v); the fault is in its path", f.name, x, got, err)
		}
	}
	if f.during != nil && !t.Failed() {
		if err := f.during(ctx, e, t0); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	held := time.Since(t0)
	for _, x := range never {
		firing, err := e.promFiring(ctx, x, held)
		if err != nil {
			t.Error(err)
		} else if firing {
			t.Errorf("%s: %s fired in Prometheus during the fault (%s); it must not", f.name, x, held.Round(time.Second))
		}
	}
	if t.Failed() {
		return
	}

	tu := time.Now()
	isUndone = true
	if err := undo(ctx); err != nil {
		t.Fatalf("undo %s: %v", f.name, err)
	}
	restored := time.Since(tu)
	for _, r := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !r.d.SendResolved {
				e.report(fmt.Sprintf("%-36s %-58s %-10s delivered %4.0fs  resolved: not sent by this receiver", f.name, r.x, r.receive, r.after.Seconds()))
				return
			}
			bound := restored + 2*e.scrape + e.eval + r.d.GroupInterval + 10*time.Second + f.settle
			at := waitDelivered(t.T, e, r.x, r.fp, "resolved", tu, r.d, bound)
			if at.IsZero() {
				t.Errorf("%s: the resolution of %s was not delivered within %s of the undo", f.name, r.x, bound.Round(time.Second))
				return
			}
			e.groupSent(r.labels)
			e.report(fmt.Sprintf("%-36s %-58s %-10s delivered %4.0fs (bound %4.0fs, %s)  resolved %4.0fs", f.name, r.x, r.receive, r.after.Seconds(), r.bound.Seconds(), r.via, at.Sub(tu).Seconds()))
		}()
	}
	for _, x := range f.late {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := e.rt.Expect(t, withStatic(x))
			// The undo waited for it: delivered by now, after the undo began.
			at, fp := e.deliveredFiring(ctx, t.T, x, tu, d)
			if at.IsZero() {
				t.Errorf("%s: %s was not delivered to %v once the fault was undone", f.name, x, stacktest.Keys(d.Paths))
				return
			}
			bound := restored + 2*e.scrape + e.eval + d.GroupInterval + 10*time.Second + f.settle
			rat := waitDelivered(t.T, e, x, fp, "resolved", tu, d, bound)
			if rat.IsZero() {
				t.Errorf("%s: the resolution of %s was not delivered within %s of the undo", f.name, x, bound.Round(time.Second))
				return
			}
			e.report(fmt.Sprintf("%-36s %-58s %-10s held back, delivered %4.0fs after the undo (fault %4.0fs)  resolved %4.0fs",
				f.name, x, strings.Join(stacktest.Keys(d.Paths), ","), at.Sub(tu).Seconds(), tu.Sub(t0).Seconds(), rat.Sub(tu).Seconds()))
		}()
	}
	// What must come back, while the resolutions are on their way; then the lane may go on.
	if f.recovered != nil {
		if err := f.recovered(ctx, e, tu); err != nil {
			t.Errorf("%s: %v", f.name, err)
		}
	}
	undone()
	wg.Wait()
	// Muted while its source fired, that is until the undo. A target that outlives its source
	// (partitions still catching up once the failed disk is back) is delivered after it, as
	// Alertmanager should: said in the line, not a failure.
	for _, x := range muted {
		during, err := e.firingDelivered(ctx, x, t0, tu)
		if err != nil {
			t.Error(err)
		} else if len(during) > 0 {
			t.Errorf("%s: %s was muted during the fault, yet was delivered to %v", f.name, x, during)
		}
		line := "muted (inhibited, not delivered)"
		if after, err := e.firingDelivered(ctx, x, tu, time.Now()); err == nil && len(after) > 0 {
			line = fmt.Sprintf("muted while the fault lasted; it outlived its source: delivered to %v after the undo", after)
		}
		e.report(fmt.Sprintf("%-36s %-58s %-10s %s", f.name, x, "-", line))
	}
	for _, x := range never {
		e.report(fmt.Sprintf("%-36s %-58s %-10s never fired in %.0fs", f.name, x, "-", held.Seconds()))
	}
	if !t.Failed() {
		e.mu.Lock()
		e.held = append(e.held, heldFault{lane: lane, fault: f.name, from: t0, to: tu})
		e.mu.Unlock()
	}
}

// plan is what a fault watches: its own lists, or those it finds on the stack (resolve).
type plan struct{ fires, muted, late, never []expect }

func (e *env) plan(ctx context.Context, f faultCase) (plan, error) {
	p := plan{f.fires, f.muted, f.late, f.never}
	if f.resolve != nil {
		var err error
		if p.fires, p.muted, p.never, err = f.resolve(ctx, e); err != nil {
			return p, fmt.Errorf("%s: %w", f.name, err)
		}
	}
	return p, nil
}

// withStatic adds the labels every alert of x carries (severity, component, cluster) for
// the routing tree.
func withStatic(x expect) map[string]string {
	l := map[string]string{"alertname": x.alert.Name, "severity": string(x.alert.Severity()), "cluster": "finobs-local"}
	if c, ok := componentOf[x.alert.Name]; ok {
		l["component"] = c
	}
	for k, v := range x.labels {
		l[k] = v
	}
	return l
}

// waitDelivered is stacktest.WaitDelivered without failing the test on a timeout: it
// returns the zero time instead, so that the caller reports the bound it missed.
func waitDelivered(t *testing.T, e *env, x expect, fp, status string, since time.Time, d stacktest.Delivery, timeout time.Duration) time.Time {
	if timeout <= 0 {
		timeout = time.Second
	}
	var at time.Time
	u := stacktest.BaseURL(e.st, stack.Webhook) + "/notifications?alertname=" + url.QueryEscape(x.alert.Name) +
		"&since=" + url.QueryEscape(since.Add(-time.Second).UTC().Format(time.RFC3339Nano))
	err := stacktest.Eventually(context.Background(), timeout, time.Second, func(ctx context.Context) error {
		var all []stacktest.Notification
		if err := stacktest.GetJSON(ctx, u, &all); err != nil {
			return err
		}
		for _, n := range all {
			for _, a := range n.Message.Alerts {
				if a.Fingerprint != fp || a.Status != status {
					continue
				}
				if _, ok := d.Paths[n.Path]; !ok {
					t.Errorf("%s (%s) was delivered to %s (receiver %s); the routing tree says only %v", x, status, n.Path, n.Message.Receiver, stacktest.Keys(d.Paths))
					continue
				}
				at = n.ReceivedAt
				return nil
			}
		}
		return fmt.Errorf("no %s notification of %s yet", status, x)
	})
	if err != nil {
		return time.Time{}
	}
	return at
}

// deliveredFiring finds the first firing notification of x since t at one of d's paths,
// failing the test for any other path; zero when there is none.
func (e *env) deliveredFiring(ctx context.Context, t *testing.T, x expect, since time.Time, d stacktest.Delivery) (time.Time, string) {
	u := stacktest.BaseURL(e.st, stack.Webhook) + "/notifications?alertname=" + url.QueryEscape(x.alert.Name) +
		"&since=" + url.QueryEscape(since.UTC().Format(time.RFC3339Nano))
	var all []stacktest.Notification
	if err := stacktest.GetJSON(ctx, u, &all); err != nil {
		t.Error(err)
		return time.Time{}, ""
	}
	for _, n := range all {
		for _, a := range n.Message.Alerts {
			if a.Status != "firing" || !subset(x.labels, a.Labels) {
				continue
			}
			if _, ok := d.Paths[n.Path]; !ok {
				t.Errorf("%s was delivered to %s; the routing tree says only %v", x, n.Path, stacktest.Keys(d.Paths))
				continue
			}
			return n.ReceivedAt, a.Fingerprint
		}
	}
	return time.Time{}, ""
}
