package generate

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finobs/finobs/alerts"
	"github.com/finobs/finobs/internal/rules"
)

func TestDeterministic(t *testing.T) {
	a, ca, err := All()
	if err != nil {
		t.Fatal(err)
	}
	b, _, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(a.Paths(), ",") != strings.Join(b.Paths(), ",") {
		t.Fatal("two runs generate different file lists")
	}
	for _, p := range a.Paths() {
		x, _ := a.Get(p)
		y, _ := b.Get(p)
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", p)
		}
	}
	if ca.Alerts == 0 || ca.TestCases < 2*ca.Alerts || ca.Runbooks != ca.Alerts {
		t.Errorf("counts look wrong: %s", ca)
	}
}

// The generated tree is what the repository holds: the same check as `gen --check`.
func TestCommittedOutputIsCurrent(t *testing.T) {
	set, _, err := All()
	if err != nil {
		t.Fatal(err)
	}
	stale, err := set.Stale("../..", Owned...)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("stale generated files (run `go run ./cmd/gen`): %v", stale)
	}
}

func TestEveryAlertHasRunbookAndTests(t *testing.T) {
	set, _, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range alerts.Groups() {
		tests, _ := set.Get(rules.TestsDir + "/" + g.Name + ".yml")
		for _, a := range g.Alerts {
			if _, ok := set.Get(rules.RunbooksDir + "/" + a.Name + ".md"); !ok {
				t.Errorf("%s has no runbook page", a.Name)
			}
			if n := bytes.Count(tests, []byte("alertname: "+a.Name+"\n")); n < 2 {
				t.Errorf("%s has %d promtool test cases, want at least 2", a.Name, n)
			}
		}
	}
}

// An invalid definition fails the whole generation: nothing is written.
func TestInvalidDefinitionWritesNothing(t *testing.T) {
	saved := alerts.Monitoring.Alerts
	defer func() { alerts.Monitoring.Alerts = saved }()
	bad := saved[0]
	bad.Name = "KafkaRequestLatencyHigh"
	bad.Expr = `kafka_request_latency_ms > 100`
	alerts.Monitoring.Alerts = append(append([]rules.Alert{}, saved...), bad, saved[0])

	dir := t.TempDir()
	set, _, err := All()
	if err == nil {
		set.Write(dir)
		t.Fatal("generation accepted an alert on an undeclared metric")
	}
	for _, want := range []string{
		`group monitoring, alert KafkaRequestLatencyHigh: metric "kafka_request_latency_ms" is not declared in the catalog`,
		`group monitoring, alert TargetDown: name already used in group monitoring`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(dir)); len(entries) != 0 {
		t.Errorf("files were written: %v", entries)
	}
}
