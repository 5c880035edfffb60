// Package filebeat renders the log pipelines as Filebeat 8.1 configs: one filestream input
// per instance and pipeline, with the multiline parser of the pipeline's start-of-event
// rule and its skip lines.
//
// Compose: Filebeat only reads and ships to Logstash, which parses (Filebeat and Logstash
// reading the same files indexed every line twice in the system we replace). Native: no
// Logstash runs, and the native Elasticsearch has no ingest processors, so Filebeat cuts
// the fields itself and writes straight to Elasticsearch: decode_json_fields for JSON, the
// dissect processor with the same pattern text Logstash uses, one script processor (grok
// expressions, logfmt, the renames to ECS fields) and the timestamp processor.
package filebeat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	lp "github.com/finobs/finobs/pkg/logpipeline"
)

// LocalLogDir is where the native config reads the stack's logs: Filebeat expands the
// variable from its environment (the stack sets it to <state>/logs).
const LocalLogDir = "${FINOBS_LOG_DIR}"

// ComposeLogDir is the volume every Compose service writes its logs to and Filebeat reads.
const ComposeLogDir = "/var/log/finobs"

// Target is where a config ships to.
type Target struct {
	Logstash      string // host:port of the beats input; parsing happens there
	Elasticsearch string // URL; Filebeat parses
	// File writes the parsed events as JSON lines into this directory instead (tests:
	// the real Filebeat parsing the golden samples); Filebeat parses as for Elasticsearch.
	File string
	HTTP string // host:port of Filebeat's own stats endpoint; "" for none
	// HostName sets host.name to the instance's host (Compose: services are hosts);
	// natively every file is on Filebeat's own host, whose name Filebeat adds.
	HostName bool
}

type config struct {
	Inputs  []input        `yaml:"filebeat.inputs"`
	Output  map[string]any `yaml:"output"`
	Setup   map[string]any `yaml:"setup,omitempty"`
	HTTP    map[string]any `yaml:"http,omitempty"`
	Logging map[string]any `yaml:"logging"`
}

type input struct {
	Type            string           `yaml:"type"`
	ID              string           `yaml:"id"`
	Paths           []string         `yaml:"paths"`
	Parsers         []map[string]any `yaml:"parsers,omitempty"`
	ExcludeLines    []string         `yaml:"exclude_lines,omitempty"`
	FieldsUnderRoot bool             `yaml:"fields_under_root"`
	Fields          map[string]any   `yaml:"fields"`
	Index           string           `yaml:"index,omitempty"`
	Processors      []map[string]any `yaml:"processors,omitempty"`
}

// Render renders the config of the inputs for a target.
func Render(header string, inputs []lp.Input, t Target) ([]byte, error) {
	c := config{Logging: map[string]any{"level": "info", "metrics": map[string]any{"enabled": false}}}
	for _, in := range inputs {
		i, err := renderInput(in, t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in.ID(), err)
		}
		c.Inputs = append(c.Inputs, i)
	}
	switch {
	case t.File != "" && t.Logstash == "" && t.Elasticsearch == "":
		c.Output = map[string]any{"file": map[string]any{"path": t.File, "filename": "events", "rotate_every_kb": 1 << 20}}
	case t.Logstash != "" && t.Elasticsearch == "":
		c.Output = map[string]any{"logstash": map[string]any{"hosts": []string{t.Logstash}}}
	case t.Elasticsearch != "" && t.Logstash == "":
		c.Output = map[string]any{"elasticsearch": map[string]any{"hosts": []string{t.Elasticsearch}}}
		// Templates and lifecycle policies come from pipelines/ (internal/elastic), not Filebeat.
		c.Setup = map[string]any{"template": map[string]any{"enabled": false}, "ilm": map[string]any{"enabled": false}}
	default:
		return nil, fmt.Errorf("filebeat: ship to Logstash or to Elasticsearch, exactly one")
	}
	if t.HTTP != "" {
		host, port, _ := strings.Cut(t.HTTP, ":")
		c.HTTP = map[string]any{"enabled": true, "host": host, "port": json.Number(port)}
	}
	var b bytes.Buffer
	for _, l := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
		b.WriteString("# " + l + "\n")
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}

func renderInput(in lp.Input, t Target) (input, error) {
	p := in.Pipeline
	fields := map[string]any{
		"event":     map[string]any{"dataset": p.Name},
		"service":   map[string]any{"name": p.Service, "node": map[string]any{"name": in.Instance.Name}},
		"component": string(in.Instance.Component),
	}
	if t.HostName {
		fields["host"] = map[string]any{"name": in.Instance.Host}
	}
	i := input{
		Type: "filestream", ID: in.ID(), Paths: []string{in.Path},
		ExcludeLines:    p.Skip,
		FieldsUnderRoot: true,
		Fields:          fields,
	}
	if p.Start != "" {
		i.Parsers = []map[string]any{{"multiline": map[string]any{
			"type": "pattern", "pattern": p.Start, "negate": true, "match": "after",
			// Kafka's config dumps run to ~350 lines, Spark's plans and traces further.
			"max_lines": 10000, "timeout": "5s",
		}}}
	}
	if t.Elasticsearch != "" || t.File != "" {
		i.Index = p.Index.Daily()
		procs, err := Processors(p)
		if err != nil {
			return i, err
		}
		i.Processors = procs
	}
	return i, nil
}

// TimeField is where the script leaves the event's time for the timestamp processor:
// under @metadata, which is never indexed, so a time that does not parse leaves no
// unmapped field behind.
const TimeField = "@metadata.finobs_time"

