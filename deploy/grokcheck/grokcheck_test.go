package grokcheck_test

import (
	"context"
	"maps"
	"os/exec"
	"testing"
	"time"

	"github.com/finobs/finobs/deploy/grokcheck"
	"github.com/finobs/finobs/deploy/native"
	"github.com/finobs/finobs/pipelines"
	lp "github.com/finobs/finobs/pkg/logpipeline"
)

// TestGrokOnElasticEngine: every grok pattern of the Logstash pipeline compiles on
// Elastic's grok engine and captures from every golden event exactly what the Go model
// captures (and so what Filebeat's script does: TestFilebeatParsesGolden).
func TestGrokOnElasticEngine(t *testing.T) {
	if _, err := exec.LookPath("mvn"); err != nil {
		t.Skip("no mvn: the harness cannot be built")
	}
	p, err := native.FindPaths()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	h, err := grokcheck.Build(ctx, p.State)
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checked := 0
	for _, pl := range pipelines.Pipelines() {
		ids := make([]string, len(pl.Grok))
		for i, g := range pl.Grok {
			if ids[i], err = s.Compile(grokcheck.Pattern{Pattern: g.Pattern, Definitions: g.Definitions}); err != nil {
				t.Errorf("%s: %v", pl.Name, err)
			}
		}
		if len(pl.Grok) == 0 || t.Failed() {
			continue
		}
		samples, err := lp.Samples(pipelines.Golden(), pl)
		if err != nil {
			t.Fatal(err)
		}
		for _, sm := range samples {
			runs, err := pl.GrokRuns(sm.Event.Text)
			if err != nil {
				t.Errorf("%s: %s:%d: %v", pl.Name, sm.File, sm.Event.Line, err)
				continue
			}
			for _, run := range runs {
				got, err := s.Match(ids[run.Step], run.Input)
				if err != nil {
					t.Fatal(err)
				}
				checked++
				if got.Matched != run.Matched {
					t.Errorf("%s: %s:%d: grok %q: matched %v on elasticsearch-grok, %v here", pl.Name, sm.File, sm.Event.Line, pl.Grok[run.Step].Pattern, got.Matched, run.Matched)
					continue
				}
				if !maps.Equal(got.Captures, run.Captures) {
					for k := range merged(got.Captures, run.Captures) {
						if got.Captures[k] != run.Captures[k] {
							t.Errorf("%s: %s:%d: capture %s: elasticsearch-grok %q, here %q", pl.Name, sm.File, sm.Event.Line, k, got.Captures[k], run.Captures[k])
						}
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no grok run was checked")
	}
	t.Logf("%d grok runs agree with elasticsearch-grok %s", checked, grokcheck.Version)
}

func merged(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
