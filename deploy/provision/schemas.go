package provision

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/finobs/finobs/pipeline/schemas"
)

// Schemas registers the schema registry subjects (pipeline/schemas) with their
// compatibility levels. A schema the registry's rule refuses is an unsafe change: producers
// and the job would disagree on the records.
type Schemas struct {
	URL   string // the registry's Confluent-compatible API
	Wants []schemas.Want
}

func (s *Schemas) Name() string { return "schemas" }

func (s *Schemas) Plan(ctx context.Context) ([]Item, error) {
	cl, err := schemas.NewClient(s.URL)
	if err != nil {
		return nil, err
	}
	var items []Item
	for _, w := range s.Wants {
		it := Item{Object: "subject " + w.Subject + " at " + s.URL}
		r, err := schemas.Plan(ctx, cl, w)
		var inc *schemas.IncompatibleError
		switch {
		case errors.As(err, &inc):
			it.Action = Change
			it.Unsafe = []string{inc.Error()}
		case err != nil:
			return nil, fmt.Errorf("plan subject %s: %w", w.Subject, err)
		default:
			it.Action = map[schemas.Outcome]Action{schemas.Create: Create, schemas.Change: Change, schemas.Unchanged: Unchanged}[r.Outcome]
			for _, c := range r.Changes {
				it.Settings = append(it.Settings, Setting{Name: c})
			}
			if r.Outcome == schemas.Create {
				it.Settings = append(it.Settings, Setting{Name: "compatibility", New: string(w.Compat.String())})
			}
			if r.ID != 0 {
				it.Note = fmt.Sprintf("schema id %d version %d", r.ID, r.Version)
			}
		}
		items = append(items, it)
	}
	return items, nil
}

func (s *Schemas) Apply(ctx context.Context, items []Item, log *slog.Logger) error {
	cl, err := schemas.NewClient(s.URL)
	if err != nil {
		return err
	}
	for _, w := range s.Wants {
		r, err := schemas.Ensure(ctx, cl, w)
		if err != nil {
			return fmt.Errorf("subject %s: %w", w.Subject, err)
		}
		log.Info("subject", "subject", r.Subject, "outcome", r.Outcome, "id", r.ID, "version", r.Version)
	}
	return nil
}
