package stacktest

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/pkg/stack"
)

// AMAlert is an alert as Alertmanager's API v2 lists it.
type AMAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	StartsAt    time.Time         `json:"startsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// Notification is what the webhook receiver recorded (cmd/webhook).
type Notification struct {
	ReceivedAt time.Time `json:"received_at"`
	Path       string    `json:"path"`
	Message    struct {
		Receiver string `json:"receiver"`
		Status   string `json:"status"`
		Alerts   []struct {
			Status      string            `json:"status"`
			Labels      map[string]string `json:"labels"`
			Fingerprint string            `json:"fingerprint"`
		} `json:"alerts"`
	} `json:"message"`
}

// Routing is the Alertmanager configuration the local stack runs, read by Alertmanager's
// own code: where an alert goes is computed by dispatch.Route, the tree Alertmanager walks.
type Routing struct {
	cfg  *amconfig.Config
	tree *dispatch.Route
}

// LoadRouting reads deploy/local/alertmanager.yml.
func LoadRouting(t testing.TB) Routing {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "deploy", "local", "alertmanager.yml")
	cfg, err := amconfig.LoadFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return Routing{cfg: cfg, tree: dispatch.NewRoute(cfg.Route, nil)}
}

// Delivery is where an alert with some labels must be delivered.
type Delivery struct {
	Paths         map[string]string // webhook path -> receiver name, of every receiver its routes reach
	Wait          time.Duration     // how long Alertmanager may wait before it sends: group_wait + group_interval
	GroupWait     time.Duration     // before a new group's first notification
	GroupInterval time.Duration     // between a group's notifications (a resolution goes out with the next)
	SendResolved  bool              // whether every one of those receivers sends the resolution too
}

// Expect is where an alert with these labels must be delivered.
func (r Routing) Expect(t testing.TB, labels map[string]string) Delivery {
	t.Helper()
	ls := model.LabelSet{}
	for k, v := range labels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	d := Delivery{Paths: map[string]string{}, SendResolved: true}
	for _, rt := range r.tree.Match(ls) {
		d.Wait = max(d.Wait, rt.RouteOpts.GroupWait+rt.RouteOpts.GroupInterval)
		d.GroupWait = max(d.GroupWait, rt.RouteOpts.GroupWait)
		d.GroupInterval = max(d.GroupInterval, rt.RouteOpts.GroupInterval)
		for _, rcv := range r.cfg.Receivers {
			if rcv.Name != rt.RouteOpts.Receiver {
				continue
			}
			for _, wh := range rcv.WebhookConfigs {
				u, err := url.Parse(string(wh.URL))
				if err != nil {
					t.Fatalf("receiver %s: webhook url: %v", rcv.Name, err)
				}
				d.Paths[u.Path] = rcv.Name
				d.SendResolved = d.SendResolved && wh.SendResolved()
			}
		}
	}
	if len(d.Paths) == 0 {
		t.Fatalf("the routing tree sends %v to no webhook receiver", labels)
	}
	return d
}

// WaitDelivered waits until the webhook recorded alert fp with status ("firing" or
// "resolved") at one of d's paths, no earlier than since (the file keeps older sessions'
// deliveries), checks that it reached no other path, and returns when it was received.
func WaitDelivered(t testing.TB, st stack.Stack, alertname, fp, status string, since time.Time, d Delivery, timeout time.Duration) time.Time {
	t.Helper()
	u := BaseURL(st, stack.Webhook) + "/notifications?alertname=" + url.QueryEscape(alertname) +
		"&since=" + url.QueryEscape(since.Add(-time.Second).UTC().Format(time.RFC3339Nano))
	var got []Notification
	var at time.Time
	err := Eventually(context.Background(), timeout, 2*time.Second, func(ctx context.Context) error {
		got = nil
		var all []Notification
		if err := GetJSON(ctx, u, &all); err != nil {
			return err
		}
		for _, n := range all {
			for _, a := range n.Message.Alerts {
				if a.Fingerprint == fp && a.Status == status {
					got = append(got, n)
					break
				}
			}
		}
		for _, n := range got {
			if _, ok := d.Paths[n.Path]; ok {
				at = n.ReceivedAt
				return nil
			}
		}
		return fmt.Errorf("no %s notification of %s (fingerprint %s) at %v yet", status, alertname, fp, Keys(d.Paths))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range got {
		if _, ok := d.Paths[n.Path]; !ok {
			t.Errorf("%s (%s) was also delivered to %s (receiver %s); the routing tree says only %v", alertname, status, n.Path, n.Message.Receiver, Keys(d.Paths))
		}
	}
	t.Logf("%s (fingerprint %s) %s delivered to %v", alertname, fp, status, Keys(d.Paths))
	return at
}

// Keys lists a map's keys, sorted.
func Keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PromAlerts summarizes Prometheus' pending and firing alerts, for a failure message or a
// log line.
func PromAlerts(ctx context.Context, st stack.Stack) string {
	var pa struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := PromAPI(ctx, st, "/api/v1/alerts", nil, &pa); err != nil {
		return err.Error()
	}
	var out []string
	for _, a := range pa.Alerts {
		out = append(out, fmt.Sprintf("%s{instance=%q} %s", a.Labels["alertname"], a.Labels["instance"], a.State))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return "no alerts"
	}
	return strings.Join(out, ", ")
}
