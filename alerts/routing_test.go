package alerts

import (
	"testing"

	"github.com/finobs/finobs/pkg/rules"
)

// A heartbeat that an inhibition can mute is a dead man's switch that pages for nothing, or
// worse, that stays quiet while the path it proves is broken: no inhibition may target one.
func TestNoInhibitionMutesAHeartbeat(t *testing.T) {
	n := 0
	for _, g := range Groups() {
		for _, a := range g.Alerts {
			if a.Severity() != rules.Severity("none") {
				continue
			}
			n++
			for _, cluster := range []string{"finobs-local", "finobs-other"} {
				why, err := Routing.MayMute(firingIn(cluster, a, g, "instance", "alertmanager"))
				if err != nil {
					t.Fatal(err)
				}
				if len(why) > 0 {
					t.Errorf("%s can be muted by the inhibitions %q", a.Name, why)
				}
			}
		}
	}
	if n == 0 {
		t.Fatal("no heartbeat alert (severity none) is declared")
	}
}

// MayMute itself: the Watchdog check above is only as good as it.
func TestMayMute(t *testing.T) {
	why, err := Routing.MayMute(firingIn("finobs-local", TargetDown, Monitoring, "instance", "kafka-broker-1", "job", "kafka-broker"))
	if err != nil {
		t.Fatal(err)
	}
	if len(why) == 0 {
		t.Fatal("TargetDown of a broker: no inhibition may mute it, yet one does (a down broker mutes its own target down)")
	}
}
