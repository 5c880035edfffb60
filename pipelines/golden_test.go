package pipelines

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lp "github.com/finobs/finobs/pkg/logpipeline"
)

var update = flag.Bool("update", false, "rewrite the *-expected.json files from what the pipelines parse")

// TestGolden runs each pipeline's parse on its real sample lines and compares every event
// with the expected document; a failure names the source, the line and the field.
func TestGolden(t *testing.T) {
	for _, p := range Pipelines() {
		t.Run(p.Name, func(t *testing.T) {
			samples, err := lp.Samples(Golden(), p)
			if err != nil {
				t.Fatal(err)
			}
			if len(samples) == 0 {
				t.Fatalf("%s: no golden samples in testdata/%s", p.Name, p.Name)
			}
			byFile := map[string][]lp.Sample{}
			var files []string
			for _, s := range samples {
				if _, ok := byFile[s.File]; !ok {
					files = append(files, s.File)
				}
				byFile[s.File] = append(byFile[s.File], s)
			}
			for _, f := range files {
				got := byFile[f]
				for _, s := range got {
					if s.Err != nil {
						t.Errorf("%s: %s:%d: does not parse: %v", p.Name, f, s.Event.Line, s.Err)
					}
				}
				if *update {
					docs := make([]lp.Doc, len(got))
					for i, s := range got {
						docs[i] = s.Doc
					}
					b, err := lp.MarshalDocs(docs)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(filepath.Join("testdata", f+lp.ExpectedSuffix), b, 0o644); err != nil {
						t.Fatal(err)
					}
					continue
				}
				want, err := lp.Expected(Golden(), f)
				if err != nil {
					t.Fatalf("%v (run go test ./pipelines -update)", err)
				}
				if len(want) != len(got) {
					t.Errorf("%s: %s: %d events, %d expected", p.Name, f, len(got), len(want))
					continue
				}
				for i, s := range got {
					for _, d := range lp.Diff(s.Doc, want[i]) {
						t.Errorf("%s: %s:%d: %s", p.Name, f, s.Event.Line, d)
					}
				}
			}
		})
	}
}

// TestSetValid: the declarations pass validation, golden samples included.
func TestSetValid(t *testing.T) {
	if err := Set().Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestBadInput: each kind of bad declaration is refused with its problem and its pipeline.
func TestBadInput(t *testing.T) {
	cases := []struct {
		name    string
		mutate  func(s *lp.Set)
		problem error
		naming  string
	}{
		{"pattern misses a golden line", func(s *lp.Set) {
			s.Pipelines[0].Dissect = []lp.Dissect{{Field: "message", Pattern: "<%{ts}> %{level} %{body}"}}
		}, lp.ErrGoldenMiss, "kafka"},
		{"conflicting field types in one index", func(s *lp.Set) {
			p := &s.Pipelines[3] // stream-driver, in the pipeline index beside the producer
			p.Fields = append([]lp.Field(nil), p.Fields...)
			p.Fields[0].Type = lp.Long
		}, lp.ErrFieldConflict, "stream-driver"},
		{"field with no type", func(s *lp.Set) {
			p := &s.Pipelines[1]
			p.Fields = append([]lp.Field(nil), p.Fields...)
			p.Fields[1].Type = ""
		}, lp.ErrUntyped, "spark"},
		{"capture with no field", func(s *lp.Set) {
			p := &s.Pipelines[1]
			p.Fields = p.Fields[:3] // error.stack_trace dropped: stack is captured into nothing
		}, lp.ErrUntyped, "spark"},
		{"unknown index", func(s *lp.Set) {
			s.Pipelines[4].Index = lp.Index{Name: "finobs-logs-prom", Retention: SparkIndex.Retention}
		}, lp.ErrUnknownIndex, "prometheus"},
		{"unknown retention", func(s *lp.Set) {
			s.Pipelines[5].Index.Retention = lp.Retention{Name: "forever", Delete: 1}
		}, lp.ErrUnknownIndex, "alertmanager"},
		{"unknown retention of an index", func(s *lp.Set) {
			s.Retentions = s.Retentions[1:]
		}, lp.ErrUnknownRetention, "-"},
		{"duplicate source", func(s *lp.Set) {
			s.Pipelines = append(s.Pipelines, s.Pipelines[2])
			s.Pipelines[len(s.Pipelines)-1].Name = "producer-again"
		}, lp.ErrDuplicate, "producer-again"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := Set()
			s.Pipelines = append([]lp.Pipeline(nil), s.Pipelines...)
			c.mutate(&s)
			err := s.Validate()
			if !errors.Is(err, c.problem) {
				t.Fatalf("got %v, want %v", err, c.problem)
			}
			var e *lp.Error
			if !errors.As(err, &e) || !strings.Contains(err.Error(), "log pipeline "+c.naming+":") {
				t.Fatalf("error does not name pipeline %s: %v", c.naming, err)
			}
		})
	}
}
