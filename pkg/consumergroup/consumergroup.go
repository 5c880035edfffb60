// Package consumergroup is how a Kafka consumer group is declared for alerting: who owns it,
// the lag past which it is behind, whether consumers should be in it. A Set of declared groups
// renders their levels as expressions that recording rules write, one series per cluster and
// group, so that an alert compares each group's lag with its own level. finobs's groups are
// declared in the top-level package consumergroups; a deployment's finobs.yaml adds its own.
package consumergroup

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/promql"
)

// Label is the label the lag exporter names a group by.
const Label = "consumergroup"

// Levels are how far behind a group may be before it is lagging.
type Levels struct {
	Records float64 // records not consumed yet, over all its partitions
	Seconds float64 // age of the oldest record it has not consumed
}

// Kind picks one of the levels.
type Kind func(Levels) float64

// The kinds of level.
var (
	Records Kind = func(l Levels) float64 { return l.Records }
	Seconds Kind = func(l Levels) float64 { return l.Seconds }
)

// Group is one declared consumer group.
type Group struct {
	Name string
	// Team receives the group's alerts (a team of the deployment's config); "" leaves them
	// to the routes by severity.
	Team string
	// Lag is where the group is behind; a level left at 0 is the Set's default.
	Lag Levels
	// Members says whether consumers should be in the group. A group whose offsets are
	// committed by a process that never joins it (the stream job's driver) has none.
	Members bool
}

// Set is the declared groups and the levels of every other group.
type Set struct {
	Groups  []Group
	Default Levels
}

// Validate checks that every group has a name of its own, no level is negative and the
// default's are positive.
func (s Set) Validate() error {
	var errs []error
	if s.Default.Records <= 0 || s.Default.Seconds <= 0 {
		errs = append(errs, fmt.Errorf("consumer groups: default levels %+v: want both above 0", s.Default))
	}
	seen := map[string]bool{}
	for i, g := range s.Groups {
		switch {
		case g.Name == "":
			errs = append(errs, fmt.Errorf("consumer group %d: no name", i))
		case seen[g.Name]:
			errs = append(errs, fmt.Errorf("consumer group %q: declared twice", g.Name))
		}
		seen[g.Name] = true
		if g.Lag.Records < 0 || g.Lag.Seconds < 0 {
			errs = append(errs, fmt.Errorf("consumer group %q: levels %+v: want 0 (the default's) or above", g.Name, g.Lag))
		}
	}
	return errors.Join(errs...)
}

// With is the set with g declared, in place of a group of the same name.
func (s Set) With(g Group) Set {
	out := Set{Groups: slices.Clone(s.Groups), Default: s.Default}
	if i := slices.IndexFunc(out.Groups, func(o Group) bool { return o.Name == g.Name }); i >= 0 {
		out.Groups[i] = g
		return out
	}
	out.Groups = append(out.Groups, g)
	return out
}

// Find is the declared group of that name.
func (s Set) Find(name string) (Group, bool) {
	i := slices.IndexFunc(s.Groups, func(g Group) bool { return g.Name == name })
	if i < 0 {
		return Group{}, false
	}
	return s.Groups[i], true
}

// Lag is g's levels, the default's where it declares none.
func (s Set) Lag(g Group) Levels {
	l := g.Lag
	if l.Records == 0 {
		l.Records = s.Default.Records
	}
	if l.Seconds == 0 {
		l.Seconds = s.Default.Seconds
	}
	return l
}

// WithMembers lists the groups that should have members.
func (s Set) WithMembers() []string {
	var out []string
	for _, g := range s.Groups {
		if g.Members {
			out = append(out, g.Name)
		}
	}
	return out
}

// Owned lists the groups of team.
func (s Set) Owned(team string) []string {
	var out []string
	for _, g := range s.Groups {
		if g.Team == team {
			out = append(out, g.Name)
		}
	}
	return out
}

// Level is the level of kind of every group, one series per cluster and group: a declared
// group's wherever base has a series of it; the default for every other group that has
// members (a group nobody declared and nobody consumes in is a finished or abandoned
// consumer: its lag grows and means nothing). Each term is
// group by (cluster, consumergroup) (...) * level, joined by or: the first term of a group
// is its level.
func (s Set) Level(kind Kind, base, members *metric.Metric) promql.Expr {
	var e promql.Expr
	or := func(t promql.Expr) {
		if e.IsZero() {
			e = t
			return
		}
		e = e.Or(t)
	}
	for _, g := range s.Groups {
		or(promql.Group(promql.Select(base, promql.Eq(Label, g.Name)), Label).Mul(promql.Num(kind(s.Lag(g)))))
	}
	or(promql.Group(promql.Select(members).GT(promql.Num(0)), Label).Mul(promql.Num(kind(s.Default))))
	return e
}

// MembersExpected is 1 for each cluster and group that should have members, where members
// has a series of it; the zero Expr when no group should.
func (s Set) MembersExpected(members *metric.Metric) promql.Expr {
	names := s.WithMembers()
	if len(names) == 0 {
		return promql.Expr{}
	}
	return promql.Group(promql.Select(members, promql.Re(Label, Regexp(names))), Label)
}

// Regexp matches exactly the given names (for a matcher's =~).
func Regexp(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(quoted, "|")
}
