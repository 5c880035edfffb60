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
