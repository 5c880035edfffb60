package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

// TestInhibitions posts each declared source and target alert to the real Alertmanager and
// reads back whether the target is muted, as alerts/routing.go says it must be. Cluster
// labels are replaced with ones unique to this run, so the test neither mutes nor is muted
// by the stack's own alerts.
func TestInhibitions(t *testing.T) {
	st := stacktest.Local(t)
	am := stacktest.BaseURL(st, stack.Alertmanager)
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	for i, tc := range alerts.Routing.InhibitTests {
		t.Run(tc.Name, func(t *testing.T) {
			src, dst := relabel(tc.Source, run, i), relabel(tc.Target, run, i)
			ends := time.Now().Add(5 * time.Minute)
			postAlerts(t, am, ends, src, dst)
			defer postAlerts(t, am, time.Now(), src, dst) // resolve both

			// A target may only be judged "not inhibited" once Alertmanager has taken in the
			// source: wait for it, and give the inhibitor a moment more.
			err := stacktest.Eventually(context.Background(), 30*time.Second, time.Second, func(ctx context.Context) error {
				var got []json.RawMessage
				q := url.Values{"filter": {fmt.Sprintf(`alertname=%q`, src["alertname"]), fmt.Sprintf(`test_case=%q`, src["test_case"])}}
				if err := stacktest.GetJSON(ctx, am+"/api/v2/alerts?"+q.Encode(), &got); err != nil {
					return err
				}
				if len(got) != 1 {
					return fmt.Errorf("Alertmanager lists %d source alerts, want 1", len(got))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !tc.Inhibited {
				time.Sleep(2 * time.Second)
			}
			err = stacktest.Eventually(context.Background(), 30*time.Second, time.Second, func(ctx context.Context) error {
				var got []struct {
					Labels map[string]string `json:"labels"`
					Status struct {
						State       string   `json:"state"`
						InhibitedBy []string `json:"inhibitedBy"`
					} `json:"status"`
				}
				q := url.Values{"filter": {fmt.Sprintf(`alertname=%q`, dst["alertname"]), fmt.Sprintf(`test_case=%q`, dst["test_case"])}}
				if err := stacktest.GetJSON(ctx, am+"/api/v2/alerts?"+q.Encode(), &got); err != nil {
					return err
				}
				if len(got) != 1 {
					return fmt.Errorf("Alertmanager lists %d target alerts, want 1", len(got))
				}
				inhibited := len(got[0].Status.InhibitedBy) > 0
				if inhibited != tc.Inhibited {
					return fmt.Errorf("target %s is %s (inhibited by %v), want inhibited=%v", dst["alertname"], got[0].Status.State, got[0].Status.InhibitedBy, tc.Inhibited)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// relabel makes a test alert unique to this run and case; each cluster name maps to its own
// run-scoped value so that "same cluster" and "other cluster" keep their meaning.
func relabel(l map[string]string, run string, i int) map[string]string {
	out := map[string]string{"test_case": fmt.Sprintf("%s-%d", run, i)}
	for k, v := range l {
		out[k] = v
	}
	if c, ok := out["cluster"]; ok {
		out["cluster"] = "inhibit-test-" + run + "-" + c
	}
	return out
}

func postAlerts(t *testing.T, am string, endsAt time.Time, labels ...map[string]string) {
	t.Helper()
	type alert struct {
		Labels   map[string]string `json:"labels"`
		StartsAt time.Time         `json:"startsAt"`
		EndsAt   time.Time         `json:"endsAt"`
	}
	var body []alert
	for _, l := range labels {
		body = append(body, alert{Labels: l, StartsAt: time.Now().Add(-time.Minute), EndsAt: endsAt})
	}
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Post(am+"/api/v2/alerts", "application/json", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s/api/v2/alerts: %s", am, resp.Status)
	}
}
