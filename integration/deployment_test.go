package integration

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/finobs/finobs/deploy/deployment"
	"github.com/finobs/finobs/integration/stacktest"
)

// TestDeploymentURLs: the running Prometheus carries the native stack's external URL, and
// the runbook_url of every alert it loaded answers with that alert's page (served by the
// webhook from deploy/runbooks).
func TestDeploymentURLs(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	urls, err := deployment.For(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var flags map[string]string
	if err := stacktest.PromAPI(ctx, st, "/api/v1/status/flags", nil, &flags); err != nil {
		t.Fatal(err)
	}
	if flags["web.external-url"] != urls.Prometheus {
		t.Errorf("Prometheus runs with --web.external-url=%q, the deployment says %q", flags["web.external-url"], urls.Prometheus)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Name        string            `json:"name"`
				Type        string            `json:"type"`
				Annotations map[string]string `json:"annotations"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := stacktest.PromAPI(ctx, st, "/api/v1/rules", nil, &rules); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			if r.Type != "alerting" {
				continue
			}
			u := r.Annotations["runbook_url"]
			if u != urls.RunbookURL(r.Name) {
				t.Errorf("%s: runbook_url %q, want %q", r.Name, u, urls.RunbookURL(r.Name))
				continue
			}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("%s: GET %s: %v", r.Name, u, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), r.Name) {
				t.Errorf("%s: GET %s: %s, %d bytes", r.Name, u, resp.Status, len(body))
			}
			if d := r.Annotations["dashboard_url"]; !strings.HasPrefix(d, urls.Grafana+"/d/") {
				t.Errorf("%s: dashboard_url %q does not start with %s/d/", r.Name, d, urls.Grafana)
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("checked %d alerts", n)
	}
	t.Logf("%d runbook pages served at %s", n, urls.Runbooks)
}
