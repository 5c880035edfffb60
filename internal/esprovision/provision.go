// Package esprovision puts the committed Elasticsearch assets under deploy/elasticsearch
// (index templates, and lifecycle policies where the node has ILM) into a running node
// through go-elasticsearch. It applies what cmd/gen rendered and never renders anything of
// its own; what the node cannot take is skipped and reported, not faked.
package esprovision

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
)

// Directories of deploy/elasticsearch, applied in this order: component templates before
// the index templates that compose them.
const (
	ComponentTemplates = "component-templates"
	IndexTemplates     = "index-templates"
	Lifecycle          = "ilm"
)

// ilmModule is the module that serves ILM; the integ-test distribution lacks it.
const ilmModule = "x-pack-ilm"

// Report says what a run applied and what it skipped, and why.
type Report struct {
	Applied []string // "index template finobs-logs-kafka"
	Skipped []string // "ILM policy finobs-7d: ...", "index template x: index.lifecycle.name removed: ..."
}

func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applied %d", len(r.Applied))
	if len(r.Applied) > 0 {
		b.WriteString(": " + strings.Join(r.Applied, ", "))
	}
	if len(r.Skipped) > 0 {
		fmt.Fprintf(&b, "; skipped %d: %s", len(r.Skipped), strings.Join(r.Skipped, "; "))
	}
	return b.String()
}

// Client is a typed client for the node at url (http://host:port).
func Client(url string) (*elasticsearch.TypedClient, error) {
	return elasticsearch.NewTypedClient(elasticsearch.Config{
		Addresses: []string{url},
		Transport: &http.Transport{ResponseHeaderTimeout: 30 * time.Second},
	})
}

// Apply puts every asset found under dir (deploy/elasticsearch) into the node.
func Apply(ctx context.Context, es *elasticsearch.TypedClient, dir string) (Report, error) {
	var rep Report
	modules, err := Modules(ctx, es)
	if err != nil {
		return rep, err
	}
	hasILM := slices.Contains(modules, ilmModule)

	policies, err := files(filepath.Join(dir, Lifecycle))
	if err != nil {
		return rep, err
	}
	for _, f := range policies {
		name := baseName(f)
		if !hasILM {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("ILM policy %s: this node has no %s module (modules: %s)",
				name, ilmModule, strings.Join(modules, ", ")))
			continue
		}
		body, err := os.ReadFile(f)
		if err != nil {
			return rep, err
		}
		if _, err := es.Ilm.PutLifecycle(name).Raw(bytes.NewReader(body)).Do(ctx); err != nil {
			return rep, fmt.Errorf("put ILM policy %s (%s): %w", name, f, err)
		}
		rep.Applied = append(rep.Applied, "ILM policy "+name)
	}

	components, err := files(filepath.Join(dir, ComponentTemplates))
	if err != nil {
		return rep, err
	}
	for _, f := range components {
		name := baseName(f)
		body, removed, err := readTemplate(f, !hasILM, false)
		if err != nil {
			return rep, err
		}
		rep.Skipped = append(rep.Skipped, strips("component template", name, removed)...)
		if _, err := es.Cluster.PutComponentTemplate(name).Raw(bytes.NewReader(body)).Do(ctx); err != nil {
			return rep, fmt.Errorf("put component template %s (%s): %w", name, f, err)
		}
		rep.Applied = append(rep.Applied, "component template "+name)
	}

	templates, err := files(filepath.Join(dir, IndexTemplates))
	if err != nil {
		return rep, err
	}
	if len(templates) == 0 {
		rep.Skipped = append(rep.Skipped, "index templates: none in "+filepath.Join(dir, IndexTemplates)+" (rendered by `go run ./cmd/gen`)")
	}
	for _, f := range templates {
		name := baseName(f)
		body, removed, err := readTemplate(f, !hasILM, true)
		if err != nil {
			return rep, err
		}
		rep.Skipped = append(rep.Skipped, strips("index template", name, removed)...)
		if _, err := es.Indices.PutIndexTemplate(name).Raw(bytes.NewReader(body)).Do(ctx); err != nil {
			return rep, fmt.Errorf("put index template %s (%s): %w", name, f, err)
		}
		rep.Applied = append(rep.Applied, "index template "+name)
	}
	return rep, nil
}

func strips(kind, name string, removed []string) []string {
	var out []string
	for _, r := range removed {
		out = append(out, fmt.Sprintf("%s %s: setting %s left out: this node has no %s module", kind, name, r, ilmModule))
	}
	return out
}

// Modules lists the modules of the node (one node: the stack runs one).
func Modules(ctx context.Context, es *elasticsearch.TypedClient) ([]string, error) {
	res, err := es.Nodes.Info().Metric("plugins").Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("elasticsearch nodes info: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range res.Nodes {
		for _, m := range n.Modules {
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, m.Name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// readTemplate reads a template file; without ILM it leaves out the lifecycle settings,
// which such a node rejects as unknown, and names them.
func readTemplate(path string, noILM, index bool) ([]byte, []string, error) {
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	if !noILM {
		return body, nil, nil
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	settings := doc
	if index { // an index template holds its settings under "template"
		t, _ := doc["template"].(map[string]any)
		settings = t
	} else if t, ok := doc["template"].(map[string]any); ok {
		settings = t
	}
	s, _ := settings["settings"].(map[string]any)
	removed := stripLifecycle(s, "")
	if len(removed) == 0 {
		return body, nil, nil
	}
	out, err := json.Marshal(doc)
	return out, removed, err
}

// stripLifecycle removes index.lifecycle.* from a settings object, written flat
// ("index.lifecycle.name") or nested ({"index": {"lifecycle": {...}}}).
func stripLifecycle(s map[string]any, prefix string) []string {
	var removed []string
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		full := prefix + k
		switch {
		case full == "index.lifecycle" || strings.HasPrefix(full, "index.lifecycle.") || (prefix == "" && (k == "lifecycle" || strings.HasPrefix(k, "lifecycle."))):
			delete(s, k)
			removed = append(removed, full)
		default:
			if sub, ok := s[k].(map[string]any); ok {
				removed = append(removed, stripLifecycle(sub, full+".")...)
				if len(sub) == 0 {
					delete(s, k)
				}
			}
		}
	}
	return removed
}

// files lists the *.json files of dir, sorted; a missing dir has none.
func files(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(m)
	return m, err
}

func baseName(path string) string { return strings.TrimSuffix(filepath.Base(path), ".json") }
