package rules

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/model/labels"
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

// The clusters of the generated two-cluster cases (ClusterCase): a render option, as
// promql.ClusterLabel is; a deployment with clusters of its own names two of them.
var (
	BrokenCluster  = "finobs-broken"
	HealthyCluster = "finobs-healthy"
)

// AcrossInstances says whether an expression, rendered with its recorded series inlined
// (promql.Inlined), aggregates the series of several instances into one: an aggregation
// whose grouping leaves instance out.
func AcrossInstances(expr string) (bool, error) {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return false, err
	}
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if n, ok := n.(*parser.AggregateExpr); ok {
			found = found || n.Without == slices.Contains(n.Grouping, "instance")
		}
		return nil
	})
	return found, nil
}

// readsTime says whether an expression calls time(): its value depends on when it is
// evaluated, not only on the series before then.
func readsTime(expr string) bool {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return false
	}
	found := false
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if c, ok := n.(*parser.Call); ok {
			found = found || c.Func.Name == "time"
		}
		return nil
	})
	return found
}

// ClusterCase is the alert's generated two-cluster test, when it keeps the cluster label
// and aggregates across instances (in its expression or in a recording rule it reads): the
// proof that it keeps clusters apart. The series of its first firing test are put in
// cluster BrokenCluster, those of a quiet test in HealthyCluster, both in one test; the
// alert must fire as the firing test says, in the broken cluster only. The quiet test
// evaluating when the firing one does is preferred; otherwise the earlier of the two is
// shifted later (its series start with missing samples), so each cluster sees its own test
// at the common evaluation time, which an expression reading time() cannot have.
func (a Alert) ClusterCase() (Test, bool, error) {
	if !a.keepsCluster() {
		return Test{}, false, nil
	}
	expr, err := a.When.Expr().RenderWith(promql.Inlined, a.When.Level().Window(), a.When.By()...)
	if err != nil {
		return Test{}, false, err
	}
	if across, err := AcrossInstances(expr); err != nil || !across {
		return Test{}, false, err
	}
	var fires, quiet *Test
	for i := range a.Tests {
		if t := &a.Tests[i]; len(t.Fires) > 0 {
			fires = t
			break
		}
	}
	if fires == nil {
		return Test{}, false, nil
	}
	for i := range a.Tests {
		t := &a.Tests[i]
		if len(t.Fires) == 0 && t.StepOrDefault() == fires.StepOrDefault() && (quiet == nil || t.At == fires.At && quiet.At != fires.At) {
			quiet = t
		}
	}
	if quiet == nil {
		return Test{}, false, nil
	}
	at := max(fires.At, quiet.At)
	name := fmt.Sprintf("two clusters: %q in %s, %q in %s", fires.Name, BrokenCluster, quiet.Name, HealthyCluster)
	if (at != fires.At || at != quiet.At) && readsTime(expr) {
		return Test{Name: name}, false, fmt.Errorf("%w: no quiet test evaluates at %s as test %q does, and the expression reads time(), so neither can be shifted to the other's time: add a quiet test at %s",
			ErrTests, fires.At, fires.Name, fires.At)
	}
	step := fires.StepOrDefault()
	broken, err := inCluster(fires.Series, BrokenCluster, at-fires.At, step)
	if err != nil {
		return Test{Name: name}, false, err
	}
	healthy, err := inCluster(quiet.Series, HealthyCluster, at-quiet.At, step)
	if err != nil {
		return Test{Name: name}, false, err
	}
	t := Test{Name: name, At: at, Series: append(broken, healthy...), Step: fires.Step}
	for _, f := range a.withCluster(*fires) {
		t.Fires = append(t.Fires, Firing{Labels: Merge(f.Labels, map[string]string{promql.ClusterLabel: BrokenCluster}), Value: f.Value})
	}
	return t, true, nil
}

// AllTests are the alert's declared tests and its two-cluster case, if it has one: the
// tests its test file holds.
func (a Alert) AllTests() ([]Test, error) {
	t, ok, err := a.ClusterCase()
	if err != nil {
		return nil, fmt.Errorf("alert %s, test %q: %w", a.Name, t.Name, err)
	}
	if !ok {
		return a.Tests, nil
	}
	return append(slices.Clone(a.Tests), t), nil
}

// inCluster is the series with their cluster label set to cluster, each starting later by
// shift (missing samples first, one every step).
func inCluster(ss []Series, cluster string, shift, step time.Duration) ([]Series, error) {
	if shift%step != 0 {
		return nil, fmt.Errorf("%w: cannot shift series by %s, not a multiple of %s", ErrTestSeries, shift, step)
	}
	blanks := ""
	switch n := int(shift / step); {
	case n == 1:
		blanks = "_ "
	case n > 1:
		blanks = fmt.Sprintf("_x%d ", n) // n missing samples
	}
	out := make([]Series, len(ss))
	for i, s := range ss {
		ls, _, err := parser.NewParser(parser.Options{}).ParseSeriesDesc(s.Series + " " + s.Values)
		if err != nil {
			return nil, fmt.Errorf("%w: series %s: %v", ErrTestSeries, s.Series, err)
		}
		b := labels.NewBuilder(ls)
		b.Set(promql.ClusterLabel, cluster)
		out[i] = Series{Series: seriesText(b.Labels()), Values: blanks + s.Values}
	}
	return out, nil
}

// seriesText writes a label set as promtool reads an input series: name{label="value",...}.
func seriesText(ls labels.Labels) string {
	var parts []string
	ls.Range(func(l labels.Label) {
		if l.Name != labels.MetricName {
			parts = append(parts, l.Name+"="+strconv.Quote(l.Value))
		}
	})
	return ls.Get(labels.MetricName) + "{" + strings.Join(parts, ",") + "}"
}
