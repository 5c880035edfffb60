package alertmanager

import (
	"strings"
	"testing"
)

func TestInhibitRendersAlertMatchers(t *testing.T) {
	in := Inhibit{SourceAlerts: []string{"A"}, TargetAlerts: []string{"B", "C"}, ExceptAlerts: []string{"D"}, TargetMatchers: []string{`component="kafka"`}}
	if got := strings.Join(in.source(), " "); got != `alertname="A"` {
		t.Errorf("source %s", got)
	}
	if got := strings.Join(in.target(), " "); got != `alertname=~"B|C" component="kafka" alertname!="D"` {
		t.Errorf("target %s", got)
	}
}

// An inhibition or its test naming an alert nobody declares is an error naming both.
func TestCheckAlerts(t *testing.T) {
	c := Config{
		Inhibit:      []Inhibit{{Why: "down explains lag", SourceAlerts: []string{"BrokerDown"}, TargetAlerts: []string{"Lagging"}}},
		InhibitTests: []InhibitTest{{Name: "mutes", Source: map[string]string{"alertname": "BrokerDown"}, Target: map[string]string{"alertname": "Lagging"}}},
	}
	if err := c.CheckAlerts(map[string]bool{"BrokerDown": true, "Lagging": true}); err != nil {
		t.Fatal(err)
	}
	err := c.CheckAlerts(map[string]bool{"BrokerDown": true})
	if err == nil || !strings.Contains(err.Error(), `inhibition "down explains lag" names alert "Lagging"`) || !strings.Contains(err.Error(), `inhibition test "mutes" names alert "Lagging"`) {
		t.Fatalf("got %v", err)
	}
	c.Inhibit[0].TargetMatchers = []string{`alertname="Lagging"`}
	if err := c.CheckAlerts(map[string]bool{"BrokerDown": true, "Lagging": true}); err == nil || !strings.Contains(err.Error(), "matches alertname=\"Lagging\" by text") {
		t.Fatalf("an alert named by a text matcher: %v", err)
	}
	c.Inhibit[0].TargetMatchers = nil
	c.Inhibit[0].TargetAlerts = nil
	if err := c.CheckAlerts(map[string]bool{"BrokerDown": true, "Lagging": true}); err == nil || !strings.Contains(err.Error(), "needs a source and a target") {
		t.Fatalf("an inhibition without a target: %v", err)
	}
}

// Every inhibition is equal on the cluster and the root route groups by it, whatever the
// declaration says: one Alertmanager serves several clusters, and none mutes or groups
// another's alerts.
func TestClusterInEqualAndGroupBy(t *testing.T) {
	c := Config{
		Route: Route{Receiver: "r", GroupBy: []string{"alertname"}, Routes: []Route{
			{Receiver: "r", Matchers: []string{`severity="critical"`}},
			{Receiver: "r", Matchers: []string{`severity="info"`}, GroupBy: []string{"instance"}},
		}},
		Inhibit: []Inhibit{
			{SourceAlerts: []string{"A"}, TargetAlerts: []string{"B"}},
			{SourceAlerts: []string{"A"}, TargetAlerts: []string{"C"}, Equal: []string{"instance", "cluster"}},
		},
		Receivers: []Receiver{{Name: "r", Webhook: &Webhook{URL: "http://x"}}},
	}
	out, err := c.Render("")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"group_by:\n    - cluster\n    - alertname\n",
		"      group_by:\n        - cluster\n        - instance\n",
		"    equal:\n      - cluster\n  - source_matchers",
		"    equal:\n      - instance\n      - cluster\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("rendered config lacks %q:\n%s", want, out)
		}
	}
}
