package faults

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/internal/fault"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// injector is what a faultCase's inject is.
type injector = func(context.Context, *env) (func(context.Context) error, error)

// deliveryLane holds Alertmanager cut off from Prometheus: it stops the delivery of every
// alert, so the lane runs alone, before the others start. It is paired with a broker killed,
// so that something pages while the path is cut: the page must come out once the path is
// back, not be lost.
func deliveryLane() []faultCase {
	page3 := on(alerts.KafkaBrokerDown, "instance", "kafka-broker-3")
	return []faultCase{
		{name: amStopped, alone: true,
			ready: inSync, inject: heldBack(pause("alertmanager"), kill("kafka-broker-3"), page3),
			late: []expect{page3}, during: alertmanagerUnreachable, recovered: heartbeatsResume(amStopped)},
	}
}

const (
	amStopped       = "alertmanager stopped, a broker down"
	heartbeatCutOff = "heartbeat receiver unreachable"
)

// receiverLane holds a receiver unreachable from Alertmanager: the dead man's switch, whose
// notifications go out every minute, so that Alertmanager counts them failed within one
// (it counts a notification failed once it retried it for its route's group interval).
// Only that receiver's deliveries stop: it runs beside the other lanes. The failure pages
// through the paging receiver; the heartbeats resume once the receiver is back.
func receiverLane() []faultCase {
	heartbeat := routeTo(alerts.HeartbeatReceiver)
	return []faultCase{
		{name: heartbeatCutOff, inject: dropReceiver(alerts.HeartbeatReceiver),
			// The next heartbeat is due within a repeat interval; it fails after its retries
			// (a group interval), and a scrape of Alertmanager sees the counter.
			onset:  alerts.HeartbeatRepeat + heartbeat.GroupInterval + 10*time.Second,
			fires:  []expect{on(alerts.AlertmanagerNotificationsFailing, "receiver_name", alerts.HeartbeatReceiver, "integration", "webhook")},
			during: heartbeatsStopped, recovered: heartbeatsResume(heartbeatCutOff),
			// The failures stay in the rate's window that long after the last one.
			settle: signal.DefaultWindow},
	}
}

// routeTo is the first child route of the routing tree sending to receiver.
func routeTo(receiver string) (r struct{ GroupWait, GroupInterval time.Duration }) {
	for _, c := range alerts.Routing.Route.Routes {
		if c.Receiver == receiver {
			r.GroupWait, r.GroupInterval = c.GroupWait, c.GroupInterval
			return r
		}
	}
	panic("no route to " + receiver)
}

// dropReceiver cuts Alertmanager off from one receiver: its port of the webhook drops every
// packet, as a PagerDuty outage or a firewall would; the other receivers and the webhook's
// API (where the test reads deliveries) stay reachable.
func dropReceiver(receiver string) injector {
	return func(ctx context.Context, e *env) (func(context.Context) error, error) {
		port := e.st.One(stack.Webhook).Port(stack.PortReceiver + receiver)
		if port == 0 {
			return nil, fmt.Errorf("the webhook has no port for receiver %s in the topology", receiver)
		}
		undo, err := fault.DropPort(port)
		if err != nil {
			return nil, err
		}
		return func(context.Context) error { return undo() }, nil
	}
}

// heldBackWait bounds how long after the path is back a held alert may take to reach its
// receiver: Prometheus resends what fires every minute, Alertmanager retries a failed
// group with a backoff and flushes it every group interval (a minute for pages), and a
// connection whose SYNs were dropped is retried by the kernel up to half a minute later.
const heldBackWait = 3 * time.Minute

// heldBack injects cut (a fault in the delivery path) and then cause (a fault that raises
// held). Its undo restores the path first and waits until each held alert was delivered,
// and only then undoes the cause: an alert that resolves before a retry gets through is
// never sent at all (Alertmanager sends no resolution of what it never notified), which is
// what the fault is about, not what a user should see on a path that came back.
func heldBack(cut, cause injector, held ...expect) injector {
	return func(ctx context.Context, e *env) (func(context.Context) error, error) {
		undoCut, err := cut(ctx, e)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		undoCause, err := cause(ctx, e)
		if err != nil {
			return nil, errors.Join(err, undoCut(ctx))
		}
		return func(ctx context.Context) error {
			if err := undoCut(ctx); err != nil {
				return errors.Join(err, undoCause(ctx))
			}
			var errs []error
			for _, x := range held {
				errs = append(errs, stacktest.Eventually(ctx, heldBackWait, time.Second, func(ctx context.Context) error {
					got, err := e.firingDelivered(ctx, x, t0, time.Now())
					if err != nil {
						return err
					}
					if len(got) > 0 {
						return nil
					}
					return fmt.Errorf("%s not delivered yet since the path came back", x)
				}))
			}
			return errors.Join(append(errs, undoCause(ctx))...)
		}, nil
	}
}

// heartbeat is the webhook's GET /heartbeat: the last Watchdog notification at the
// heartbeat receiver, as a dead man's switch would see it.
type heartbeat struct {
	Last       time.Time `json:"last"`
	AgeSeconds float64   `json:"age_seconds"`
}

func (e *env) heartbeat(ctx context.Context) (heartbeat, error) {
	var hb heartbeat
	err := stacktest.GetJSON(ctx, stacktest.BaseURL(e.st, stack.Webhook)+"/heartbeat", &hb)
	return hb, err
}

