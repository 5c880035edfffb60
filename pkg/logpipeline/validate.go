package logpipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// The problems validation reports; an *Error wraps one, so errors.Is tells them apart.
var (
	ErrDuplicate        = errors.New("duplicate source")
	ErrFieldConflict    = errors.New("conflicting field types in one index")
	ErrUntyped          = errors.New("field with no type")
	ErrUnknownIndex     = errors.New("unknown index")
	ErrUnknownRetention = errors.New("unknown retention")
	ErrGoldenMiss       = errors.New("pattern misses a golden line")
	ErrInvalid          = errors.New("invalid declaration")
)

// Error is one problem of one pipeline.
type Error struct {
	Pipeline string
	Problem  error // one of the Err values
	Detail   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("log pipeline %s: %v: %s", e.Pipeline, e.Problem, e.Detail)
}

func (e *Error) Unwrap() error { return e.Problem }

// Set is every pipeline with the indices and retentions they may use, and the golden
// samples: <pipeline>/<file>.log with <file>.log-expected.json beside it.
type Set struct {
	Pipelines  []Pipeline
	Indices    []Index
	Retentions []Retention
	Golden     fs.FS
}

// Validate checks every pipeline and the set as a whole; the error joins one *Error per
// problem.
func (s Set) Validate() error {
	var errs []error
	bad := func(p string, problem error, format string, args ...any) {
		errs = append(errs, &Error{Pipeline: p, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	retentions := map[string]Retention{}
	for _, r := range s.Retentions {
		if r.Name == "" || r.Delete <= 0 {
			bad("-", ErrInvalid, "retention %q: needs a name and a positive delete age", r.Name)
		}
		retentions[r.Name] = r
	}
	indices := map[string]Index{}
	for _, ix := range s.Indices {
		if r, ok := retentions[ix.Retention.Name]; !ok || r != ix.Retention {
			bad("-", ErrUnknownRetention, "index %s keeps documents by %q, which is not among the retentions", ix.Name, ix.Retention.Name)
		}
		indices[ix.Name] = ix
	}
	names := map[string]bool{}
	files := map[string]string{} // component+source -> pipeline
	for _, p := range s.Pipelines {
		if names[p.Name] {
			bad(p.Name, ErrDuplicate, "two pipelines are named %s", p.Name)
		}
		names[p.Name] = true
		for _, c := range p.Components {
			key := string(c) + p.Source.Suffix()
			if other, ok := files[key]; ok {
				bad(p.Name, ErrDuplicate, "the %s file of %s is already read by %s: every line would be indexed twice", p.Source.Suffix(), c, other)
			}
			files[key] = p.Name
		}
		for _, err := range p.check() {
			errs = append(errs, &Error{Pipeline: p.Name, Problem: problemOf(err), Detail: err.Error()})
		}
		if ix, ok := indices[p.Index.Name]; !ok || ix != p.Index {
			bad(p.Name, ErrUnknownIndex, "index %q is not among the declared indices", p.Index.Name)
		} else if _, ok := retentions[p.Index.Retention.Name]; !ok {
			bad(p.Name, ErrUnknownRetention, "index %s: retention %q is not declared", p.Index.Name, p.Index.Retention.Name)
		}
	}
	errs = append(errs, s.conflicts()...)
	if len(errs) == 0 && s.Golden != nil {
		for _, p := range s.Pipelines {
			for _, m := range s.misses(p) {
				bad(p.Name, ErrGoldenMiss, "%s", m)
			}
		}
	}
	return errors.Join(errs...)
}

type problem struct {
	kind error
	msg  string
}

func (p problem) Error() string { return p.msg }

func problemOf(err error) error {
	var p problem
	if errors.As(err, &p) {
		return p.kind
	}
	return ErrInvalid
}

func untyped(format string, args ...any) error {
	return problem{ErrUntyped, fmt.Sprintf(format, args...)}
}

var fieldNameRE = regexp.MustCompile(`^(@timestamp|[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*)$`)

// check is what one pipeline's declaration must satisfy on its own.
func (p Pipeline) check() []error {
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	if p.Name == "" || p.Service == "" {
		add(fmt.Errorf("needs a name and a service.name"))
	}
	if len(p.Components) == 0 {
		add(fmt.Errorf("reads the files of no component"))
	}
	if _, err := p.Splitter(); err != nil {
		add(err)
	}
	c, err := p.compile()
	if err != nil {
		return append(errs, err)
	}
	// Every capture must become a typed field: an untyped one would meet a strict mapping.
	captures := map[string]string{} // name -> step
	for i, d := range c.dissects {
		for _, n := range d.names() {
			captures[n] = fmt.Sprintf("dissect %q", p.Dissect[i].Pattern)
		}
	}
	for i, g := range c.groks {
		for _, n := range g.captures {
			captures[n] = fmt.Sprintf("grok %q", p.Grok[i].Pattern)
		}
	}
	readable := func(path string) bool {
		if path == "message" {
			return true
		}
		if _, ok := captures[path]; ok {
			return true
		}
		k, ok := strings.CutPrefix(path, AttrsField+".")
		return ok && k != "" && p.Format != Plain
	}
	for _, d := range p.Dissect {
		if !readable(d.Field) {
			add(fmt.Errorf("dissect %q reads %s, which no earlier step sets", d.Pattern, d.Field))
		}
	}
	for _, g := range p.Grok {
		if !readable(g.Field) {
			add(fmt.Errorf("grok %q reads %s, which no earlier step sets", g.Pattern, g.Field))
		}
	}
	used := map[string]string{}
	if p.Time.From != "" {
		if !readable(p.Time.From) {
			add(fmt.Errorf("time is read from %s, which no step sets", p.Time.From))
		}
		if _, err := p.Time.GoLayout(); err != nil {
			add(err)
		}
		if _, err := p.Time.Location(); err != nil {
			add(err)
		}
		used[p.Time.From] = "@timestamp"
	} else {
		add(fmt.Errorf("no time: every event needs its @timestamp read from it"))
	}
	seen := map[string]bool{}
	for _, f := range p.Fields {
		switch {
		case !fieldNameRE.MatchString(f.Name):
			add(fmt.Errorf("field %q: not a field name", f.Name))
		case seen[f.Name]:
			add(fmt.Errorf("field %s declared twice", f.Name))
		case f.Type == "":
			add(untyped("field %s has no type", f.Name))
		case f.Type == Attrs || f.Type == Date:
			add(fmt.Errorf("field %s: type %s is set by the pipeline itself, not renamed into", f.Name, f.Type))
		case f.Type != Keyword && f.Type != Text && f.Type != Long:
			add(untyped("field %s: type %q is not keyword, text or long", f.Name, f.Type))
		}
		seen[f.Name] = true
		if f.From == "" {
			add(fmt.Errorf("field %s: renamed from nothing (fields the shipper sets are in the envelope)", f.Name))
			continue
		}
		if !readable(f.From) {
			add(fmt.Errorf("field %s is renamed from %s, which no step sets", f.Name, f.From))
		}
		if other, ok := used[f.From]; ok {
			add(fmt.Errorf("%s is renamed to both %s and %s", f.From, other, f.Name))
		}
		used[f.From] = f.Name
	}
	steps := map[string]bool{} // captures a later step reads: temporary, dropped at the end
	for _, d := range p.Dissect {
		steps[d.Field] = true
	}
	for _, g := range p.Grok {
		steps[g.Field] = true
	}
	for _, n := range sortedKeys(captures) {
		if _, ok := used[n]; !ok && !steps[n] {
			add(untyped("%s captures %s, which becomes no typed field", captures[n], n))
		}
	}
	if p.Log4j != nil && !strings.Contains(p.Log4j.Layout, "%d") {
		add(fmt.Errorf("log4j layout %q has no %%d: the pipeline reads its time from it", p.Log4j.Layout))
	}
	return errs
}

// Mapping is every field of an index with its type: the envelope and the fields of every
// pipeline writing to it. Conflicts are reported by Validate.
func (s Set) Mapping(index string) []Field {
	byName := map[string]Field{}
	for _, f := range Envelope {
		byName[f.Name] = f
	}
	for _, p := range s.Pipelines {
		if p.Index.Name != index {
			continue
		}
		for _, f := range p.Fields {
			if _, ok := byName[f.Name]; !ok {
				byName[f.Name] = Field{Name: f.Name, Type: f.Type}
			}
		}
	}
	out := make([]Field, 0, len(byName))
	for _, n := range sortedKeys(byName) {
		out = append(out, byName[n])
	}
	return out
}

// conflicts reports a field typed two ways in one index (or against the envelope), and a
// field that is both a leaf and an object.
func (s Set) conflicts() []error {
	var errs []error
	type owner struct {
		typ Type
		by  string
	}
	byIndex := map[string]map[string]owner{}
	for _, p := range s.Pipelines {
		m := byIndex[p.Index.Name]
		if m == nil {
			m = map[string]owner{}
			for _, f := range Envelope {
				m[f.Name] = owner{f.Type, "the envelope"}
			}
			byIndex[p.Index.Name] = m
		}
		for _, f := range p.Fields {
			if f.Type == "" {
				continue
			}
			if o, ok := m[f.Name]; ok && o.typ != f.Type {
				errs = append(errs, &Error{Pipeline: p.Name, Problem: ErrFieldConflict,
					Detail: fmt.Sprintf("index %s: field %s is %s here but %s in %s", p.Index.Name, f.Name, f.Type, o.typ, o.by)})
				continue
			}
			if _, ok := m[f.Name]; !ok {
				m[f.Name] = owner{f.Type, "pipeline " + p.Name}
			}
		}
	}
	for _, ix := range sortedKeys(byIndex) {
		m := byIndex[ix]
		for _, n := range sortedKeys(m) {
			for parent := path.Dir(strings.ReplaceAll(n, ".", "/")); parent != "."; parent = path.Dir(parent) {
				if o, ok := m[strings.ReplaceAll(parent, "/", ".")]; ok && o.typ != Attrs {
					errs = append(errs, &Error{Pipeline: m[n].by, Problem: ErrFieldConflict,
						Detail: fmt.Sprintf("index %s: %s is a %s field (%s), so %s cannot be under it", ix, strings.ReplaceAll(parent, "/", "."), o.typ, o.by, n)})
				}
			}
		}
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}
