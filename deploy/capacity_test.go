package deploy

import (
	"strings"
	"testing"

	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/internal/sizing"
	"github.com/finobs/finobs/pipelines"
	"github.com/finobs/finobs/signals"
)

func TestScenariosPlan(t *testing.T) {
	plans, err := CapacityPlans(capacity.Scenarios())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != len(capacity.Scenarios()) || capacity.DeployedError() != nil {
		t.Fatalf("%d plans of %d scenarios; deployed: %v", len(plans), len(capacity.Scenarios()), capacity.DeployedError())
	}
	// The configs carry the deployed plan's numbers.
	p := capacity.DeployedPlan()
	if signals.DiskFillWindow != p.DiskAlert.Window || signals.DiskFillHorizon != p.DiskAlert.Horizon || p.DiskAlert.Window <= 0 {
		t.Errorf("disk signal %v/%v, plan %v/%v", signals.DiskFillWindow, signals.DiskFillHorizon, p.DiskAlert.Window, p.DiskAlert.Horizon)
	}
	for _, ix := range pipelines.Indices() {
		age, err := sizing.LogDeleteAge(p, ix.Name)
		if err != nil || ix.Retention.Delete != age {
			t.Errorf("index %s deletes at %v, plan %v (%v)", ix.Name, ix.Retention.Delete, age, err)
		}
	}
}

// A scenario whose log pipelines are not those of pipelines/ fails, naming them.
func TestScenarioLogsMatchLogs(t *testing.T) {
	s := capacity.Local
	s.Logs = append([]sizing.LogIndex(nil), s.Logs...)
	s.Logs[0].Pipelines = []sizing.LogVolume{{Pipeline: "kafak", Rate: sizing.Declared(sizing.PerSecond(1), "t"), EventBytes: sizing.Declared(sizing.Bytes(1), "t")}}
	_, err := CapacityPlans([]sizing.Scenario{s})
	if err == nil || !strings.Contains(err.Error(), `pipeline "kafak" is not declared in pipelines/`) || !strings.Contains(err.Error(), "pipeline kafka (pipelines/) has no volume") {
		t.Errorf("err %v", err)
	}
}
