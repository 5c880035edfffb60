package elastic_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/elastic/go-elasticsearch/v8/typedapi/ilm/putlifecycle"
	"github.com/elastic/go-elasticsearch/v8/typedapi/indices/putindextemplate"

	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/internal/elastic"
	"github.com/finobs/finobs/pipelines"
	lp "github.com/finobs/finobs/pkg/logpipeline"
)

// TestCommittedFilesDecode: every committed template and policy reads back into
// go-elasticsearch's typed request (the syntax check ILM gets here: no node with ILM runs).
func TestCommittedFilesDecode(t *testing.T) {
	root := filepath.Join("..", "..") // the repository
	templates, _ := filepath.Glob(filepath.Join(root, deploy.ESTemplatesDir, "*.json"))
	policies, _ := filepath.Glob(filepath.Join(root, deploy.ESPoliciesDir, "*.json"))
	if len(templates) != 4 || len(policies) != 3 {
		t.Fatalf("%d templates, %d policies committed", len(templates), len(policies))
	}
	for _, f := range templates {
		b, _ := os.ReadFile(f)
		var r putindextemplate.Request
		if err := json.Unmarshal(b, &r); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if len(r.IndexPatterns) != 1 || r.Template == nil || r.Template.Mappings == nil || r.Template.Mappings.Dynamic == nil ||
			r.Template.Mappings.Dynamic.String() != "strict" {
			t.Errorf("%s: want one index pattern and a strict mapping", f)
		}
	}
	for _, f := range policies {
		b, _ := os.ReadFile(f)
		var r putlifecycle.Request
		if err := json.Unmarshal(b, &r); err != nil || r.Policy == nil || r.Policy.Phases.Delete == nil {
			t.Errorf("%s: %v (want a delete phase)", f, err)
		}
	}
}

// TestMappingHoldsEveryField: each template maps the envelope and every field of every
// pipeline writing to its index, with the declared type.
func TestMappingHoldsEveryField(t *testing.T) {
	set := pipelines.Set()
	templates, err := elastic.Templates(set, elastic.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tpl := range templates {
		b, _ := json.Marshal(tpl.Request.Template.Mappings)
		var m struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		json.Unmarshal(b, &m)
		for _, p := range set.Pipelines {
			if p.Index.Name != tpl.Name {
				continue
			}
			for _, f := range append(append([]lp.Field(nil), lp.Envelope...), p.Fields...) {
				typ := lookup(m.Properties, strings.Split(f.Name, "."))
				want := string(f.Type)
				if f.Type == lp.Attrs {
					want = "object"
				}
				if typ != want {
					t.Errorf("%s: %s is mapped %q, declared %s", tpl.Name, f.Name, typ, f.Type)
				}
			}
		}
	}
}

func lookup(props map[string]json.RawMessage, path []string) string {
	var p struct {
		Type       string                     `json:"type"`
		Properties map[string]json.RawMessage `json:"properties"`
	}
	raw, ok := props[path[0]]
	if !ok {
		return ""
	}
	json.Unmarshal(raw, &p)
	if len(path) == 1 {
		return p.Type
	}
	return lookup(p.Properties, path[1:])
}
