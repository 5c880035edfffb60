package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--no-such-flag"}, {"frobnicate"}, {"lint", "extra"}, {"kube-check"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2 (stderr: %s)", args, code, errb.String())
		}
	}
}

func TestWriteThenCheck(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	ctx := context.Background()
	if code := run(ctx, []string{"--root", dir, "--check"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "deploy/prometheus/prometheus.yml (missing)") {
		t.Fatalf("check of an empty tree: exit %d, stderr %s", code, errb.String())
	}
	if code := run(ctx, []string{"--root", dir}, &out, &errb); code != 0 {
		t.Fatalf("gen: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	if code := run(ctx, []string{"--root", dir, "--check"}, &out, &errb); code != 0 {
		t.Fatalf("check after gen: exit %d: %s", code, errb.String())
	}
	// A hand edit and a leftover file are both reported, by name.
	rules := filepath.Join(dir, "deploy/prometheus/rules/producer.yml")
	if err := os.WriteFile(rules, []byte("groups: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "deploy/runbooks/Gone.md"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	code := run(ctx, []string{"--root", dir, "--check"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "deploy/prometheus/rules/producer.yml (differs)") || !strings.Contains(errb.String(), "deploy/runbooks/Gone.md (no longer generated)") {
		t.Fatalf("check after edits: exit %d, stderr %s", code, errb.String())
	}
	// gen repairs both.
	if code := run(ctx, []string{"--root", dir}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "deploy/runbooks/Gone.md")); !os.IsNotExist(err) {
		t.Errorf("stale runbook not removed: %v", err)
	}
}
