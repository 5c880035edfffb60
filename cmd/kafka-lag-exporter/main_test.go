package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"-h"}, 0, "kafka_consumergroup_lag"},
		{[]string{"-timeout", "0s"}, 2, "-timeout 0s: want > 0"},
		{[]string{"-log-level", "loud"}, 2, `-log-level "loud"`},
		{[]string{"-brokers", " , "}, 2, "-brokers is empty"},
		{[]string{"extra"}, 2, "unexpected arguments"},
		{[]string{"-no-such-flag"}, 2, "flag provided but not defined"},
		{[]string{"-metrics-addr", "256.0.0.1:1"}, 1, "metrics listener"},
	} {
		var stderr bytes.Buffer
		if code := run(c.args, &stderr); code != c.code || !strings.Contains(stderr.String(), c.says) {
			t.Errorf("%v: exit %d, want %d; stderr %q, want it to say %q", c.args, code, c.code, stderr.String(), c.says)
		}
	}
}
