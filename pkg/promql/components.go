package promql

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/finobs/finobs/pkg/stack"
)

// ComponentSelector is how a deployment finds the series of one component: its job names,
// or label matchers standing in for the job matcher; or that the deployment has none of it.
type ComponentSelector struct {
	Jobs     []string
	Matchers []*labels.Matcher
	Absent   bool
}

// Components are the selectors of the components a deployment names otherwise than
// finobs does (job="<component>"), set once before rendering anything, like ClusterLabel.
// Every job scope (Jobs) renders them: job names replace the component's name; matchers
// replace the job matcher of a selector scoped to that one component; an absent
// component leaves the scope, and a selector that reads only absent components (its scope
// or every exporter of its metric) is an error wrapping ErrAbsent. Nil: finobs's own
// names, every component present.
var Components map[stack.Component]ComponentSelector

// ErrAbsent is wrapped by the error of an expression that reads only components the
// deployment does not have (Components): the rule or panel it belongs to is left out.
var ErrAbsent = errors.New("reads only absent components")

// Absent says whether the deployment has no component c.
func Absent(c stack.Component) bool { return Components[c].Absent }

// JobNames is the job label values of components cs, absent ones left out: what a
// dashboard's job variable offers. ok is false when one of them is found by matchers
// other than job names (the variable then offers every job).
func JobNames(cs ...stack.Component) (names []string, ok bool) {
	for _, c := range cs {
		sel, set := Components[c]
		switch {
		case !set:
			names = append(names, string(c))
		case sel.Absent:
		case len(sel.Jobs) > 0:
			names = append(names, sel.Jobs...)
		default:
			return nil, false
		}
	}
	return names, true
}

// scopeMatchers is the matchers a job scope over cs renders.
func scopeMatchers(cs []stack.Component) ([]*labels.Matcher, error) {
	var present []stack.Component
	for _, c := range cs {
		if !Absent(c) {
			present = append(present, c)
		}
	}
	if len(present) == 0 {
		return nil, fmt.Errorf("promql: job scope %v: %w", cs, ErrAbsent)
	}
	var names []string
	for _, c := range present {
		sel, set := Components[c]
		if set && len(sel.Matchers) > 0 {
			if len(present) > 1 {
				return nil, fmt.Errorf("promql: component %s is selected by matchers and shares a job scope with %v: give it job names", c, present)
			}
			return sel.Matchers, nil
		}
		if set && len(sel.Jobs) > 0 {
			names = append(names, sel.Jobs...)
			continue
		}
		names = append(names, string(c))
	}
	if len(names) == 1 {
		return []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "job", names[0])}, nil
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	m, err := labels.NewMatcher(labels.MatchRegexp, "job", strings.Join(quoted, "|"))
	return []*labels.Matcher{m}, err
}

// SeriesLabels is the labels of a test's input series (or of an alert it expects) as the
// deployment's component selectors see them: job="<component>" becomes the component's
// first job name, or the labels its equality matchers set. A component found by other
// matchers is an error: no series can be written for it.
func SeriesLabels(ls map[string]string) (map[string]string, error) {
	sel, set := Components[stack.Component(ls["job"])]
	if !set || sel.Absent || ls["job"] == "" {
		return ls, nil
	}
	out := make(map[string]string, len(ls))
	for k, v := range ls {
		out[k] = v
	}
	if len(sel.Jobs) > 0 {
		out["job"] = sel.Jobs[0]
		return out, nil
	}
	for _, m := range sel.Matchers {
		if m.Type != labels.MatchEqual {
			return nil, fmt.Errorf("component %s is selected by %s: test series need equality matchers", ls["job"], m)
		}
		out[m.Name] = m.Value
	}
	return out, nil
}