// heartbeatGap is how long without a heartbeat proves they stopped: one is due every
// repeat interval, up to a group interval late; a little more for the HTTP hops.
const heartbeatGap = alerts.HeartbeatRepeat + alerts.HeartbeatGroupInterval + 20*time.Second

// alertmanagerUnreachable checks what Alertmanager stopped does, and holds the fault until
// it has: the heartbeats stop at the heartbeat receiver, Prometheus counts failed sends, and
// PrometheusNotificationsFailing is pending (or firing) in Prometheus.
func alertmanagerUnreachable(ctx context.Context, e *env, t0 time.Time) error {
	var hb heartbeat
	err := stacktest.Eventually(ctx, heartbeatGap+time.Minute, 2*time.Second, func(ctx context.Context) error {
		var err error
		if hb, err = e.heartbeat(ctx); err != nil {
			return err
		}
		if age := time.Since(hb.Last); age < heartbeatGap {
			return fmt.Errorf("the last heartbeat is %s old, not %s", age.Round(time.Second), heartbeatGap)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("heartbeats went on with Alertmanager stopped: %w", err)
	}
	// One may have been on its way when the process stopped, no more.
	if hb.Last.After(t0.Add(5 * time.Second)) {
		return fmt.Errorf("a heartbeat arrived at %s, %s after Alertmanager stopped", hb.Last.Format(time.TimeOnly), hb.Last.Sub(t0).Round(time.Second))
	}
	failed := 0.0
	err = stacktest.Eventually(ctx, time.Minute, 2*time.Second, func(ctx context.Context) error {
		var res struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		}
		q := fmt.Sprintf(`sum(increase(prometheus_notifications_errors_total[%ds]))`, int(time.Since(t0).Seconds()))
		if err := stacktest.PromAPI(ctx, e.st, "/api/v1/query", url.Values{"query": {q}}, &res); err != nil {
			return err
		}
		if len(res.Result) == 1 {
			fmt.Sscan(fmt.Sprint(res.Result[0].Value[1]), &failed)
		}
		if failed <= 0 {
			return fmt.Errorf("%s: no failed sends counted", q)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("Prometheus counted no failed sends to a stopped Alertmanager: %w", err)
	}
	var state string
	err = stacktest.Eventually(ctx, 2*time.Minute, 2*time.Second, func(ctx context.Context) error {
		var pa struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		}
		if err := stacktest.PromAPI(ctx, e.st, "/api/v1/alerts", nil, &pa); err != nil {
			return err
		}
		for _, a := range pa.Alerts {
			if a.Labels["alertname"] == alerts.PrometheusNotificationsFailing.Name {
				state = a.State
				return nil
			}
		}
		return fmt.Errorf("%s is neither pending nor firing in Prometheus", alerts.PrometheusNotificationsFailing.Name)
	})
	if err != nil {
		return err
	}
	e.report(fmt.Sprintf("%-36s %-58s %-10s no heartbeat for %4.0fs (last %4.0fs before the fault); %.0f failed sends; %s %s after %.0fs",
		amStopped, alerts.Watchdog.Name, alerts.HeartbeatReceiver, time.Since(hb.Last).Seconds(), t0.Sub(hb.Last).Seconds(),
		failed, alerts.PrometheusNotificationsFailing.Name, state, time.Since(t0).Seconds()))
	return nil
}

// heartbeatsResume checks that the heartbeats come back once the path does: the group's
// flush is overdue (one at once), Alertmanager retries, or Prometheus resends the Watchdog
// within a minute.
func heartbeatsResume(fault string) func(ctx context.Context, e *env, tu time.Time) error {
	return func(ctx context.Context, e *env, tu time.Time) error {
		bound := alerts.HeartbeatGroupInterval + time.Minute + 20*time.Second
		var hb heartbeat
		err := stacktest.Eventually(ctx, bound, time.Second, func(ctx context.Context) error {
			var err error
			if hb, err = e.heartbeat(ctx); err != nil {
				return err
			}
			if !hb.Last.After(tu) {
				return fmt.Errorf("no heartbeat since the undo (last %s)", hb.Last.Format(time.TimeOnly))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("heartbeats did not resume within %s of the undo: %w", bound, err)
		}
		e.report(fmt.Sprintf("%-36s %-58s %-10s heartbeat resumed %4.0fs after the undo (bound %4.0fs)",
			fault, alerts.Watchdog.Name, alerts.HeartbeatReceiver, hb.Last.Sub(tu).Seconds(), bound.Seconds()))
		return nil
	}
}

// heartbeatsStopped checks that the dead man's switch got no heartbeat while its port was
// cut: none after the one that may have been on its way at the cut.
func heartbeatsStopped(ctx context.Context, e *env, t0 time.Time) error {
	hb, err := e.heartbeat(ctx)
	if err != nil {
		return err
	}
	if hb.Last.After(t0.Add(5 * time.Second)) {
		return fmt.Errorf("a heartbeat reached the receiver at %s, %s after its port was cut", hb.Last.Format(time.TimeOnly), hb.Last.Sub(t0).Round(time.Second))
	}
	e.report(fmt.Sprintf("%-36s %-58s %-10s no heartbeat for %4.0fs (last %4.0fs before the fault)",
		heartbeatCutOff, alerts.Watchdog.Name, alerts.HeartbeatReceiver, time.Since(hb.Last).Seconds(), t0.Sub(hb.Last).Seconds()))
	return nil
}
