package dashboards

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/pkg/grafana"
)

// The committed dashboards pass every lint rule: a violation fails make test.
func TestLint(t *testing.T) {
	for _, err := range Lint() {
		t.Error(err)
	}
}

func TestRenderDeterministic(t *testing.T) {
	a, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) != len(boards)+2 {
		t.Fatalf("rendered %d then %d files, want %d", len(a), len(b), len(boards)+2)
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

func TestPanelURL(t *testing.T) {
	u, err := PanelURL(ScrapeTargets)
	if err != nil {
		t.Fatal(err)
	}
	if want := "/d/finobs-alerts-overview/alerts-overview?viewPanel="; !strings.HasPrefix(u, want) {
		t.Errorf("PanelURL = %q, want prefix %q", u, want)
	}
	if _, err := PanelURL(grafana.Stat("Nowhere", "On no board.")); err == nil {
		t.Error("PanelURL of a panel no board lists: no error")
	}
	if _, err := URL("nope"); err == nil {
		t.Error("URL of a missing dashboard: no error")
	}
}

func TestQueries(t *testing.T) {
	qs, err := Queries()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, q := range qs {
		kinds[q.Kind]++
		if q.Dashboard == "" || q.Panel == "" || q.Expr == "" {
			t.Errorf("incomplete query %+v", q)
		}
	}
	if kinds["prometheus"] == 0 || kinds["elasticsearch"] == 0 {
		t.Errorf("query kinds %v, want both prometheus and elasticsearch", kinds)
	}
}

// Grafana finds every rendered dashboard: each folder directory has a provider reading it,
// and the datasources carry the uids nothing else names.
func TestProvisioning(t *testing.T) {
	files, err := Render()
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
