package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"-help"}, 0, "Exit status: 0 applied"},
		{[]string{"-bogus"}, 2, "not defined"},
		{[]string{"-stack", "k8s"}, 2, `-stack "k8s"`},
		{[]string{"-steps", "topics,grafana"}, 2, `unknown step "grafana"`},
		{[]string{"-log-level", "loud"}, 2, `-log-level "loud"`},
		{[]string{"extra"}, 2, "unexpected arguments"},
		// Nothing listens on port 1: a failure before any plan is printed.
		{[]string{"-stack", "compose", "-bootstrap", "127.0.0.1:1", "-steps", "topics", "-timeout", "5s"}, 1, "failed"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.say) {
			t.Errorf("deploy %v: exit %d, want %d with %q in:\n%s", c.args, code, c.code, c.say, stderr.String())
		}
		if c.code != 0 && strings.Contains(stdout.String(), "plan:") {
			t.Errorf("deploy %v printed a plan:\n%s", c.args, stdout.String())
		}
	}
}
