package render

import (
	"fmt"
	"strings"
)

// Output is one part of the generated tree: what it is called, the directories whose every
// file it writes (a file there that no output writes is stale), and how it renders its
// files, with counts of what they hold.
type Output struct {
	Name   string
	Owns   []string
	Render func() ([]File, []Count, error)
}

// Count is one figure of an output: 40 alerts, 8 dashboards.
type Count struct {
	N    int
	What string
}

// Counts formats counts as "40 alerts, 8 dashboards".
func Counts(cs []Count) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = fmt.Sprintf("%d %s", c.N, c.What)
	}
	return strings.Join(parts, ", ")
}
