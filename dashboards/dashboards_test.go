package dashboards

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/grafana"
)

// The committed dashboards pass every lint rule: a violation fails make test.
func TestLint(t *testing.T) {
	for _, err := range Lint() {
		t.Error(err)
	}
}

func TestPanelURL(t *testing.T) {
	u, err := PanelURL(ScrapeTargets)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/d/finobs-alerts-overview/alerts-overview?viewPanel="; !strings.HasPrefix(u, want) {
		t.Errorf("PanelURL = %q, want prefix %q", u, want)
	}
	if _, err := PanelURL(grafana.Stat("Nowhere", "On no board.")); err == nil {
		t.Error("PanelURL of a panel no board lists: no error")
	}
	if _, err := URL("nope"); err == nil {
		t.Error("URL of a missing dashboard: no error")
	}
}

func TestQueries(t *testing.T) {
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, q := range qs {
		kinds[q.Kind]++
		if q.Dashboard == "" || q.Panel == "" || q.Expr == "" {
			t.Errorf("incomplete query %+v", q)
		}
	}
	if kinds["prometheus"] == 0 || kinds["elasticsearch"] == 0 {
		t.Errorf("query kinds %v, want both prometheus and elasticsearch", kinds)
	}
}
