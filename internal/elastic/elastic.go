// Package elastic renders the Elasticsearch side of the log pipelines with go-elasticsearch's
// typed API types: one composable index template per index (explicit mappings, dynamic
// strict but for the attrs object) and one ILM policy per retention. The rendered JSON is
// the body of PUT _index_template/<name> and PUT _ilm/policy/<name>.
package elastic

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/elastic/go-elasticsearch/v8/typedapi/ilm/putlifecycle"
	"github.com/elastic/go-elasticsearch/v8/typedapi/indices/putindextemplate"
	"github.com/elastic/go-elasticsearch/v8/typedapi/types"
	"github.com/elastic/go-elasticsearch/v8/typedapi/types/enums/dynamicmapping"

	lp "github.com/finobs/finobs/pkg/logpipeline"
)

// Options of the templates.
type Options struct {
	// Lifecycle names each index's ILM policy in its settings. An Elasticsearch without ILM
	// (the native stack's integ-test node) does not know the setting: leave it out there.
	Lifecycle bool
	// Replicas per shard: 0 on a single node.
	Replicas int
}

// Template is one index template, by name.
type Template struct {
	Name    string
	Request *putindextemplate.Request
}

// Policy is one ILM policy, by name.
type Policy struct {
	Name    string
	Request *putlifecycle.Request
}

// Templates builds the template of every index the set's pipelines write, sorted by name.
func Templates(set lp.Set, o Options) ([]Template, error) {
	var out []Template
	for _, ix := range set.Indices {
		props, err := properties(set.Mapping(ix.Name))
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.Name, err)
		}
		var sources []string
		for _, p := range set.Pipelines {
			if p.Index.Name == ix.Name {
				sources = append(sources, p.Name)
			}
		}
		settings := &types.IndexSettings{
			NumberOfShards:   ptr("1"),
			NumberOfReplicas: ptr(strconv.Itoa(o.Replicas)),
		}
		if o.Lifecycle {
			settings.Lifecycle = &types.IndexSettingsLifecycle{Name: ptr(ix.Retention.Name)}
		}
		strict := dynamicmapping.Strict
		out = append(out, Template{Name: ix.Name, Request: &putindextemplate.Request{
			IndexPatterns: []string{ix.Pattern()},
			Priority:      ptr(int64(200)), // above the built-in logs-*-* templates
			Meta_: types.Metadata{
				"description":  json.RawMessage(strconv.Quote("Daily indices of " + strings.Join(sources, ", ") + "; kept by " + ix.Retention.Name)),
				"generated_by": json.RawMessage(`"go run ./cmd/gen from pipelines/"`),
			},
			Template: &types.IndexTemplateMapping{
				Settings: settings,
				Mappings: &types.TypeMapping{Dynamic: &strict, Properties: props},
			},
		}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Policies builds one ILM policy per retention: a daily index is deleted once it is as
// old as the retention (no rollover: the shippers name indices by day).
func Policies(set lp.Set) []Policy {
	var out []Policy
	for _, r := range set.Retentions {
		out = append(out, Policy{Name: r.Name, Request: &putlifecycle.Request{Policy: &types.IlmPolicy{
			Meta_: types.Metadata{"generated_by": json.RawMessage(`"go run ./cmd/gen from pipelines/"`)},
			Phases: types.Phases{
				Hot:    &types.Phase{MinAge: "0ms", Actions: &types.IlmActions{SetPriority: &types.SetPriorityAction{Priority: ptr(100)}}},
				Delete: &types.Phase{MinAge: days(r), Actions: &types.IlmActions{Delete: &types.DeleteAction{}}},
			},
		}}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func days(r lp.Retention) string {
	return strconv.Itoa(int(r.Delete.Hours()/24)) + "d"
}

// properties nests dotted field names into object properties.
func properties(fields []lp.Field) (map[string]types.Property, error) {
	root := map[string]types.Property{}
	for _, f := range fields {
		parts := strings.Split(f.Name, ".")
		m := root
		for _, part := range parts[:len(parts)-1] {
			obj, ok := m[part].(*types.ObjectProperty)
			if !ok {
				if m[part] != nil {
					return nil, fmt.Errorf("%s: %s is a leaf field", f.Name, part)
				}
				obj = &types.ObjectProperty{Properties: map[string]types.Property{}}
				m[part] = obj
			}
			m = obj.Properties
		}
		leaf := parts[len(parts)-1]
		if m[leaf] != nil {
			return nil, fmt.Errorf("%s mapped twice", f.Name)
		}
		p, err := property(f.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		m[leaf] = p
	}
	return root, nil
}

func property(t lp.Type) (types.Property, error) {
	switch t {
	case lp.Keyword:
		return &types.KeywordProperty{IgnoreAbove: ptr(1024)}, nil
	case lp.Text:
		return &types.TextProperty{}, nil
	case lp.Date:
		return &types.DateProperty{}, nil
	case lp.Long:
		return &types.LongNumberProperty{}, nil
	case lp.Attrs:
		// Kept in _source, not indexed: structured logs carry keys nobody can list.
		f := dynamicmapping.False
		return &types.ObjectProperty{Dynamic: &f}, nil
	}
	return nil, fmt.Errorf("no mapping for type %q", t)
}

// JSON renders a request as the committed files hold it: indented, keys sorted.
func JSON(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// Re-indent through a generic value: maps sort their keys, so output is stable.
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err = enc.Encode(generic)
	return out.Bytes(), err
}

func ptr[T any](v T) *T { return &v }