// Processors are the native parsing steps of a pipeline, in the order the Go model
// (logpipeline.Parse) runs them.
func Processors(p lp.Pipeline) ([]map[string]any, error) {
	var out []map[string]any
	switch p.Format {
	case lp.JSON:
		out = append(out, map[string]any{"decode_json_fields": map[string]any{
			"fields": []string{"message"}, "target": lp.AttrsField, "max_depth": 1,
			"process_array": false, "overwrite_keys": false, "add_error_key": true,
		}})
	case lp.Logfmt:
		out = append(out, map[string]any{"script": map[string]any{
			"lang": "javascript", "id": p.Name + "-logfmt", "source": logfmtScript(),
		}})
	}
	for _, d := range p.Dissect {
		out = append(out, map[string]any{"dissect": map[string]any{
			"tokenizer": d.Pattern, "field": d.Field, "target_prefix": "",
		}})
	}
	src, err := finishScript(p)
	if err != nil {
		return nil, err
	}
	out = append(out, map[string]any{"script": map[string]any{"lang": "javascript", "id": p.Name + "-fields", "source": src}})
	layout, err := p.Time.GoLayout()
	if err != nil {
		return nil, err
	}
	zone := p.Time.Zone
	if zone == "" {
		zone = "UTC"
	}
	ts := map[string]any{"field": TimeField, "layouts": []string{layout}, "timezone": zone}
	if ex := TimeExample(p); ex != "" {
		ts["test"] = []string{ex} // checked when the config loads
	}
	out = append(out, map[string]any{"timestamp": ts})
	return out, nil
}

// examples are real timestamps of each layout, checked by the timestamp processor at load.
var examples = map[string]string{
	"yyyy-MM-dd HH:mm:ss,SSS": "2026-12-01 09:44:35,220",
	"yy/MM/dd HH:mm:ss":       "26/12/01 09:44:41",
	lp.ISO8601:                "2026-12-01T09:44:49.676Z",
}

// TimeExample is a timestamp in the pipeline's layout.
func TimeExample(p lp.Pipeline) string { return examples[p.Time.Layout] }

func logfmtScript() string {
	return lp.LogfmtJS() + `
function process(event) {
  var m = event.Get("message");
  if (typeof m !== "string") return;
  try {
    event.Put("` + lp.AttrsField + `", decodeLogfmt(m));
  } catch (e) {
    event.AppendTo("log.flags", "logfmt_parsing_error");
  }
}
`
}

// finishScript runs the grok steps, the renames to typed fields and leaves the time for
// the timestamp processor; whatever happens, no temporary field is left.
func finishScript(p lp.Pipeline) (string, error) {
	var b strings.Builder
	js := func(s string) string { q, _ := json.Marshal(s); return string(q) }
	for i, g := range p.Grok {
		re, caps, err := lp.JSRegExp(g)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "var grok%d = new RegExp(%s);\nvar grok%dCaptures = %s;\n", i, re, i, mustJSON(caps))
	}
	b.WriteString(`function str(v) { return typeof v === "string" ? v : String(v); }
function process(event) {
  try {
`)
	for i, g := range p.Grok {
		fmt.Fprintf(&b, `    var v%d = event.Get(%s);
    if (typeof v%d === "string") {
      var m%d = grok%d.exec(v%d + "\u0000"); // the expression's end (\\z)
      if (m%d === null) {
        event.AppendTo("log.flags", "grok_parsing_error");
      } else {
        for (var i = 0; i < grok%dCaptures.length; i++) {
          if (m%d[i + 1] !== undefined) event.Put(grok%dCaptures[i], m%d[i + 1]);
        }
      }
    }
`, i, js(g.Field), i, i, i, i, i, i, i, i, i)
	}
	for _, f := range p.Fields {
		fmt.Fprintf(&b, "    var f_%s = event.Get(%s);\n    if (f_%s !== null && f_%s !== undefined) {\n      event.Delete(%s);\n",
			ident(f.Name), js(f.From), ident(f.Name), ident(f.Name), js(f.From))
		val := "str(f_" + ident(f.Name) + ")"
		if f.Upper {
			val += ".toUpperCase()"
		}
		if f.Type == lp.Long {
			fmt.Fprintf(&b, "      var s_%s = %s;\n      if (/^[+-]?[0-9]+$/.test(s_%s)) event.Put(%s, parseInt(s_%s, 10)); else event.AppendTo(\"log.flags\", \"convert_error\");\n",
				ident(f.Name), val, ident(f.Name), js(f.Name), ident(f.Name))
		} else {
			fmt.Fprintf(&b, "      event.Put(%s, %s);\n", js(f.Name), val)
		}
		b.WriteString("    }\n")
	}
	fmt.Fprintf(&b, "    var t = event.Get(%s);\n    if (t !== null && t !== undefined) event.Put(%s, str(t));\n", js(p.Time.From), js(TimeField))
	if strings.HasPrefix(p.Time.From, lp.AttrsField+".") {
		fmt.Fprintf(&b, "    event.Delete(%s);\n", js(p.Time.From))
	}
	b.WriteString("  } finally {\n")
	for _, t := range p.Temporaries() {
		fmt.Fprintf(&b, "    event.Delete(%s);\n", js(t))
	}
	b.WriteString("  }\n}\n")
	return b.String(), nil
}

func ident(name string) string {
	return strings.NewReplacer(".", "_", "@", "_").Replace(name)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
