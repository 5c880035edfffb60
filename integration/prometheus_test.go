package integration

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
)

type target struct {
	DiscoveredLabels map[string]string `json:"discoveredLabels"`
	Labels           map[string]string `json:"labels"`
	ScrapeURL        string            `json:"scrapeUrl"`
	Health           string            `json:"health"`
	LastError        string            `json:"lastError"`
}

// TestTargetsUp: Prometheus scrapes every component the stack starts, and every scrape
// succeeds (the JMX agents, the Spark servlets, node_exporter, Alertmanager, itself).
func TestTargetsUp(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	want := map[string]string{} // address -> instance
	for _, i := range st.Scraped() {
		if native.Starts(i.Component) {
			want[i.Addr(stack.PortMetrics)] = i.Name
		}
	}
	err := stacktest.Eventually(context.Background(), 2*time.Minute, 2*time.Second, func(ctx context.Context) error {
		var data struct {
			ActiveTargets []target `json:"activeTargets"`
		}
		if err := stacktest.PromAPI(ctx, st, "/api/v1/targets", nil, &data); err != nil {
			return err
		}
		found := map[string]int{}
		var bad []string
		for _, tg := range data.ActiveTargets {
			addr := tg.DiscoveredLabels["__address__"]
			if _, ok := want[addr]; !ok {
				continue
			}
			found[addr]++
			if tg.Health != "up" {
				bad = append(bad, fmt.Sprintf("%s (job %s) is %s: %s", tg.ScrapeURL, tg.Labels["job"], tg.Health, tg.LastError))
			}
		}
		for addr, name := range want {
			if found[addr] == 0 {
				bad = append(bad, fmt.Sprintf("%s (%s) is not a Prometheus target", addr, name))
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			return fmt.Errorf("targets not up:\n  %s", strings.Join(bad, "\n  "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRulesLoaded: the real Prometheus loaded every generated rule group, and every rule
// evaluates without error.
func TestRulesLoaded(t *testing.T) {
	t.Parallel()
	st := stacktest.Local(t)
	_, file, _, _ := runtime.Caller(0)
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "deploy", "local", "rules", "*.yml"))
	if len(files) == 0 {
		t.Fatal("no rule files under deploy/local/rules (run `go run ./cmd/gen`)")
	}
	wantRules := map[string]int{} // group -> rules
	for _, f := range files {
		rg, errs := rulefmt.ParseFile(f, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", f, errs)
		}
		for _, g := range rg.Groups {
			wantRules[g.Name] = len(g.Rules)
		}
	}
	var data struct {
		Groups []struct {
			Name  string `json:"name"`
			File  string `json:"file"`
			Rules []struct {
				Name      string `json:"name"`
				Health    string `json:"health"`
				LastError string `json:"lastError"`
			} `json:"rules"`
		} `json:"groups"`
	}
	// Every group is evaluated once per interval: wait until no rule is still "unknown".
	err := stacktest.Eventually(context.Background(), 2*time.Minute, 3*time.Second, func(ctx context.Context) error {
		if err := stacktest.PromAPI(ctx, st, "/api/v1/rules", nil, &data); err != nil {
			return err
		}
		got := map[string]int{}
		var bad []string
		for _, g := range data.Groups {
			got[g.Name] = len(g.Rules)
			for _, r := range g.Rules {
				if r.Health != "ok" || r.LastError != "" {
					bad = append(bad, fmt.Sprintf("group %s rule %s: health %q %s", g.Name, r.Name, r.Health, r.LastError))
				}
			}
		}
		for name, n := range wantRules {
			if got[name] != n {
				bad = append(bad, fmt.Sprintf("group %s: Prometheus has %d rules, the files %d (reload Prometheus after `go run ./cmd/gen`: POST /-/reload)", name, got[name], n))
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			return fmt.Errorf("rules not healthy:\n  %s", strings.Join(bad, "\n  "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Prometheus must also have found the Alertmanager the topology declares.
	var ams struct {
		Active []struct {
			URL string `json:"url"`
		} `json:"activeAlertmanagers"`
	}
	if err := stacktest.PromAPI(context.Background(), st, "/api/v1/alertmanagers", nil, &ams); err != nil {
		t.Fatal(err)
	}
	amAddr := st.One(stack.Alertmanager).Addr(stack.PortMetrics)
	ok := false
	for _, a := range ams.Active {
		ok = ok || strings.Contains(a.URL, "//"+amAddr+"/")
	}
	if !ok {
		t.Errorf("Prometheus sends alerts to %v, not to the Alertmanager at %s", ams.Active, amAddr)
	}
}
