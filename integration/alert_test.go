package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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

	"github.com/finobs/finobs/internal/stacktest"
	"github.com/finobs/finobs/internal/topology"
)

// amAlert is an alert as Alertmanager's API v2 lists it.
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	StartsAt    time.Time         `json:"startsAt"`
	Status      struct {
		State string `json:"state"`
	} `json:"status"`
}

// notification is what the webhook receiver recorded (cmd/webhook).
type notification struct {
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

// routing is the Alertmanager configuration the stack runs, read by Alertmanager's own code:
// where an alert goes is computed by dispatch.Route, the tree Alertmanager walks.
type routing struct {
	cfg  *amconfig.Config
	tree *dispatch.Route
}

func loadRouting(t *testing.T) routing {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "deploy", "local", "alertmanager.yml")
	cfg, err := amconfig.LoadFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	return routing{cfg: cfg, tree: dispatch.NewRoute(cfg.Route, nil)}
}

// expect is where an alert with these labels must be delivered: the webhook paths of the
// receivers its route reaches, and how long Alertmanager may wait before it sends.
func (r routing) expect(t *testing.T, labels map[string]string) (paths map[string]string, wait time.Duration) {
	t.Helper()
	ls := model.LabelSet{}
	for k, v := range labels {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	paths = map[string]string{}
	for _, rt := range r.tree.Match(ls) {
		wait = max(wait, rt.RouteOpts.GroupWait+rt.RouteOpts.GroupInterval)
		for _, rcv := range r.cfg.Receivers {
			if rcv.Name != rt.RouteOpts.Receiver {
				continue
			}
			for _, wh := range rcv.WebhookConfigs {
				u, err := url.Parse(string(wh.URL))
				if err != nil {
					t.Fatalf("receiver %s: webhook url: %v", rcv.Name, err)
				}
				paths[u.Path] = rcv.Name
			}
		}
	}
	if len(paths) == 0 {
		t.Fatalf("the routing tree sends %v to no webhook receiver", labels)
	}
	return paths, wait
}

// waitDelivered waits until the webhook recorded alert fp (firing) at one of paths, no
// earlier than since (the start of this firing: the file keeps older sessions' deliveries),
// and checks that it reached no other path.
func waitDelivered(t *testing.T, st topology.Stack, alertname, fp string, since time.Time, paths map[string]string, timeout time.Duration) {
	t.Helper()
	u := baseURL(st, topology.Webhook) + "/notifications?alertname=" + url.QueryEscape(alertname) +
		"&since=" + url.QueryEscape(since.Add(-time.Second).UTC().Format(time.RFC3339Nano))
	var got []notification
	err := eventually(context.Background(), timeout, 2*time.Second, func(ctx context.Context) error {
		got = nil
		var all []notification
		if err := getJSON(ctx, u, &all); err != nil {
			return err
		}
		for _, n := range all {
			for _, a := range n.Message.Alerts {
				if a.Fingerprint == fp && a.Status == "firing" {
					got = append(got, n)
					break
				}
			}
		}
		for _, n := range got {
			if _, ok := paths[n.Path]; ok {
				return nil
			}
		}
		return fmt.Errorf("no firing notification of %s (fingerprint %s) at %v yet", alertname, fp, keys(paths))
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range got {
		if _, ok := paths[n.Path]; !ok {
			t.Errorf("%s was also delivered to %s (receiver %s); the routing tree says only %v", alertname, n.Path, n.Message.Receiver, keys(paths))
		}
	}
	t.Logf("%s (fingerprint %s) delivered to %v", alertname, fp, keys(paths))
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestPrometheusAlertReachesReceiver makes a real rule fire in the real Prometheus and
// follows it through the real Alertmanager to the webhook the routing tree names.
//
// The rule is TargetDown (up == 0 for 2m): on the stack that `make test` starts, the
// producer and stream-driver targets are declared in the topology but not run by the stack,
// so their scrapes fail from the first minute. When they run (someone works on the shared
// stack), any other alert that fires serves as well.
func TestPrometheusAlertReachesReceiver(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	rt := loadRouting(t)
	am := baseURL(st, topology.Alertmanager)

	// Wait for alerts that Prometheus sent; take TargetDown if it is among them, else the one
	// whose route sends soonest (an info route waits minutes before its first notification).
	var chosen amAlert
	var paths map[string]string
	var wait time.Duration
	start := time.Now()
	lastLog := start
	err := eventually(context.Background(), 5*time.Minute, 5*time.Second, func(ctx context.Context) error {
		var as []amAlert
		if err := getJSON(ctx, am+"/api/v2/alerts?active=true&silenced=false&inhibited=false", &as); err != nil {
			return err
		}
		var cands []amAlert
		for _, a := range as {
			if a.Labels["alertname"] != probeAlert && a.Status.State == "active" {
				cands = append(cands, a)
			}
		}
		// TargetDown first, then the quickest route, then the oldest (likeliest sent already).
		rank := func(a amAlert) (bool, time.Duration, time.Time) {
			_, w := rt.expect(t, a.Labels)
			return a.Labels["alertname"] != "TargetDown", w, a.StartsAt
		}
		sort.SliceStable(cands, func(i, j int) bool {
			ti, wi, si := rank(cands[i])
			tj, wj, sj := rank(cands[j])
			if ti != tj {
				return !ti
			}
			if wi != wj {
				return wi < wj
			}
			return si.Before(sj)
		})
		if len(cands) > 0 {
			chosen = cands[0]
			paths, wait = rt.expect(t, chosen.Labels)
			return nil
		}
		if time.Since(lastLog) > 30*time.Second {
			lastLog = time.Now()
			t.Logf("waiting %s for a firing alert; Prometheus has: %s", time.Since(start).Round(time.Second), promAlerts(ctx, st))
		}
		return fmt.Errorf("no alert from Prometheus is active in Alertmanager; Prometheus has: %s", promAlerts(ctx, st))
	})
	if err != nil {
		t.Fatal(err)
	}
	name := chosen.Labels["alertname"]
	t.Logf("firing: %s %v (after %s)", name, chosen.Labels, time.Since(start).Round(time.Second))

	// It must be Prometheus' alert: firing there with the same labels.
	var pa struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := promAPI(context.Background(), st, "/api/v1/alerts", nil, &pa); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range pa.Alerts {
		if a.State == "firing" && a.Labels["alertname"] == name && subset(a.Labels, chosen.Labels) {
			found = true
		}
	}
	if !found {
		t.Fatalf("%s %v is active in Alertmanager but not firing in Prometheus", name, chosen.Labels)
	}

	// A new group is sent after group_wait; an alert joining a group already sent goes out
	// with the group's next flush, one group_interval later at most.
	waitDelivered(t, st, name, chosen.Fingerprint, chosen.StartsAt, paths, min(wait+30*time.Second, 4*time.Minute))
}

// probeAlert is the synthetic alert of TestPagingRoute.
const probeAlert = "FinobsIntegrationProbe"

// TestPagingRoute posts a short-lived critical alert straight to Alertmanager and checks
// that it pages. It complements the test above (whose alert is a warning): it proves the
// paging receiver's webhook, not the rules.
func TestPagingRoute(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	rt := loadRouting(t)
	am := baseURL(st, topology.Alertmanager)
	// A component of its own puts the probe in a new group (the tree groups by cluster,
	// component, alertname): sent after group_wait, not with an older group's next flush.
	run := time.Now().UnixNano()
	labels := map[string]string{
		"alertname": probeAlert, "severity": "critical", "component": fmt.Sprintf("integration-%d", run),
		"cluster": "finobs-local", "instance": fmt.Sprintf("probe-%d", run),
	}
	body, _ := json.Marshal([]map[string]any{{
		"labels":      labels,
		"annotations": map[string]string{"summary": "integration test probe of the paging route"},
		"startsAt":    time.Now().UTC().Format(time.RFC3339),
		"endsAt":      time.Now().Add(2 * time.Minute).UTC().Format(time.RFC3339),
	}})
	resp, err := client.Post(am+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s/api/v2/alerts: %s", am, resp.Status)
	}
	var fp string
	var since time.Time
	err = eventually(context.Background(), 30*time.Second, time.Second, func(ctx context.Context) error {
		var as []amAlert
		if err := getJSON(ctx, am+"/api/v2/alerts?filter="+url.QueryEscape(`instance="`+labels["instance"]+`"`), &as); err != nil {
			return err
		}
		if len(as) != 1 {
			return fmt.Errorf("Alertmanager lists %d probe alerts", len(as))
		}
		fp, since = as[0].Fingerprint, as[0].StartsAt
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	paths, wait := rt.expect(t, labels)
	if _, ok := paths["/paging"]; !ok {
		t.Errorf("the routing tree sends a critical alert to %v, not to /paging", keys(paths))
	}
	waitDelivered(t, st, probeAlert, fp, since, paths, wait+30*time.Second)
}

func subset(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// promAlerts summarizes Prometheus' pending and firing alerts for a log line.
func promAlerts(ctx context.Context, st topology.Stack) string {
	var pa struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := promAPI(ctx, st, "/api/v1/alerts", nil, &pa); err != nil {
		return err.Error()
	}
	var out []string
	for _, a := range pa.Alerts {
		out = append(out, fmt.Sprintf("%s{instance=%q} %s", a.Labels["alertname"], a.Labels["instance"], a.State))
	}
	if len(out) == 0 {
		return "no alerts"
	}
	return strings.Join(out, ", ")
}
