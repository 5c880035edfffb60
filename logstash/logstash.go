// Package logstash renders the log pipelines as one Logstash pipeline: the beats input,
// per source (event.dataset, set by Filebeat's input) the filters that parse it (json or
// kv, dissect with the same pattern text Filebeat's dissect processor runs, grok with the
// pipeline's own definitions, date, the ECS renames and conversions), and one
// elasticsearch output per index. The parsed message replaces the raw line in message;
// when a step fails, the raw line stays and the filter's failure tag says which.
package logstash

import (
	"fmt"
	"sort"
	"strings"

	lp "github.com/finobs/finobs/pkg/logpipeline"
)

// Target is where the pipeline listens and writes.
type Target struct {
	BeatsPort     int
	Elasticsearch string // URL
}

// Ref is a dotted field name as a Logstash field reference: log.level -> [log][level].
func Ref(name string) string {
	if name == "@timestamp" || name == "message" {
		return name
	}
	parts := strings.Split(name, ".")
	return "[" + strings.Join(parts, "][") + "]"
}

// str quotes a string for a Logstash config. Logstash reads backslashes literally unless
// config.support_escapes is on (it is off by default), so a pattern's \n and \z reach the
// regex engine as written; a double quote cannot be written at all.
func str(s string) (string, error) {
	if strings.Contains(s, `"`) {
		return "", fmt.Errorf("%q: a double quote cannot be written in a Logstash string without support_escapes", s)
	}
	if strings.HasSuffix(s, `\`) {
		return "", fmt.Errorf("%q ends with a backslash", s)
	}
	return `"` + s + `"`, nil
}

type writer struct {
	b   strings.Builder
	err error
}

func (w *writer) line(indent int, format string, args ...any) {
	w.b.WriteString(strings.Repeat("  ", indent))
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

func (w *writer) q(s string) string {
	out, err := str(s)
	if err != nil && w.err == nil {
		w.err = err
	}
	return out
}

// Render renders the whole pipeline config.
func Render(header string, pipelines []lp.Pipeline, t Target) ([]byte, error) {
	w := &writer{}
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		w.line(0, "# %s", l)
	}
	w.line(0, "input {")
	w.line(1, "beats {")
	w.line(2, "port => %d", t.BeatsPort)
	w.line(1, "}")
	w.line(0, "}")
	w.line(0, "")
	w.line(0, "filter {")
	for i, p := range pipelines {
		kw := "if"
		if i > 0 {
			kw = "else if"
		}
		w.line(1, "%s [event][dataset] == %s {", kw, w.q(p.Name))
		filters(w, p)
		w.line(1, "}")
	}
	w.line(1, "# Beats and Logstash bookkeeping the mapping does not hold: the raw line is the")
	w.line(1, "# file's, and message keeps it whenever parsing fails.")
	w.line(1, `mutate { remove_field => ["@version", "[event][original]"] remove_tag => ["beats_input_codec_plain_applied"] }`)
	w.line(0, "}")
	w.line(0, "")
	w.line(0, "output {")
	byIndex := map[string][]string{}
	for _, p := range pipelines {
		byIndex[p.Index.Name] = append(byIndex[p.Index.Name], p.Name)
	}
	indices := make([]string, 0, len(byIndex))
	for ix := range byIndex {
		indices = append(indices, ix)
	}
	sort.Strings(indices)
	for i, ix := range indices {
		kw := "if"
		if i > 0 {
			kw = "else if"
		}
		var names []string
		for _, n := range byIndex[ix] {
			names = append(names, w.q(n))
		}
		var index lp.Index
		for _, p := range pipelines {
			if p.Index.Name == ix {
				index = p.Index
			}
		}
		w.line(1, "%s [event][dataset] in [%s] {", kw, strings.Join(names, ", "))
		w.line(2, "elasticsearch {")
		w.line(3, "id => %s", w.q("es-"+ix))
		w.line(3, "hosts => [%s]", w.q(t.Elasticsearch))
		w.line(3, "# Security is on: the deployment puts the password in the environment (a secret file).")
		w.line(3, "user => %s", w.q(ElasticUser))
		w.line(3, "password => %s", w.q("${"+ElasticPasswordEnv+"}"))
		w.line(3, "index => %s", w.q(index.Daily()))
		w.line(3, "# Templates and ILM policies come from pipelines/ (deploy/elasticsearch).")
		w.line(3, "manage_template => false")
		w.line(3, "ilm_enabled => false")
		w.line(3, "data_stream => false")
		w.line(2, "}")
		w.line(1, "}")
	}
	w.line(0, "}")
	return []byte(w.b.String()), w.err
}

// The Elasticsearch user Logstash writes as, and the environment variable that holds its
// password (Logstash substitutes ${VAR} in pipeline settings).
const (
	ElasticUser        = "elastic"
	ElasticPasswordEnv = "ELASTIC_PASSWORD"
)

func filters(w *writer, p lp.Pipeline) {
	switch p.Format {
	case lp.JSON:
		w.line(2, "json { source => \"message\" target => %s }", w.q(lp.AttrsField))
	case lp.Logfmt:
		// kv reads quoted values without unescaping \" inside them (the Filebeat script and
		// the Go model do): a quote inside a quoted value stays escaped here.
		w.line(2, "kv { source => \"message\" target => %s field_split => \" \" value_split => \"=\" }", w.q(lp.AttrsField))
	}
	for _, d := range p.Dissect {
		w.line(2, "dissect { mapping => { %s => %s } }", w.q(Ref(d.Field)), w.q(d.Pattern))
	}
	for _, g := range p.Grok {
		w.line(2, "grok {")
		w.line(3, "match => { %s => %s }", w.q(Ref(g.Field)), w.q(g.Pattern))
		w.line(3, "pattern_definitions => {")
		names := make([]string, 0, len(g.Definitions))
		for n := range g.Definitions {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			w.line(4, "%s => %s", w.q(n), w.q(g.Definitions[n]))
		}
		w.line(3, "}")
		w.line(2, "}")
	}
	if p.Time.From != "" {
		layout := p.Time.Layout // Joda and Java share the letters; ISO8601 is the date filter's own
		zone := p.Time.Zone
		if zone == "" {
			zone = "UTC"
		}
		w.line(2, "date { match => [%s, %s] timezone => %s remove_field => [%s] }", w.q(Ref(p.Time.From)), w.q(layout), w.q(zone), w.q(Ref(p.Time.From)))
	}
	var renames, upper, convert []string
	for _, f := range p.Fields {
		renames = append(renames, fmt.Sprintf("%s => %s", w.q(Ref(f.From)), w.q(Ref(f.Name))))
		if f.Upper {
			upper = append(upper, w.q(Ref(f.Name)))
		}
		if f.Type == lp.Long {
			convert = append(convert, fmt.Sprintf("%s => \"integer\"", w.q(Ref(f.Name))))
		}
	}
	if len(renames) > 0 {
		w.line(2, "mutate { rename => { %s } }", strings.Join(renames, " "))
	}
	if len(upper) > 0 {
		w.line(2, "mutate { uppercase => [%s] }", strings.Join(upper, ", "))
	}
	if len(convert) > 0 {
		w.line(2, "mutate { convert => { %s } }", strings.Join(convert, " "))
	}
	if t := p.Temporaries(); len(t) > 0 {
		var refs []string
		for _, n := range t {
			refs = append(refs, w.q(Ref(n)))
		}
		w.line(2, "mutate { remove_field => [%s] }", strings.Join(refs, ", "))
	}
}
