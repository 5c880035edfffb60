package stream

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/finobs/finobs/internal/sparkconnect"
)

// Run watches the queries until ctx ends, then stops them. It turns progress into metrics,
// marks failed queries down and starts them again from their checkpoint as the restart policy
// says. When the policy gives up on a query, Run stops the others and returns the
// *GaveUpError.
func (j *Job) Run(ctx context.Context) error {
	t := time.NewTicker(j.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return j.Stop(context.WithoutCancel(ctx))
		case <-t.C:
			err := j.Poll(ctx)
			if g := (*GaveUpError)(nil); errors.As(err, &g) {
				return errors.Join(g, j.Stop(context.WithoutCancel(ctx)))
			}
			if err != nil && ctx.Err() == nil {
				j.log.Warn("poll failed", "err", err)
			}
		}
	}
}

// Poll reads every query's status and new progress once.
func (j *Job) Poll(ctx context.Context) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	var errs []error
	for _, q := range j.queries {
		if err := j.poll(ctx, q); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", q.name, err))
		}
	}
	return errors.Join(errs...)
}

func (j *Job) poll(ctx context.Context, q *query) error {
	if q.q == nil {
		return nil
	}
	if !q.up {
		if q.gaveUp != nil {
			return q.gaveUp
		}
		if time.Now().Before(q.nextStart) {
			return nil
		}
		q.restarts = append(q.restarts, time.Now())
		j.metrics.restarts.WithLabelValues(q.name).Inc()
		j.log.Info("restarting query from its checkpoint", "query", q.name, "restarts_in_window", len(q.restarts))
		if err := j.start(ctx, q); err != nil {
			class := startFailureClass(err)
			j.log.Error("query restart failed", "query", q.name, "error_class", string(class), "err", err)
			if g := j.failed(q, class, err); g != nil {
				return g
			}
		}
		return nil
	}
	// The last report is enough when nothing was missed since the previous poll; the server
	// renders every kept report as JSON for recentProgress, which costs its CPU at every poll.
	last, err := q.q.LastProgress(ctx)
	if sparkconnect.QueryGone(err) {
		// The server restarted: the query died with it, though no one saw it end. Down, and
		// restarted from its checkpoint per the policy, as any failure.
		j.log.Error("query lost by the Spark Connect server", "query", q.name, "id", q.q.ID, "error_class", string(FailTerminated), "err", err)
		if g := j.failed(q, FailTerminated, err); g != nil {
			return g
		}
		return nil
	}
	if err != nil {
		return err
	}
	if last != nil {
		ps := []sparkconnect.Progress{*last}
		if last.RunID != q.seenRun || last.BatchID > q.seenBatch+1 {
			if ps, err = q.q.RecentProgress(ctx); err != nil {
				return err
			}
		}
		j.account(q, ps)
	}
	st, err := q.q.Status(ctx)
	if err != nil {
		return err
	}
	if st.IsActive {
		return nil
	}
	// The query ended without us stopping it: that is a failure (our queries never finish).
	qe, err := q.q.Exception(ctx)
	if err != nil {
		return err
	}
	if ps, err := q.q.RecentProgress(ctx); err == nil {
		j.account(q, ps)
	}
	class := classifyFailure(qe)
	var cause error = qe
	if qe != nil {
		j.log.Error("query failed", "query", q.name, "id", q.q.ID, "error_class", string(class), "spark_error_class", qe.ErrorClass, "err", qe.Message)
	} else {
		cause = fmt.Errorf("stream: query %s terminated without an exception (status %q)", q.name, st.Message)
		j.log.Error("query terminated", "query", q.name, "id", q.q.ID, "error_class", string(class), "status", st.Message)
	}
	if g := j.failed(q, class, cause); g != nil {
		return g
	}
	return nil
}

// failed accounts a failure of q: counts it, marks the query down and applies the restart
// policy: a restart is scheduled, or the policy gives up and the *GaveUpError is returned.
func (j *Job) failed(q *query, class FailureClass, cause error) *GaveUpError {
	now := time.Now()
	j.metrics.failed(q.name, class)
	q.up = false
	j.metrics.setUp(q.name, false)
	p := j.cfg.Restart
	kept := q.restarts[:0]
	for _, t := range q.restarts {
		if now.Sub(t) < p.Window {
			kept = append(kept, t)
		}
	}
	q.restarts = kept
	var reason string
	switch {
	case class.permanent():
		reason = fmt.Sprintf("a %s failure does not heal by restarting", class)
	case len(q.restarts) >= p.MaxRestarts:
		reason = fmt.Sprintf("the restart policy allows %d restarts in %s", p.MaxRestarts, p.Window)
	}
	if reason != "" {
		q.gaveUp = &GaveUpError{Query: q.name, Class: class, Restarts: len(q.restarts), Window: p.Window, Reason: reason, Err: cause}
		j.log.Error("giving up on the query", "query", q.name, "error_class", string(class), "restarts_in_window", len(q.restarts),
			"window", p.Window.String(), "reason", reason, "err", cause)
		return q.gaveUp
	}
	wait := p.delay(len(q.restarts))
	q.nextStart = now.Add(wait)
	j.log.Warn("query will be restarted from its checkpoint", "query", q.name, "error_class", string(class),
		"in", wait.String(), "restarts_in_window", len(q.restarts), "max_restarts", p.MaxRestarts, "window", p.Window.String())
	return nil
}

// account folds the reports not seen yet into the metrics.
func (j *Job) account(q *query, ps []sparkconnect.Progress) {
	for i := range ps {
		p := &ps[i]
		if p.RunID != q.seenRun {
			if p.RunID != q.q.RunID {
				continue // a previous run's report
			}
			q.seenRun, q.seenTime, q.seenBatch = p.RunID, "", -1
		}
		if p.Timestamp <= q.seenTime {
			continue
		}
		q.seenTime = p.Timestamp
		q.seenBatch = max(q.seenBatch, p.BatchID)
		j.metrics.observe(q.name, p)
		if p.RanBatch() && q.commits != nil {
			q.commits.offer(p)
		}
		if p.RanBatch() {
			j.log.Debug("batch", "query", q.name, "batch", p.BatchID, "rows", p.NumInputRows,
				"rows_per_s", p.ProcessedRowsPerSecond, "duration_ms", p.DurationMs["triggerExecution"])
		}
	}
}
