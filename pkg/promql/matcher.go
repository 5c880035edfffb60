package promql

import (
	"errors"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/stack"
)

// Matcher narrows a selector.
type Matcher struct {
	typ         labels.MatchType
	name, value string
	jobs        []stack.Component // set for a job scope
}

// Eq matches label name equal to value.
func Eq(name, value string) Matcher { return Matcher{typ: labels.MatchEqual, name: name, value: value} }

// Ne matches label name not equal to value.
func Ne(name, value string) Matcher {
	return Matcher{typ: labels.MatchNotEqual, name: name, value: value}
}

// Re matches label name against a regular expression.
func Re(name, re string) Matcher { return Matcher{typ: labels.MatchRegexp, name: name, value: re} }

// NotRe matches label name not matching a regular expression.
func NotRe(name, re string) Matcher {
	return Matcher{typ: labels.MatchNotRegexp, name: name, value: re}
}

// Jobs scopes a selector to the jobs of the given components: a static matcher in rule
// form; in panel form it stays only where it narrows what the metric's exporters give, or
// where every process exports the metric (EveryProcess).
func Jobs(cs ...stack.Component) Matcher { return Matcher{name: "job", jobs: cs} }

func jobMatch(cs []stack.Component) (labels.MatchType, string) {
	if len(cs) == 1 {
		return labels.MatchEqual, string(cs[0])
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = string(c)
	}
	return labels.MatchRegexp, strings.Join(names, "|")
}

// EveryProcess says whether every kind of process exports the metric called name (up,
// process_*, jvm_*, go_*), whatever the catalog lists as its exporters: a job scope on it
// always narrows a panel, whose job variable's All is .+, so it stays in panel form.
func EveryProcess(name string) bool {
	return name == "up" || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "jvm_") || strings.HasPrefix(name, "go_")
}

// narrows says whether scope leaves out some exporter of the metric.
func narrows(scope, exporters []stack.Component) bool {
	for _, e := range exporters {
		if !slices.Contains(scope, e) {
			return true
		}
	}
	return false
}

// Narrow adds matchers ms to every selector of e whose metric declares their label, and
// leaves the other selectors as they are: what a dashboard variable over a label
// (query=~"$query") does to the queries of its board. Job scopes are not narrowing matchers.
func Narrow(e Expr, ms ...Matcher) Expr {
	for _, m := range ms {
		if m.jobs != nil {
			return Expr{&invalid{errors.New("promql: Narrow takes label matchers, not a job scope")}}
		}
	}
	return Expr{&narrowed{e: e.n, ms: ms}}
}

type narrowed struct {
	e  node
	ms []Matcher
}

func (n *narrowed) build(o opts) (parser.Expr, labelSet, error) {
	if n.e == nil {
		return nil, nil, errors.New("promql: empty expression")
	}
	o.narrow = append(slices.Clone(o.narrow), n.ms...)
	return n.e.build(o)
}

// AcrossClusters is e with its aggregations and on() matchings leaving the cluster label
// out: a panel that adds up every cluster its variable selects (a count of alerts firing
// across them). A rule on it is refused (rules.ClusterKept): an alert must never add two
// clusters together.
func AcrossClusters(e Expr) Expr {
	if e.n == nil {
		return e
	}
	return Expr{&across{e: e.n}}
}

type across struct{ e node }

func (a *across) build(o opts) (parser.Expr, labelSet, error) {
	o.across = true
	return a.e.build(o)
}
