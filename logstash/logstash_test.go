package logstash_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	config "github.com/breml/logstash-config"
	"github.com/breml/logstash-config/ast"
	"go.yaml.in/yaml/v3"

	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/logstash"
	"github.com/finobs/finobs/pipelines"
)

func rendered(t *testing.T, path string) []byte {
	t.Helper()
	files, err := deploy.LogFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == path {
			return f.Data
		}
	}
	t.Fatalf("%s is not rendered", path)
	return nil
}

// parse parses the rendered pipeline with breml/logstash-config (Logstash's own treetop
// grammar, ported): a syntax error names file:line:col.
func parse(t *testing.T) ast.Config {
	t.Helper()
	got, err := config.Parse(deploy.LogstashPipeline, rendered(t, deploy.LogstashPipeline))
	if err != nil {
		t.Fatalf("%s does not parse: %v", deploy.LogstashPipeline, err)
	}
	return got.(ast.Config)
}

// TestParses: the rendered pipeline parses, and the committed file is what is rendered.
func TestParses(t *testing.T) {
	c := parse(t)
	if len(c.Input) != 1 || len(c.Filter) != 1 || len(c.Output) != 1 {
		t.Fatalf("want one input, filter and output section: %d, %d, %d", len(c.Input), len(c.Filter), len(c.Output))
	}
	disk, err := os.ReadFile(filepath.Join("..", deploy.LogstashPipeline))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(disk, rendered(t, deploy.LogstashPipeline)) {
		t.Fatalf("%s is stale: run go run ./cmd/gen", deploy.LogstashPipeline)
	}
}

// plugins walks a section and returns the plugins inside the branch on each dataset.
func plugins(bops []ast.BranchOrPlugin, dataset string, out map[string][]ast.Plugin) {
	for _, bop := range bops {
		switch x := bop.(type) {
		case ast.Plugin:
			out[dataset] = append(out[dataset], x)
		case ast.Branch:
			plugins(x.IfBlock.Block, datasetOf(x.IfBlock.Condition.String()), out)
			for _, e := range x.ElseIfBlock {
				plugins(e.Block, datasetOf(e.Condition.String()), out)
			}
			plugins(x.ElseBlock.Block, dataset+"/else", out)
		}
	}
}

func datasetOf(cond string) string {
	_, after, ok := strings.Cut(cond, `== "`)
	if !ok {
		return cond
	}
	name, _, _ := strings.Cut(after, `"`)
	return name
}

func hash(p ast.Plugin, attr string) map[string]string {
	out := map[string]string{}
	for _, a := range p.Attributes {
		h, ok := a.(ast.HashAttribute)
		if !ok || h.Name() != attr {
			continue
		}
		for _, e := range h.Entries {
			if v, ok := e.Value.(ast.StringAttribute); ok {
				out[strings.Trim(e.Key.ValueString(), `"`)] = v.Value()
			}
		}
	}
	return out
}

// TestSameDissectText: each pipeline's dissect patterns are the same text in the Logstash
// pipeline (as Logstash's grammar reads it) and in the native Filebeat config, and the
// grok patterns and definitions Logstash gets are the declared ones.
func TestSameDissectText(t *testing.T) {
	c := parse(t)
	byDataset := map[string][]ast.Plugin{}
	plugins(c.Filter[0].BranchOrPlugins, "", byDataset)

	var fb struct {
		Inputs []struct {
			Fields struct {
				Event struct{ Dataset string }
			}
			Processors []map[string]map[string]any
		} `yaml:"filebeat.inputs"`
	}
	if err := yaml.Unmarshal(rendered(t, deploy.FilebeatLocal), &fb); err != nil {
		t.Fatal(err)
	}
	fbDissect := map[string][]string{}
	for _, in := range fb.Inputs {
		var texts []string
		for _, p := range in.Processors {
			if d, ok := p["dissect"]; ok {
				texts = append(texts, d["tokenizer"].(string))
			}
		}
		ds := in.Fields.Event.Dataset
		if prev, ok := fbDissect[ds]; ok && !slices.Equal(prev, texts) {
			t.Errorf("%s: Filebeat inputs disagree: %q and %q", ds, prev, texts)
		}
		fbDissect[ds] = texts
	}
	for _, p := range pipelines.Pipelines() {
		var lsDissect []string
		var groks []ast.Plugin
		for _, pl := range byDataset[p.Name] {
			switch pl.Name() {
			case "dissect":
				for _, v := range hash(pl, "mapping") {
					lsDissect = append(lsDissect, v)
				}
			case "grok":
				groks = append(groks, pl)
			}
		}
		var want []string
		for _, d := range p.Dissect {
			want = append(want, d.Pattern)
		}
		if !slices.Equal(lsDissect, want) {
			t.Errorf("%s: Logstash dissects %q, declared %q", p.Name, lsDissect, want)
		}
		if !slices.Equal(fbDissect[p.Name], want) {
			t.Errorf("%s: Filebeat dissects %q, declared %q", p.Name, fbDissect[p.Name], want)
		}
		if len(groks) != len(p.Grok) {
			t.Errorf("%s: %d grok filters, %d declared", p.Name, len(groks), len(p.Grok))
			continue
		}
		for i, g := range p.Grok {
			m := hash(groks[i], "match")
			if m[logstash.Ref(g.Field)] != g.Pattern {
				t.Errorf("%s: Logstash grok on %s is %q, declared %q", p.Name, g.Field, m[logstash.Ref(g.Field)], g.Pattern)
			}
			defs := hash(groks[i], "pattern_definitions")
			for n, re := range g.Definitions {
				if defs[n] != re {
					t.Errorf("%s: Logstash definition %s is %q, declared %q", p.Name, n, defs[n], re)
				}
			}
		}
	}
}
