package faults

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

// TestAlertmanagerRestart restarts Alertmanager as an operator would (SIGTERM, then start):
// a silence set before is still in force after, and an alert it notified before is not
// notified again when Prometheus sends it to the new process (a restart must not re-page
// what was sent). Its own alert, posted to Alertmanager's API as Prometheus posts, with a
// label of this run's own: no earlier session's notification log can hold it back.
func TestAlertmanagerRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 10)
	labels := map[string]string{"alertname": "FinobsRestartProbe", "severity": "critical", "cluster": "finobs-faults",
		"component": "monitoring", "job": "faults", "instance": "restart-probe", "run": run}
	d := e.rt.Expect(t, labels)
	fp := model.LabelSet(toModel(labels)).Fingerprint().String()

	silence := e.postSilence(t, "FinobsSilenceProbe", run)
	t.Cleanup(func() { e.amDo(context.Background(), http.MethodDelete, "/api/v2/silence/"+silence, nil, nil) })

	t0 := time.Now()
	e.postAlert(t, labels, t0.Add(15*time.Minute))
	t.Cleanup(func() { e.postAlert(t, labels, time.Now()) }) // resolved
	stacktest.WaitDelivered(t, e.st, labels["alertname"], fp, "firing", t0, d, d.GroupWait+2*time.Minute)

	undo, err := stop("alertmanager")(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if err := undo(ctx); err != nil {
		t.Fatalf("start Alertmanager again: %v", err)
	}
	restarted := time.Now()
	t.Logf("Alertmanager restarted (SIGTERM, start) %s after the first notification", restarted.Sub(t0).Round(time.Second))

	var sil struct {
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := e.amDo(ctx, http.MethodGet, "/api/v2/silence/"+silence, nil, &sil); err != nil {
		t.Errorf("the silence set before the restart: %v", err)
	} else if sil.Status.State != "active" {
		t.Errorf("the silence set before the restart is %q after it, want active", sil.Status.State)
	} else {
		t.Logf("silence %s set before the restart: %s after it", silence, sil.Status.State)
	}

	// Prometheus sends what fires again (every minute): the new process gets it, and must
	// find it in its notification log. A group's first flush comes after group_wait; it
	// flushes again every group_interval.
	e.postAlert(t, labels, time.Now().Add(15*time.Minute))
	quiet := d.GroupWait + d.GroupInterval + 15*time.Second
	time.Sleep(quiet)
	u := stacktest.BaseURL(e.st, stack.Webhook) + "/notifications?alertname=" + labels["alertname"] +
		"&since=" + restarted.UTC().Format(time.RFC3339Nano)
	var got []stacktest.Notification
	if err := stacktest.GetJSON(ctx, u, &got); err != nil {
		t.Fatal(err)
	}
	for _, n := range got {
		for _, a := range n.Message.Alerts {
			if a.Fingerprint == fp && a.Status == "firing" {
				t.Errorf("notified again at %s after the restart (%s, receiver %s): the restart re-paged what was sent",
					n.ReceivedAt.Format(time.TimeOnly), n.ReceivedAt.Sub(restarted).Round(time.Second), n.Message.Receiver)
			}
		}
	}
	if !t.Failed() {
		t.Logf("%s: notified once; not again in the %s after the restart", labels["alertname"], quiet)
	}
}

func toModel(m map[string]string) model.LabelSet {
	ls := model.LabelSet{}
	for k, v := range m {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls
}

// postAlert posts one alert to Alertmanager's API v2, firing until endsAt.
func (e *env) postAlert(t *testing.T, labels map[string]string, endsAt time.Time) {
	t.Helper()
	body := []map[string]any{{"labels": labels, "startsAt": time.Now().Add(-time.Minute), "endsAt": endsAt}}
	if err := e.amDo(context.Background(), http.MethodPost, "/api/v2/alerts", body, nil); err != nil {
		t.Fatalf("post alert: %v", err)
	}
}

// postSilence silences alertname for an hour and returns the silence's id.
func (e *env) postSilence(t *testing.T, alertname, run string) string {
	t.Helper()
	body := map[string]any{
		"matchers":  []map[string]any{{"name": "alertname", "value": alertname, "isRegex": false, "isEqual": true}},
		"startsAt":  time.Now(),
		"endsAt":    time.Now().Add(time.Hour),
		"createdBy": "finobs fault suite",
		"comment":   "TestAlertmanagerRestart " + run,
	}
	var res struct {
		SilenceID string `json:"silenceID"`
	}
	if err := e.amDo(context.Background(), http.MethodPost, "/api/v2/silences", body, &res); err != nil || res.SilenceID == "" {
		t.Fatalf("post silence: %v (id %q)", err, res.SilenceID)
	}
	return res.SilenceID
}

// amDo calls Alertmanager's API: body as JSON, the answer decoded into out.
func (e *env) amDo(ctx context.Context, method, path string, body, out any) error {
	var r *bytes.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	} else {
		r = bytes.NewReader(nil)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, e.am+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var msg bytes.Buffer
		msg.ReadFrom(resp.Body)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg.Bytes()))
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}
