package generate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/finobs/finobs/pkg/grafana"
)

// Dashboards writes each board's JSON under its folder's slug; a board that does not
// build fails the output, naming the board.
func TestDashboards(t *testing.T) {
	set, results, err := Run([]Output{Dashboards([]grafana.Board{queueBoard}, "grafana")})
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID    string `json:"uid"`
		Panels []any  `json:"panels"`
	}
	if err := json.Unmarshal([]byte(get(t, set, "grafana/dashboards/queue-things/queue.json")), &d); err != nil {
		t.Fatal(err)
	}
	if d.UID != "finobs-queue" || len(d.Panels) != 2 { // the row and its panel
		t.Errorf("uid %q, %d panels", d.UID, len(d.Panels))
	}
	if got := Results(results); !strings.Contains(got, "1 dashboards, 1 panels, 1 queries") {
		t.Errorf("results: %s", got)
	}

	twice := queueBoard
	twice.Rows = []grafana.Row{{Title: "Overview", Panels: []*grafana.Panel{depthPanel, depthPanel}}}
	if _, _, err := Run([]Output{Dashboards([]grafana.Board{twice}, "grafana")}); err == nil || !strings.Contains(err.Error(), "dashboard queue") {
		t.Errorf("a panel twice on a board: %v", err)
	}
}
