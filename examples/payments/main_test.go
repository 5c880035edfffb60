package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The declarations are valid and render the four files, listed on the writer.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	var out strings.Builder
	if err := run(&out, dir, "http://grafana.test", "https://runbooks.test/payments/"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{
		"prometheus/rules/payments-api.yml", "prometheus/tests/payments-api.yml",
		"runbooks/PaymentsAPIFailing.md", "grafana/dashboards/payments/payments.json",
	} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
		if !strings.Contains(out.String(), filepath.Join(dir, p)) {
			t.Errorf("%s not listed:\n%s", p, out.String())
		}
	}
	rules, err := os.ReadFile(filepath.Join(dir, "prometheus/rules/payments-api.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"runbook_url: https://runbooks.test/payments/PaymentsAPIFailing.md", "dashboard_url: http://grafana.test/d/finobs-payments/"} {
		if !strings.Contains(string(rules), want) {
			t.Errorf("rule file lacks %q:\n%s", want, rules)
		}
	}
}
