package promql

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// LabelError is a label that an expression uses but no metric underneath declares.
type LabelError struct {
	Label string   // the label used
	Where string   // the selector or operator that uses it
	Have  []string // the labels available there
}

func (e *LabelError) Error() string {
	return fmt.Sprintf("label %q of %s is not declared (has %s)", e.Label, e.Where, strings.Join(e.Have, ", "))
}

// labelSet is the set of label names an expression's result carries.
type labelSet map[string]bool

func (s labelSet) sorted() []string {
	out := make([]string, 0, len(s))
	for l := range s {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

func (s labelSet) need(where string, ls ...string) error {
	var errs []error
	for _, l := range ls {
		if !s[l] {
			errs = append(errs, &LabelError{Label: l, Where: where, Have: s.sorted()})
		}
	}
	return errors.Join(errs...)
}

func setOf(ls ...string) labelSet {
	s := labelSet{}
	for _, l := range ls {
		s[l] = true
	}
	return s
}
