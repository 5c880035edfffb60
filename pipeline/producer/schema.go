package producer

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/finobs/finobs/pipeline/schemas"
	"github.com/finobs/finobs/topology"
)

// localRegistry is the native stack's registry, the default of Config.Registry.
func localRegistry() string {
	st, err := topology.Local(1)
	if err != nil {
		return ""
	}
	return st.RegistryURL()
}

// registerSchema makes the transaction schema the latest version of the topic's subject
// (schemas.Ensure: created, unchanged, or a new version the subject's compatibility rule
// takes) and returns its id, the one every record carries. An incompatible registered
// schema is an error naming the fields: the producer does not start.
func registerSchema(ctx context.Context, cfg Config, log *slog.Logger) (uint32, error) {
	cl, err := schemas.NewClient(cfg.Registry)
	if err != nil {
		return 0, err
	}
	want := schemas.Transactions
	want.Subject = cfg.Subject()
	res, err := schemas.Ensure(ctx, cl, want)
	if err != nil {
		return 0, fmt.Errorf("refusing to start: schema registry %s: %w", cfg.Registry, err)
	}
	log.Info("schema", "subject", res.Subject, "outcome", string(res.Outcome), "id", res.ID, "version", res.Version,
		"compatibility", want.Compat.String(), "registry", cfg.Registry)
	if res.ID <= 0 || res.ID > 1<<31-1 {
		return 0, fmt.Errorf("refusing to start: registry %s gave %s schema id %d", cfg.Registry, res.Subject, res.ID)
	}
	return uint32(res.ID), nil
}
