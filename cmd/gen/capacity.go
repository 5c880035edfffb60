package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/finobs/finobs/capacity"
	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/internal/sizing"
)

type capacityOptions struct {
	Scenario   string
	Units      sizing.System
	Prometheus string // "": declared inputs only
	Window     time.Duration
}

// printCapacity plans one scenario, with measured inputs when a Prometheus is given, and
// prints it. It writes no file: deploy/capacity.md is rendered by `go run ./cmd/gen`.
func printCapacity(ctx context.Context, o capacityOptions, stdout, stderr io.Writer) error {
	s, err := capacity.Find(o.Scenario)
	if err != nil {
		return err
	}
	if o.Prometheus != "" {
		log := slog.New(slog.NewTextHandler(stderr, nil))
		log.Info("measuring capacity inputs", "scenario", s.Name, "prometheus", o.Prometheus, "window", o.Window)
		var notes []string
		if s, notes, err = sizing.Measure(ctx, s, o.Prometheus, capacity.Queries{Window: o.Window}); err != nil {
			return err
		}
		for _, n := range notes {
			log.Warn(n)
		}
	}
	plans, err := deploy.CapacityPlans([]sizing.Scenario{s})
	if err != nil {
		if o.Prometheus != "" {
			// Show what was measured: the reason a plan fails is often there.
			fmt.Fprintf(stdout, "Scenario %s does not plan with these inputs:\n", s.Name)
			if terr := sizing.TextTable(stdout, sizing.InputsTable(s, o.Units)); terr != nil {
				return terr
			}
		}
		return err
	}
	if err := sizing.Text(stdout, plans[0], o.Units); err != nil {
		return fmt.Errorf("capacity: %w", err)
	}
	return nil
}
