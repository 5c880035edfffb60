package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/promql"
)

// ErrCluster is a rule whose expression adds clusters together: an aggregation that does
// not keep the cluster label (promql.ClusterLabel), or a vector matching that ignores it.
// One Prometheus may scrape several clusters; such a rule reads two healthy clusters as one
// broken one, or one broken cluster as healthy.
var ErrCluster = errors.New("aggregates the cluster label away")

// ClusterKept checks a rendered expression with Prometheus' parser: every aggregation keeps
// the cluster label (by (cluster, ...), or without (...) not naming it) and every binary
// operation between vectors matches on it (on (cluster, ...), or ignoring (...) not naming
// it). The error lists each part that drops it.
func ClusterKept(expr string) error {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return err
	}
	l := promql.ClusterLabel
	var bad []string
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.AggregateExpr:
			switch {
			case n.Without && slices.Contains(n.Grouping, l):
				bad = append(bad, fmt.Sprintf("%s without (%s) drops %s", n.Op, strings.Join(n.Grouping, ", "), l))
			case !n.Without && !slices.Contains(n.Grouping, l):
				by := "groups by nothing"
				if len(n.Grouping) > 0 {
					by = "groups by (" + strings.Join(n.Grouping, ", ") + ")"
				}
				bad = append(bad, fmt.Sprintf("%s of %s %s, not by %s", n.Op, n.Expr, by, l))
			}
		case *parser.BinaryExpr:
			m := n.VectorMatching
			if m == nil {
				break // a scalar side: nothing is matched
			}
			switch {
			case m.On && !slices.Contains(m.MatchingLabels, l):
				bad = append(bad, fmt.Sprintf("%s on (%s) matches series of different clusters", n.Op, strings.Join(m.MatchingLabels, ", ")))
			case !m.On && slices.Contains(m.MatchingLabels, l):
				bad = append(bad, fmt.Sprintf("%s ignoring (%s) matches series of different clusters", n.Op, strings.Join(m.MatchingLabels, ", ")))
			}
		}
		return nil
	})
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrCluster, strings.Join(bad, "; "))
}
