// Package provision applies finobs' declarations to a running stack, local or Compose: the
// Kafka topics of topics/, the Prometheus and Alertmanager configurations cmd/gen
// renders (reloaded, then checked against what runs), and Elasticsearch's index templates
// and lifecycle (internal/esprovision). Every step plans first; nothing is applied until
// every step has planned and no plan holds a change that cannot be made safely.
//
// A new kind of object (schema registry subjects, say) is one more Step: Plan reads what
// runs and returns one Item per object, Apply makes the planned changes. Append it to the
// list the caller passes to Run (see cmd/deploy).
package provision

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Action is what applying does to an object.
type Action string

const (
	Create    Action = "create"
	Change    Action = "change"
	Unchanged Action = "unchanged"
	// Put is for objects a step writes whole without reading them back first (the
	// Elasticsearch templates: a put of the same body changes nothing).
	Put Action = "put"
)

// Setting is one setting of an object that a plan changes: Old is "" when the object does
// not exist yet.
type Setting struct {
	Name, Old, New string
}

func (s Setting) String() string {
	if s.Old == "" {
		return s.Name + " " + s.New
	}
	return s.Name + " " + s.Old + " → " + s.New
}

// Item is the plan for one object.
type Item struct {
	Object   string // "topic financial_transactions"
	Action   Action
	Settings []Setting
	// Unsafe, when set, says why this change cannot be made without losing data or
	// guarantees; Run applies nothing when any item is unsafe.
	Unsafe []string
	Note   string
}

func (it Item) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", it.Object, it.Action)
	if len(it.Settings) > 0 {
		parts := make([]string, len(it.Settings))
		for i, s := range it.Settings {
			parts[i] = s.String()
		}
		b.WriteString(" " + strings.Join(parts, ", "))
	}
	if it.Note != "" {
		b.WriteString(" (" + it.Note + ")")
	}
	for _, u := range it.Unsafe {
		b.WriteString("\n    UNSAFE: " + u)
	}
	return b.String()
}

// Step is one kind of object in a running stack.
type Step interface {
	// Name is the step's name in logs and in the -steps flag: "topics", "prometheus".
	Name() string
	// Plan reads what runs and says what Apply would do; it changes nothing.
	Plan(ctx context.Context) ([]Item, error)
	// Apply makes the planned changes (items of this step's last Plan).
	Apply(ctx context.Context, items []Item, log *slog.Logger) error
}

// UnsafeError is returned when a plan holds changes that cannot be made safely.
type UnsafeError struct{ Items []Item }

func (e *UnsafeError) Error() string {
	var lines []string
	for _, it := range e.Items {
		for _, u := range it.Unsafe {
			lines = append(lines, it.Object+": "+u)
		}
	}
	return "refused, nothing was applied: " + strings.Join(lines, "; ")
}

// Options of a run.
type Options struct {
	DryRun bool
	Out    io.Writer // the plan, one line per object
	Log    *slog.Logger
}

// Plan is what a run planned, per step.
type Plan struct {
	Steps []StepPlan
}

// StepPlan is the plan of one step.
type StepPlan struct {
	Step  string
	Items []Item
}

// Count says how many objects the plan creates, changes, puts and leaves unchanged.
func (p Plan) Count() map[Action]int {
	n := map[Action]int{}
	for _, sp := range p.Steps {
		for _, it := range sp.Items {
			n[it.Action]++
		}
	}
	return n
}

// Run plans every step, prints the plan, and, unless DryRun or a change is unsafe, applies
// each step's plan in order. Nothing is applied when any step fails to plan.
func Run(ctx context.Context, steps []Step, opt Options) (Plan, error) {
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	out := opt.Out
	if out == nil {
		out = io.Discard
	}
	var plan Plan
	var unsafe []Item
	for _, s := range steps {
		t := time.Now()
		items, err := s.Plan(ctx)
		if err != nil {
			return plan, fmt.Errorf("plan %s: %w", s.Name(), err)
		}
		log.Info("planned", "step", s.Name(), "objects", len(items), "took", time.Since(t).Round(time.Millisecond))
		plan.Steps = append(plan.Steps, StepPlan{Step: s.Name(), Items: items})
		for _, it := range items {
			if len(it.Unsafe) > 0 {
				unsafe = append(unsafe, it)
			}
		}
	}
	fmt.Fprintln(out, "plan:")
	for _, sp := range plan.Steps {
		for _, it := range sp.Items {
			fmt.Fprintf(out, "  %s\n", it)
		}
	}
	n := plan.Count()
	fmt.Fprintf(out, "%d to create, %d to change, %d to put, %d unchanged\n", n[Create], n[Change], n[Put], n[Unchanged])
	if len(unsafe) > 0 {
		return plan, &UnsafeError{Items: unsafe}
	}
	if opt.DryRun {
		log.Info("dry run: nothing applied")
		return plan, nil
	}
	for i, s := range steps {
		t := time.Now()
		if err := s.Apply(ctx, plan.Steps[i].Items, log.With("step", s.Name())); err != nil {
			return plan, fmt.Errorf("apply %s: %w", s.Name(), err)
		}
		log.Info("applied", "step", s.Name(), "took", time.Since(t).Round(time.Millisecond))
	}
	return plan, nil
}

// IsUnsafe reports whether err refuses an unsafe change.
func IsUnsafe(err error) bool {
	var u *UnsafeError
	return errors.As(err, &u)
}
