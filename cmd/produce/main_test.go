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
		{[]string{"-help"}, 0, "usage: produce"},
		{[]string{"-bogus"}, 2, "not defined"},
		{[]string{"-rate", "-5"}, 2, "rate -5"},
		{[]string{"-compression", "brotli"}, 2, `compression "brotli"`},
		{[]string{"-acks", "1"}, 2, "idempotence needs acks=all"},
		{[]string{"-key", "amount"}, 2, `key "amount"`},
		{[]string{"extra"}, 2, "unexpected arguments"},
		// Nothing listens on port 1: a runtime failure, reported at once.
		{[]string{"-format", "xml"}, 2, `format "xml"`},
		{[]string{"-format", "json", "-brokers", "127.0.0.1:1", "-connect-timeout", "2s", "-metrics-addr", ""}, 1, "127.0.0.1:1"},
		// Avro: the registry is asked first, and its address named.
		{[]string{"-registry", "http://127.0.0.1:1/apis/ccompat/v7", "-connect-timeout", "2s", "-metrics-addr", ""}, 1, "refusing to start: schema registry http://127.0.0.1:1"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stderr.String(), c.say) {
			t.Errorf("produce %v: exit %d, want %d with %q in:\n%s", c.args, code, c.code, c.say, stderr.String())
		}
	}
}
