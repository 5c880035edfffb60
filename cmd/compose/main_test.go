package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/finobs/finobs/deploy/compose"
)

// Without docker on PATH, up exits 1 at once with one line naming make up.
func TestNoEngine(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	for _, cmd := range []string{"up", "down", "status"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), []string{cmd}, &out, &errb)
		lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
		if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], "no Docker engine with the compose plugin") || !strings.Contains(lines[0], "make up") {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, errb.String())
		}
	}
}

// A docker whose compose plugin answers but whose engine does not is no engine either.
func TestPluginWithoutEngine(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = compose ] && [ \"$2\" = version ] && exit 0\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "docker"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"up"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "no Docker engine") {
		t.Errorf("exit %d, %q", code, errb.String())
	}
}

// secrets writes every file once, readable by the containers' users in a directory only
// its owner enters, random where it should be, and never overwrites; up refuses to start
// without them, naming the missing ones.
func TestSecrets(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "deploy", compose.SecretsDir)
	if err := missingSecrets(dir); err == nil || !strings.Contains(err.Error(), "elastic-password") || !strings.Contains(err.Error(), "go run ./cmd/compose secrets") {
		t.Errorf("missing: %v", err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"secrets", "-root", root}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	first := map[string]string{}
	for _, s := range compose.Secrets {
		p := filepath.Join(dir, s.Name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != compose.SecretFileMode {
			t.Errorf("%s: mode %v, want %v", s.Name, fi.Mode(), compose.SecretFileMode)
		}
		b, _ := os.ReadFile(p)
		first[s.Name] = string(b)
		if s.Random && len(b) < 30 || !s.Random && string(b) != "REPLACE-ME" {
			t.Errorf("%s: %q", s.Name, b)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("secrets directory: %v %v, want mode 0700", fi.Mode(), err)
	}
	if first["elastic-password"] == first["grafana-admin-password"] {
		t.Error("two passwords are the same")
	}
	if err := missingSecrets(dir); err != nil {
		t.Error(err)
	}
	os.WriteFile(filepath.Join(dir, "slack-webhook-url"), []byte("https://hooks.example/x"), 0o600)
	out.Reset()
	if code := run(context.Background(), []string{"secrets", "-root", root}, &out, &errb); code != 0 {
		t.Fatal(errb.String())
	}
	for _, s := range compose.Secrets {
		b, _ := os.ReadFile(filepath.Join(dir, s.Name))
		if s.Name == "slack-webhook-url" && string(b) != "https://hooks.example/x" || s.Name != "slack-webhook-url" && string(b) != first[s.Name] {
			t.Errorf("%s was overwritten: %q", s.Name, b)
		}
	}
	if strings.Count(out.String(), "kept") != len(compose.Secrets) {
		t.Errorf("second run: %s", out.String())
	}
}

// Files of earlier versions, 0600 in a directory of another mode: up refuses them,
// naming each; secrets keeps their content and sets the modes.
func TestSecretsPrivateAsTheyWere(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "deploy", compose.SecretsDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range compose.Secrets {
		if err := os.WriteFile(filepath.Join(dir, s.Name), []byte("old-"+s.Name), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, s.Name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := missingSecrets(dir); err == nil || !strings.Contains(err.Error(), "grafana-admin-password (-rw-------)") || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("0600 files: %v", err)
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"secrets", "-root", root}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, s := range compose.Secrets {
		p := filepath.Join(dir, s.Name)
		fi, _ := os.Stat(p)
		b, _ := os.ReadFile(p)
		if fi.Mode().Perm() != compose.SecretFileMode || string(b) != "old-"+s.Name {
			t.Errorf("%s: %v %q", s.Name, fi.Mode(), b)
		}
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory: %v", fi.Mode())
	}
	if strings.Count(out.String(), "-> -rw-r--r--") != len(compose.Secrets) {
		t.Errorf("output: %s", out.String())
	}
	if err := missingSecrets(dir); err != nil {
		t.Error(err)
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "make deploy") {
		t.Errorf("exit %d: %s", code, errb.String())
	}
	if code := run(context.Background(), []string{"-help"}, &out, &errb); code != 0 {
		t.Errorf("-help: exit %d", code)
	}
}
