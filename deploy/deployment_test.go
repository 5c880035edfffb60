package deploy

import (
	"path"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// ruleAnnotations parses a rendered rule file and takes the URL annotations out of it:
// what is left, and the URLs by alert.
func ruleAnnotations(t *testing.T, data []byte) (rest any, urls map[string][2]string) {
	t.Helper()
	var f struct {
		Groups []struct {
			Name     string           `yaml:"name"`
			Interval string           `yaml:"interval"`
			Rules    []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	urls = map[string][2]string{}
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			an, _ := r["annotations"].(map[string]any)
			if an == nil {
				continue
			}
			rb, _ := an["runbook_url"].(string)
			db, _ := an["dashboard_url"].(string)
			urls[r["alert"].(string)] = [2]string{rb, db}
			delete(an, "runbook_url")
			delete(an, "dashboard_url")
		}
	}
	return f, urls
}

// The native stack's rule files are the Compose ones but for the runbook_url and
// dashboard_url annotations, which carry each deployment's own URLs. Shown with URLs that
// differ: a rule that differed otherwise (or a URL of the wrong deployment) fails.
func TestRulesDifferOnlyInURLs(t *testing.T) {
	t.Setenv("FINOBS_LOCAL_GRAFANA_URL", "http://grafana.native.test:3000")
	t.Setenv("FINOBS_LOCAL_RUNBOOKS_URL", "http://runbooks.native.test/rb/")
	t.Setenv("FINOBS_COMPOSE_GRAFANA_URL", "https://grafana.compose.test")
	files, _, err := renderRules()
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Data
	}
	n := 0
	for _, f := range files {
		if path.Dir(f.Path) != RulesDir {
			continue
		}
		local, ok := byPath[path.Join(LocalRulesDir, path.Base(f.Path))]
		if !ok {
			t.Errorf("%s has no native twin", f.Path)
			continue
		}
		cr, cu := ruleAnnotations(t, f.Data)
		lr, lu := ruleAnnotations(t, local)
		if !reflect.DeepEqual(cr, lr) {
			t.Errorf("%s: the native rules differ in more than URLs", path.Base(f.Path))
		}
		for alert, c := range cu {
			l := lu[alert]
			if !strings.HasPrefix(c[0], "http://127.0.0.1:9095/runbooks/") || !strings.HasPrefix(l[0], "http://runbooks.native.test/rb/") ||
				!strings.HasPrefix(c[1], "https://grafana.compose.test/d/") || !strings.HasPrefix(l[1], "http://grafana.native.test:3000/d/") {
				t.Errorf("%s: compose %v, native %v", alert, c, l)
			}
			if strings.TrimPrefix(c[0], "http://127.0.0.1:9095/runbooks/") != strings.TrimPrefix(l[0], "http://runbooks.native.test/rb/") {
				t.Errorf("%s: runbook pages differ: %s vs %s", alert, c[0], l[0])
			}
			n++
		}
	}
	if n < 40 {
		t.Errorf("compared %d alerts", n)
	}
	// The promtool tests expect the Compose rules' annotations.
	for _, f := range files {
		if path.Dir(f.Path) == TestsDir && strings.Contains(string(f.Data), "native.test") {
			t.Errorf("%s expects native URLs", f.Path)
		}
	}
}

func TestBadDeploymentURLWritesNothing(t *testing.T) {
	t.Setenv("FINOBS_COMPOSE_RUNBOOKS_URL", "runbooks:9095")
	if _, _, err := All(); err == nil || !strings.Contains(err.Error(), "FINOBS_COMPOSE_RUNBOOKS_URL") {
		t.Errorf("got %v", err)
	}
}
