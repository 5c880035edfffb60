package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

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
	rt := stacktest.LoadRouting(t)
	am := stacktest.BaseURL(st, stack.Alertmanager)

	// Wait for alerts that Prometheus sent; take TargetDown if it is among them, else the one
	// whose route sends soonest (an info route waits minutes before its first notification).
	var chosen stacktest.AMAlert
	var delivery stacktest.Delivery
	start := time.Now()
	lastLog := start
	err := stacktest.Eventually(context.Background(), 5*time.Minute, 5*time.Second, func(ctx context.Context) error {
		var as []stacktest.AMAlert
		if err := stacktest.GetJSON(ctx, am+"/api/v2/alerts?active=true&silenced=false&inhibited=false", &as); err != nil {
			return err
		}
		var cands []stacktest.AMAlert
		for _, a := range as {
			if a.Labels["alertname"] != probeAlert && a.Status.State == "active" {
				cands = append(cands, a)
			}
		}
		// TargetDown first, then the quickest route, then the oldest (likeliest sent already).
		// The stream driver's last: TestCrashLoopPages (pipeline/stream/integration, run at the
		// same time) serves a driver on its scraped port, so its TargetDown resolves, fires again
		// into a group already sent, and is muted by the crash loop that test leaves firing.
		rank := func(a stacktest.AMAlert) (bool, bool, time.Duration, time.Time) {
			return a.Labels["alertname"] != "TargetDown", a.Labels["job"] == string(stack.StreamDriver), rt.Expect(t, a.Labels).Wait, a.StartsAt
		}
		sort.SliceStable(cands, func(i, j int) bool {
			ti, di, wi, si := rank(cands[i])
			tj, dj, wj, sj := rank(cands[j])
			if ti != tj {
				return !ti
			}
			if di != dj {
				return !di
			}
			if wi != wj {
				return wi < wj
			}
			return si.Before(sj)
		})
		if len(cands) > 0 {
			chosen = cands[0]
			delivery = rt.Expect(t, chosen.Labels)
			return nil
		}
		if time.Since(lastLog) > 30*time.Second {
			lastLog = time.Now()
			t.Logf("waiting %s for a firing alert; Prometheus has: %s", time.Since(start).Round(time.Second), stacktest.PromAlerts(ctx, st))
		}
		return fmt.Errorf("no alert from Prometheus is active in Alertmanager; Prometheus has: %s", stacktest.PromAlerts(ctx, st))
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
	if err := stacktest.PromAPI(context.Background(), st, "/api/v1/alerts", nil, &pa); err != nil {
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
	// with the group's next flush, one group_interval later at most. Other tests run drivers
	// on the stack's scrape ports, so a TargetDown often joins a group already sent: wait the
	// route's whole bound, not less.
	stacktest.WaitDelivered(t, st, name, chosen.Fingerprint, "firing", chosen.StartsAt, delivery, delivery.Wait+30*time.Second)
}

// probeAlert is the synthetic alert of TestPagingRoute.
const probeAlert = "FinobsIntegrationProbe"

// TestPagingRoute posts a short-lived critical alert straight to Alertmanager and checks
// that it pages. It complements the test above (whose alert is a warning): it proves the
// paging receiver's webhook, not the rules.
func TestPagingRoute(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	rt := stacktest.LoadRouting(t)
	am := stacktest.BaseURL(st, stack.Alertmanager)
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
	err = stacktest.Eventually(context.Background(), 30*time.Second, time.Second, func(ctx context.Context) error {
		var as []stacktest.AMAlert
		if err := stacktest.GetJSON(ctx, am+"/api/v2/alerts?filter="+url.QueryEscape(`instance="`+labels["instance"]+`"`), &as); err != nil {
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
	delivery := rt.Expect(t, labels)
	if _, ok := delivery.Paths["/paging"]; !ok {
		t.Errorf("the routing tree sends a critical alert to %v, not to /paging", stacktest.Keys(delivery.Paths))
	}
	stacktest.WaitDelivered(t, st, probeAlert, fp, "firing", since, delivery, delivery.Wait+30*time.Second)
}

func subset(a, b map[string]string) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
