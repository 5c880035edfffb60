package provision

import "testing"

// The provisioner reaches the Compose stack through its published ports: the registry's
// host port (8085), not its container's (8080, which the Spark master's UI has in its own).
func TestComposeTargetHostPorts(t *testing.T) {
	tg := ComposeTarget(".")
	for _, c := range [][2]string{
		{tg.Registry, "http://127.0.0.1:8085/apis/ccompat/v7"},
		{tg.Prometheus, "http://127.0.0.1:9090"},
	} {
		if c[0] != c[1] {
			t.Errorf("got %s, want %s", c[0], c[1])
		}
	}
}
