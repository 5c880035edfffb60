package logpipeline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Doc is a parsed event: dotted field names to values, with the leftover decoded keys as
// one object under AttrsField. It is what the golden samples' expected files hold.
type Doc map[string]any

// compiled is a pipeline with its steps compiled.
type compiled struct {
	p        Pipeline
	dissects []*dissector
	groks    []*compiledGrok
	trace    *[]GrokRun // when set, each grok step's input and captures are recorded
}

// GrokRun is one grok step run on one event: what it was given and what it captured,
// which Elastic's grok engine must capture alike.
type GrokRun struct {
	Step     int
	Input    string
	Matched  bool
	Captures map[string]string
}

// GrokRuns parses one event and returns what each grok step was given and captured.
func (p Pipeline) GrokRuns(text string) ([]GrokRun, error) {
	c, err := p.compile()
	if err != nil {
		return nil, err
	}
	var runs []GrokRun
	c.trace = &runs
	_, err = c.parse(text)
	return runs, err
}

func (p Pipeline) compile() (*compiled, error) {
	c := &compiled{p: p}
	for _, d := range p.Dissect {
		dd, err := compileDissect(d.Pattern)
		if err != nil {
			return nil, err
		}
		c.dissects = append(c.dissects, dd)
	}
	for _, g := range p.Grok {
		cg, err := compileGrok(g)
		if err != nil {
			return nil, err
		}
		c.groks = append(c.groks, cg)
	}
	return c, nil
}

// ParseError is an event the pipeline does not parse: which step and why.
type ParseError struct {
	Step string
	Err  error
}

func (e *ParseError) Error() string { return e.Step + ": " + e.Err.Error() }

// Parse parses one event as the rendered Filebeat and Logstash pipelines do: decode, the
// dissects, the groks, the time, then the renames to typed fields.
func (p Pipeline) Parse(text string) (Doc, error) {
	c, err := p.compile()
	if err != nil {
		return nil, err
	}
	return c.parse(text)
}

func (c *compiled) parse(text string) (Doc, error) {
	p := c.p
	var attrs map[string]any
	tmp := map[string]string{}
	switch p.Format {
	case JSON:
		dec := json.NewDecoder(strings.NewReader(text))
		dec.UseNumber()
		if err := dec.Decode(&attrs); err != nil {
			return nil, &ParseError{"json", err}
		}
	case Logfmt:
		var err error
		if attrs, err = decodeLogfmt(text); err != nil {
			return nil, &ParseError{"logfmt", err}
		}
	}
	get := func(path string) (any, bool) {
		if path == "message" {
			return text, true
		}
		if k, ok := strings.CutPrefix(path, AttrsField+"."); ok {
			v, ok := attrs[k]
			return v, ok
		}
		v, ok := tmp[path]
		return v, ok
	}
	getString := func(step, path string) (string, error) {
		v, ok := get(path)
		if !ok {
			return "", &ParseError{step, fmt.Errorf("no field %s", path)}
		}
		s, ok := v.(string)
		if !ok {
			return "", &ParseError{step, fmt.Errorf("%s is %T, not a string", path, v)}
		}
		return s, nil
	}
	for i, d := range c.dissects {
		step := fmt.Sprintf("dissect %q", p.Dissect[i].Pattern)
		s, err := getString(step, p.Dissect[i].Field)
		if err != nil {
			return nil, err
		}
		m, err := d.cut(s)
		if err != nil {
			return nil, &ParseError{step, err}
		}
		for k, v := range m {
			tmp[k] = v
		}
	}
	for i, g := range c.groks {
		step := fmt.Sprintf("grok %q", p.Grok[i].Pattern)
		s, err := getString(step, p.Grok[i].Field)
		if err != nil {
			return nil, err
		}
		m, ok := g.match(s)
		if c.trace != nil {
			*c.trace = append(*c.trace, GrokRun{Step: i, Input: s, Matched: ok, Captures: m})
		}
		if !ok {
			return nil, &ParseError{step, fmt.Errorf("no match")}
		}
		for k, v := range m {
			tmp[k] = v
		}
	}
	doc := Doc{"message": text, "event.dataset": p.Name, "service.name": p.Service}
	consumed := map[string]bool{}
	if p.Time.From != "" {
		s, err := getString("time", p.Time.From)
		if err != nil {
			return nil, err
		}
		ts, err := p.Time.Parse(s)
		if err != nil {
			return nil, &ParseError{"time", err}
		}
		doc["@timestamp"] = ts.Format(TimestampLayout)
		consumed[p.Time.From] = true
	}
	for _, f := range p.Fields {
		if f.From == "" {
			continue
		}
		v, ok := get(f.From)
		if !ok {
			continue
		}
		consumed[f.From] = true
		out, err := typed(f, v)
		if err != nil {
			return nil, &ParseError{"field " + f.Name, err}
		}
		doc[f.Name] = out
	}
	rest := map[string]any{}
	for k, v := range attrs {
		if !consumed[AttrsField+"."+k] {
			rest[k] = v
		}
	}
	if len(rest) > 0 {
		doc[AttrsField] = rest
	}
	return doc, nil
}

// typed converts a value to its field's type, as the renderers' convert steps do.
func typed(f Field, v any) (any, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case json.Number:
		s = x.String()
	case bool:
		s = strconv.FormatBool(x)
	default:
		return nil, fmt.Errorf("from %s: a %T is not a %s", f.From, v, f.Type)
	}
	if f.Upper {
		s = strings.ToUpper(s)
	}
	switch f.Type {
	case Long:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("from %s: %q is not a long", f.From, s)
		}
		return n, nil
	case Keyword, Text:
		return s, nil
	}
	return nil, fmt.Errorf("from %s: type %s cannot be parsed into", f.From, f.Type)
}
