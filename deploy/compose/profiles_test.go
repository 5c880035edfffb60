package compose

import (
	"testing"
)

// Every pinned image has one profile, and every fact it states has a source: what was not
// read is left out (and named in Unknown), never stated without one.
func TestProfiles(t *testing.T) {
	pinned := []string{KafkaImage, SparkImage, ApicurioImage, PrometheusImage, AlertmanagerImage, NodeExporterImage, ESExporterImage,
		GrafanaImage, ElasticsearchImage, LogstashImage, KibanaImage, FilebeatImage, CurlImage, OwnImage}
	seen := map[string]bool{}
	for _, p := range Profiles {
		if seen[p.Image] {
			t.Errorf("%s: two profiles", p.Image)
		}
		seen[p.Image] = true
		if p.User.Name != "" && !p.User.From.Known() {
			t.Errorf("%s: user %s without a source", p.Image, p.User.Name)
		}
		if p.Shell.Kind != "" && !p.Shell.From.Known() {
			t.Errorf("%s: shell %s without a source", p.Image, p.Shell.Kind)
		}
		for _, tl := range p.Tools {
			if !tl.From.Known() {
				t.Errorf("%s: tool %s without a source", p.Image, tl.Name)
			}
		}
		for _, d := range p.Paths {
			if !d.From.Known() {
				t.Errorf("%s: path %s without a source", p.Image, d.Dir)
			}
		}
	}
	for _, img := range pinned {
		if !seen[img] {
			t.Errorf("%s: no profile", img)
		}
	}
	if len(seen) != len(pinned) {
		t.Errorf("%d profiles for %d pinned images", len(seen), len(pinned))
	}
}

// Unknown is not available: a fact without a source counts for nothing.
func TestProfileUnknownIsAbsent(t *testing.T) {
	p := Profile{Image: "x:1", Shell: Shell{Kind: Dash}, Tools: []Tool{{Name: "curl"}}, Paths: []Path{{Dir: "/data", Writable: true}}}
	if p.HasSh() || p.Has("curl") || p.Writable("/data") {
		t.Error("a fact without a source counted")
	}
	if uid, _ := runsAs("", p); uid != -1 {
		t.Errorf("uid %d from a user without a source", uid)
	}
	fb, _ := ProfileOf(FilebeatImage)
	if fb.HasSh() || fb.Has("curl") {
		t.Error("Filebeat 8.19's shell and curl were not read, yet count")
	}
}

func TestRunsAs(t *testing.T) {
	p := Profile{User: User{Name: "grafana", UID: 472, GID: 0, From: Source{Repo: "r", File: "f"}}}
	for _, c := range []struct {
		user     string
		uid, gid int
	}{{"", 472, 0}, {"root", 0, 0}, {"0:0", 0, 0}, {"1000", 1000, -1}, {"grafana", 472, 0}, {"someone", -1, -1}, {"5:7", 5, 7}} {
		if uid, gid := runsAs(c.user, p); uid != c.uid || gid != c.gid {
			t.Errorf("user %q: %d:%d, want %d:%d", c.user, uid, gid, c.uid, c.gid)
		}
	}
}
