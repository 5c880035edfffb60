package logpipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Golden samples follow the layout of Elastic's own pipeline tests: real lines in
// <pipeline>/<name>.log and the documents expected from them, one per event, in
// <name>.log-expected.json beside it.

// ExpectedSuffix ends the expected file of a sample.
const ExpectedSuffix = "-expected.json"

// GoldenFiles are the sample files of a pipeline, sorted.
func GoldenFiles(fsys fs.FS, p Pipeline) ([]string, error) {
	files, err := fs.Glob(fsys, path.Join(p.Name, "*.log"))
	sort.Strings(files)
	return files, err
}

// Sample is one event of a golden file with what the pipeline made of it.
type Sample struct {
	File  string
	Event Event
	Doc   Doc   // nil when the pipeline failed
	Err   error // why it failed
}

// Samples splits and parses every golden file of the pipeline.
func Samples(fsys fs.FS, p Pipeline) ([]Sample, error) {
	sp, err := p.Splitter()
	if err != nil {
		return nil, err
	}
	c, err := p.compile()
	if err != nil {
		return nil, err
	}
	files, err := GoldenFiles(fsys, p)
	if err != nil {
		return nil, err
	}
	var out []Sample
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		evs, err := sp.Split(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, ev := range evs {
			doc, err := c.parse(ev.Text)
			out = append(out, Sample{File: f, Event: ev, Doc: doc, Err: err})
		}
	}
	return out, nil
}

// misses are the golden events the pipeline does not parse, or "no samples".
func (s Set) misses(p Pipeline) []string {
	samples, err := Samples(s.Golden, p)
	if err != nil {
		return []string{err.Error()}
	}
	if len(samples) == 0 {
		return []string{fmt.Sprintf("no golden samples under %s/ (a pattern nobody ran on a real line)", p.Name)}
	}
	var out []string
	for _, sm := range samples {
		if sm.Err != nil {
			out = append(out, fmt.Sprintf("%s:%d: %v", sm.File, sm.Event.Line, sm.Err))
		}
	}
	return out
}

// Expected reads the expected documents of a golden file.
func Expected(fsys fs.FS, file string) ([]Doc, error) {
	b, err := fs.ReadFile(fsys, file+ExpectedSuffix)
	if err != nil {
		return nil, err
	}
	var docs []Doc
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&docs); err != nil {
		return nil, fmt.Errorf("%s: %w", file+ExpectedSuffix, err)
	}
	return docs, nil
}

// MarshalDocs writes documents as an expected file does: an indented JSON array, keys sorted.
func MarshalDocs(docs []Doc) ([]byte, error) {
	if docs == nil {
		docs = []Doc{}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	err := enc.Encode(docs)
	return b.Bytes(), err
}

// Diff compares a parsed document with the expected one field by field; each difference
// names the field.
func Diff(got, want Doc) []string {
	var out []string
	keys := map[string]bool{}
	for k := range got {
		keys[k] = true
	}
	for k := range want {
		keys[k] = true
	}
	for _, k := range sortedKeys(keys) {
		g, gok := got[k]
		w, wok := want[k]
		gs, ws := canonical(g), canonical(w)
		switch {
		case !wok:
			out = append(out, fmt.Sprintf("%s: unexpected %s", k, gs))
		case !gok:
			out = append(out, fmt.Sprintf("%s: missing, want %s", k, ws))
		case gs != ws:
			out = append(out, fmt.Sprintf("%s: got %s, want %s", k, gs, ws))
		}
	}
	return out
}

func canonical(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	// Numbers read back as json.Number and written as int64 print alike.
	return strings.TrimSpace(string(b))
}
