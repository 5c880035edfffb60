// Package generate renders a list of outputs into one tree: every output names the
// directories it owns and renders its files in memory, and generation fails as a whole, so
// nothing partial is ever written. finobs's own list is deploy.Outputs; another module
// renders its declarations with the same machinery and a list of its own.
package generate

import (
	"fmt"
	"strings"

	"github.com/finobs/finobs/pkg/render"
)

// Output is one part of the generated tree; see render.Output.
type Output = render.Output

// Result is what one output rendered.
type Result struct {
	Output string
	Files  int
	Counts []render.Count
}

// Run renders every output, in order, into one set: an output that fails, or two that
// write the same path, fail the whole run.
func Run(outputs []Output) (*render.Set, []Result, error) {
	set := &render.Set{}
	var results []Result
	for _, o := range outputs {
		files, counts, err := o.Render()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		if err := set.Add(files...); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		results = append(results, Result{Output: o.Name, Files: len(files), Counts: counts})
	}
	return set, results, nil
}

// Owned are the directories (or files) whose every file is generated, over all outputs: a
// file there that no output writes is stale.
func Owned(outputs []Output) []string {
	var out []string
	for _, o := range outputs {
		out = append(out, o.Owns...)
	}
	return out
}

// Results formats the results one output a line.
func Results(rs []Result) string {
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = fmt.Sprintf("  %-12s %3d files: %s", r.Output, r.Files, render.Counts(r.Counts))
	}
	return strings.Join(lines, "\n")
}

// Count is the figure of what in rs, summed over outputs.
func Count(rs []Result, what string) int {
	n := 0
	for _, r := range rs {
		for _, c := range r.Counts {
			if c.What == what {
				n += c.N
			}
		}
	}
	return n
}
