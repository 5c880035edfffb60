package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/internal/lint"
)

var (
	alertNameRE  = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*$`)
	recordNameRE = regexp.MustCompile(`^[a-z_]+:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$`)
	groupNameRE  = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// Recorded lists the series names the groups' recording rules produce.
func Recorded(groups []Group) map[string]bool {
	out := map[string]bool{}
	for _, g := range groups {
		for _, r := range g.Recording {
			out[r.Record] = true
		}
	}
	return out
}

// Validate checks every group, rule and test; each error names the group and the rule.
// chk.Recorded is filled from the groups when nil.
func Validate(groups []Group, chk lint.Checker) error {
	if chk.Recorded == nil {
		chk.Recorded = Recorded(groups)
	}
	var errs []error
	bad := func(where, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
	}
	groupNames, ruleNames := map[string]bool{}, map[string]string{}
	for _, g := range groups {
		gw := "group " + g.Name
		if !groupNameRE.MatchString(g.Name) {
			bad(gw, "group name must be lower-case words joined by dashes")
		}
		if groupNames[g.Name] {
			bad(gw, "duplicate group name")
		}
		groupNames[g.Name] = true
		if len(g.Alerts)+len(g.Recording) == 0 {
			bad(gw, "group has no rules")
		}
		for _, r := range g.Recording {
			w := fmt.Sprintf("%s, recording rule %s", gw, r.Record)
			if !recordNameRE.MatchString(r.Record) {
				bad(w, "name must be level:metric:operations")
			}
			if prev, dup := ruleNames[r.Record]; dup {
				bad(w, "name already used in group %s", prev)
			}
			ruleNames[r.Record] = g.Name
			for _, e := range chk.Check(r.Expr) {
				bad(w, "%v", e)
			}
		}
		for _, a := range g.Alerts {
			w := fmt.Sprintf("%s, alert %s", gw, a.Name)
			if !alertNameRE.MatchString(a.Name) {
				bad(w, "alert name must be CamelCase")
			}
			if prev, dup := ruleNames[a.Name]; dup {
				bad(w, "name already used in group %s", prev)
			}
			ruleNames[a.Name] = g.Name
			for _, e := range chk.Check(a.Expr) {
				bad(w, "%v", e)
			}
			if !validSeverity(a.Severity) {
				bad(w, "severity %q is not one of %v", a.Severity, Severities)
			}
			if _, ok := a.Labels["severity"]; ok {
				bad(w, "set the severity through Severity, not Labels")
			}
			switch {
			case strings.TrimSpace(a.Summary) == "":
				bad(w, "missing summary annotation")
			case strings.Contains(a.Summary, "{{"):
				bad(w, "summary must be static; put templated text in the description")
			}
			if strings.TrimSpace(a.Description) == "" {
				bad(w, "missing description annotation")
			}
			if a.Panel.Dashboard == "" || a.Panel.Title == "" {
				bad(w, "no dashboard panel explains the alert (set Panel)")
			}
			rb := a.Runbook
			if rb.Meaning == "" || rb.Impact == "" || len(rb.Diagnosis) == 0 || len(rb.Mitigation) == 0 {
				bad(w, "runbook needs meaning, impact, diagnosis and mitigation")
			}
			errs = append(errs, validateTests(w, a, chk)...)
		}
	}
	return errors.Join(errs...)
}

func validSeverity(s Severity) bool {
	for _, v := range Severities {
		if s == v {
			return true
		}
	}
	return false
}

func validateTests(where string, a Alert, chk lint.Checker) []error {
	var errs []error
	fires, quiet := 0, 0
	for _, t := range a.Tests {
		w := fmt.Sprintf("%s, test %q", where, t.Name)
		if len(t.Fires) > 0 {
			fires++
			if t.At < a.For {
				errs = append(errs, fmt.Errorf("%s: evaluates at %s, before the alert's for: %s", w, t.At, a.For))
			}
		} else {
			quiet++
		}
		if len(t.Series) == 0 {
			errs = append(errs, fmt.Errorf("%s: no input series", w))
		}
		p := parser.NewParser(parser.Options{})
		for _, s := range t.Series {
			lbls, _, err := p.ParseSeriesDesc(s.Series + " " + s.Values)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: series %s: %w", w, s.Series, err))
				continue
			}
			name := lbls.Get("__name__")
			if _, ok := chk.Catalog.Lookup(name); !ok && !chk.Recorded[name] {
				errs = append(errs, fmt.Errorf("%s: input series %q is not a declared metric", w, name))
			}
		}
	}
	if fires == 0 || quiet == 0 {
		errs = append(errs, fmt.Errorf("%s: needs at least one firing and one quiet test (has %d firing, %d quiet)", where, fires, quiet))
	}
	return errs
}
