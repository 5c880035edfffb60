package deployment

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

func TestDefaults(t *testing.T) {
	local, err := topology.Local(1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		st   stack.Stack
		want URLs
	}{
		{topology.Compose(), URLs{"compose", "http://127.0.0.1:3000", "http://127.0.0.1:9095/runbooks/", "http://127.0.0.1:9090", "http://127.0.0.1:9093"}},
		{local, URLs{"local", "http://127.0.0.1:3000", "http://127.0.0.1:9095/runbooks/", "http://127.0.0.1:9090", "http://127.0.0.1:9093"}},
	} {
		got, err := For(c.st, func(string) string { return "" })
		if err != nil || got != c.want {
			t.Errorf("%s: %+v %v, want %+v", c.st.Name, got, err, c.want)
		}
	}
}

func TestOverride(t *testing.T) {
	env := map[string]string{"FINOBS_COMPOSE_GRAFANA_URL": "https://grafana.example.org/", "FINOBS_COMPOSE_RUNBOOKS_URL": "https://docs.example.org/rb",
		"FINOBS_LOCAL_GRAFANA_URL": "http://ignored"}
	u, err := For(topology.Compose(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if u.Grafana != "https://grafana.example.org" || u.RunbookURL("X") != "https://docs.example.org/rb/X.md" || u.Prometheus != "http://127.0.0.1:9090" {
		t.Errorf("%+v", u)
	}
	for _, bad := range []string{"grafana:3000", "/relative", "ftp://x", "http://h/?q=1"} {
		_, err := For(topology.Compose(), func(k string) string {
			if k == "FINOBS_COMPOSE_ALERTMANAGER_URL" {
				return bad
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "FINOBS_COMPOSE_ALERTMANAGER_URL") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if !strings.Contains(Help(), "FINOBS_LOCAL_RUNBOOKS_URL") {
		t.Error(Help())
	}
}
