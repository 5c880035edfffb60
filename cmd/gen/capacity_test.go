package main

import (
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/internal/sizing"
)

// A scenario that does not plan stops gen before anything is written, naming the scenario
// and the input; the same scenario fails `gen capacity`.
func TestBadCapacityWritesNothing(t *testing.T) {
	saved := capacity.Local
	t.Cleanup(func() { capacity.Local = saved })
	for _, c := range []struct {
		name  string
		edit  func(*sizing.Scenario)
		input string
	}{
		{"zero rate", func(s *sizing.Scenario) { s.Topics[0].Rate = sizing.Declared(sizing.PerSecond(0), "test") }, "Topics[financial_transactions].Rate"},
		{"negative rate", func(s *sizing.Scenario) { s.Topics[0].Rate = sizing.Declared(sizing.PerSecond(-5), "test") }, "Topics[financial_transactions].Rate"},
		{"compression below 1", func(s *sizing.Scenario) { s.Topics[0].Compression = sizing.Declared(0.8, "test") }, "Topics[financial_transactions].Compression"},
		{"retention the disk cannot hold", func(s *sizing.Scenario) {
			s.Topics[0].RetentionBytes = sizing.Declared(sizing.Bytes(0), "test")
			s.Disk = sizing.Declared(2*sizing.GB, "test")
		}, "Disk"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := saved
			s.Topics = append([]sizing.Topic(nil), saved.Topics...)
			c.edit(&s)
			capacity.Local = s
			dir := t.TempDir()
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"--root", dir}, &out, &errb)
			if code != 1 || !strings.Contains(errb.String(), `scenario "local"`) || !strings.Contains(errb.String(), c.input+":") {
				t.Fatalf("gen: exit %d, stderr %q; want exit 1 naming scenario local and %s", code, errb.String(), c.input)
			}
			var files []string
			filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					files = append(files, p)
				}
				return err
			})
			if len(files) > 0 {
				t.Errorf("gen wrote %d files after a failed plan, e.g. %s", len(files), files[0])
			}
			errb.Reset()
			if code := run(context.Background(), []string{"capacity", "-scenario", "local"}, &out, &errb); code != 1 || !strings.Contains(errb.String(), c.input+":") {
				t.Errorf("gen capacity: exit %d, stderr %q", code, errb.String())
			}
		})
	}
}

func TestCapacityPrintsOriginal(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"capacity"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"Scenario original", "144 GB", "86.4 GB", "declared: seed DESIGN.md"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"capacity", "--units", "iec"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "134 GiB") {
		t.Errorf("--units iec: exit %d, want 134 GiB:\n%s", code, out.String())
	}
	if si := regexp.MustCompile(`\d (kB|MB|GB|TB|PB)\b`).FindString(out.String()); si != "" {
		t.Errorf("--units iec prints an SI figure: %q", si)
	}
	if code := run(context.Background(), []string{"capacity", "--units", "furlongs"}, &out, &errb); code != 2 {
		t.Errorf("--units furlongs: exit %d, want 2", code)
	}
}
