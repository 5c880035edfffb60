package rules

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/finobs/finobs/pkg/lint"
	"github.com/finobs/finobs/pkg/signal"
)

var (
	alertNameRE  = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*$`)
	recordNameRE = regexp.MustCompile(`^[a-z_]+:[a-zA-Z0-9_]+:[a-zA-Z0-9_]+$`)
	groupNameRE  = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// What an invalid definition is wrong with; an *Error wraps one of them, so errors.Is
// tells the kind of problem and errors.As the group and rule.
var (
	ErrName        = errors.New("bad name")
	ErrDuplicate   = errors.New("duplicate name")
	ErrEmptyGroup  = errors.New("group has no rules")
	ErrExpr        = errors.New("invalid expression")
	ErrSeverity    = errors.New("bad severity")
	ErrAnnotation  = errors.New("bad annotation")
	ErrNoPanel     = errors.New("no dashboard panel explains the alert (set Panel)")
	ErrRunbook     = errors.New("runbook needs meaning, impact, diagnosis and mitigation")
	ErrTests       = errors.New("needs at least one firing and one quiet test")
	ErrTestSeries  = errors.New("bad test series")
	ErrTestTooSoon = errors.New("test evaluates before the alert's for")
	errNoCondition = errors.New("no condition (set When)")
)

// Error is a problem of one definition: its group, its rule (alert or recording rule,
// empty for the group itself) and, for a test, the test's name. It reads
// "group G, alert A, test "T": problem".
type Error struct {
	Group, Kind, Rule, Test string
	Err                     error
}

func (e *Error) Error() string {
	w := "group " + e.Group
	if e.Rule != "" {
		w += ", " + e.Kind + " " + e.Rule
	}
	if e.Test != "" {
		w += fmt.Sprintf(", test %q", e.Test)
	}
	return w + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

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

// Validate checks every group, rule and test; each error is an *Error naming the group
// and the rule. chk.Recorded is filled from the groups when nil.
func Validate(groups []Group, chk lint.Checker) error {
	if chk.Recorded == nil {
		chk.Recorded = Recorded(groups)
	}
	var errs []error
	groupNames, ruleNames := map[string]bool{}, map[string]string{}
	for _, g := range groups {
		bad := func(kind, rule string, kindErr error, format string, args ...any) {
			err := kindErr
			if format != "" {
				err = fmt.Errorf("%w: %s", kindErr, fmt.Sprintf(format, args...))
			}
			errs = append(errs, &Error{Group: g.Name, Kind: kind, Rule: rule, Err: err})
		}
		if !groupNameRE.MatchString(g.Name) {
			bad("", "", ErrName, "group name must be lower-case words joined by dashes")
		}
		if groupNames[g.Name] {
			bad("", "", ErrDuplicate, "duplicate group name")
		}
		groupNames[g.Name] = true
		if len(g.Alerts)+len(g.Recording) == 0 {
			bad("", "", ErrEmptyGroup, "")
		}
		for _, r := range g.Recording {
			if !recordNameRE.MatchString(r.Record) {
				bad("recording rule", r.Record, ErrName, "name must be level:metric:operations")
			}
			if prev, dup := ruleNames[r.Record]; dup {
				bad("recording rule", r.Record, ErrDuplicate, "name already used in group %s", prev)
			}
			ruleNames[r.Record] = g.Name
			expr, err := r.Rendered()
			if err != nil {
				bad("recording rule", r.Record, ErrExpr, "%v", err)
				continue
			}
			for _, e := range chk.Check(expr) {
				bad("recording rule", r.Record, ErrExpr, "%v", e)
			}
			if err := ClusterKept(expr); err != nil {
				errs = append(errs, &Error{Group: g.Name, Kind: "recording rule", Rule: r.Record, Err: err})
			}
		}
		for _, a := range g.Alerts {
			problem := func(kindErr error, format string, args ...any) {
				bad("alert", a.Name, kindErr, format, args...)
			}
			if !alertNameRE.MatchString(a.Name) {
				problem(ErrName, "alert name must be CamelCase")
			}
			if prev, dup := ruleNames[a.Name]; dup {
				problem(ErrDuplicate, "name already used in group %s", prev)
			}
			ruleNames[a.Name] = g.Name
			if expr, err := a.Expr(); err != nil {
				problem(ErrExpr, "%v", err)
			} else {
				for _, e := range chk.Check(expr) {
					problem(ErrExpr, "%v", e)
				}
				if err := ClusterKept(expr); err != nil {
					errs = append(errs, &Error{Group: g.Name, Kind: "alert", Rule: a.Name, Err: err})
				}
			}
			if !slices.Contains(Severities(), a.Severity()) {
				problem(ErrSeverity, "severity %q is not one of %v", a.Severity(), Severities())
			}
			if _, ok := a.Labels["severity"]; ok {
				problem(ErrSeverity, "the severity comes from the level the alert fires on, not from Labels")
			}
			switch {
			case strings.TrimSpace(a.Summary) == "":
				problem(ErrAnnotation, "missing summary annotation")
			case strings.Contains(a.Summary, "{{"):
				problem(ErrAnnotation, "summary must be static; put templated text in the description")
			}
			if strings.TrimSpace(a.Description) == "" {
				problem(ErrAnnotation, "missing description annotation")
			}
			if a.Panel == nil {
				problem(ErrNoPanel, "")
			}
			rb := a.Runbook
			if rb.Meaning == "" || rb.Impact == "" || len(rb.Diagnosis) == 0 || len(rb.Mitigation) == 0 {
				problem(ErrRunbook, "")
			}
			errs = append(errs, validateTests(g.Name, a, chk)...)
		}
	}
	return errors.Join(errs...)
}

// Severities is the allowed set, most severe first.
func Severities() []Severity { return []Severity{Critical, Warning, Info, signal.None} }

func validateTests(group string, a Alert, chk lint.Checker) []error {
	var errs []error
	bad := func(test string, kindErr error, format string, args ...any) {
		err := kindErr
		if format != "" {
			err = fmt.Errorf("%w: %s", kindErr, fmt.Sprintf(format, args...))
		}
		errs = append(errs, &Error{Group: group, Kind: "alert", Rule: a.Name, Test: test, Err: err})
	}
	fires, quiet := 0, 0
	for _, t := range a.Tests {
		if len(t.Fires) > 0 {
			fires++
			if t.At < a.For {
				bad(t.Name, ErrTestTooSoon, "evaluates at %s, before the alert's for: %s", t.At, a.For)
			}
		} else {
			quiet++
		}
		if len(t.Series) == 0 && a.Severity() != signal.None {
			bad(t.Name, ErrTestSeries, "no input series")
		}
		p := parser.NewParser(parser.Options{})
		for _, s := range t.Series {
			lbls, _, err := p.ParseSeriesDesc(s.Series + " " + s.Values)
			if err != nil {
				bad(t.Name, ErrTestSeries, "series %s: %v", s.Series, err)
				continue
			}
			name := lbls.Get("__name__")
			if _, ok := chk.Catalog.Lookup(name); !ok && !chk.Recorded[name] {
				bad(t.Name, ErrTestSeries, "input series %q is not a declared metric", name)
			}
		}
	}
	if t, _, err := a.ClusterCase(); err != nil {
		bad(t.Name, err, "")
	}
	// A heartbeat fires always: it has no quiet case.
	if fires == 0 || quiet == 0 && a.Severity() != signal.None {
		bad("", ErrTests, "has %d firing, %d quiet", fires, quiet)
	}
	return errs
}
