package deploy

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/dashboards"
)

// Grafana finds every rendered dashboard: each folder directory has a provider reading it,
// and the datasources carry the uids nothing else names.
func TestProvisioning(t *testing.T) {
	files, err := grafanaFiles()
	if err != nil {
		t.Fatal(err)
	}
	var providers struct {
		Providers []struct {
			Folder    string `yaml:"folder"`
			FolderUID string `yaml:"folderUid"`
			Options   struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	var datasources struct {
		Datasources []struct {
			Type, UID string
		} `yaml:"datasources"`
	}
	dirs := map[string]bool{}
	for _, f := range files {
		switch {
		case f.Path == "deploy/grafana/provisioning/dashboards/finobs.yml":
			if err := yaml.Unmarshal(f.Data, &providers); err != nil {
				t.Fatal(err)
			}
		case f.Path == "deploy/grafana/provisioning/datasources/finobs.yml":
			if err := yaml.Unmarshal(f.Data, &datasources); err != nil {
				t.Fatal(err)
			}
		case strings.HasSuffix(f.Path, ".json"):
			dir := strings.TrimPrefix(f.Path[:strings.LastIndex(f.Path, "/")], "deploy/grafana/dashboards/")
			dirs[dir] = true
		}
	}
	read := map[string]bool{}
	for _, p := range providers.Providers {
		read[strings.TrimPrefix(p.Options.Path, "/var/lib/grafana/dashboards/")] = true
		if p.Folder == "" || p.FolderUID == "" {
			t.Errorf("provider %+v: no folder", p)
		}
	}
	for d := range dirs {
		if !read[d] {
			t.Errorf("no provider reads dashboards/%s", d)
		}
	}
	kinds := map[string]string{}
	for _, d := range datasources.Datasources {
		kinds[d.Type] = d.UID
	}
	if kinds["prometheus"] != "finobs-prometheus" || kinds["elasticsearch"] != "finobs-elasticsearch" {
		t.Errorf("datasources %v", kinds)
	}
}

func TestRenderDeterministic(t *testing.T) {
	a, err := grafanaFiles()
	if err != nil {
		t.Fatal(err)
	}
	b, err := grafanaFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) != len(dashboards.Boards())+2 {
		t.Fatalf("rendered %d then %d files, want %d", len(a), len(b), len(dashboards.Boards())+2)
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s: differs between two renders", a[i].Path)
		}
		if !strings.HasPrefix(a[i].Path, "deploy/grafana/") {
			t.Errorf("%s: outside deploy/grafana", a[i].Path)
		}
		if strings.HasSuffix(a[i].Path, ".json") {
			var v map[string]any
			if err := json.Unmarshal(a[i].Data, &v); err != nil {
				t.Errorf("%s: %v", a[i].Path, err)
			}
			// Only the provisioning files may name a datasource uid.
			if bytes.Contains(a[i].Data, []byte("finobs-prometheus")) || bytes.Contains(a[i].Data, []byte("finobs-elasticsearch")) {
				t.Errorf("%s: hard-codes a datasource uid", a[i].Path)
			}
		}
	}
}
