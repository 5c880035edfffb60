package sparkconnect

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Query is a handle on a running (or finished) streaming query on the server.
// ID survives restarts from the same checkpoint; RunID is new for every start.
type Query struct {
	s     *Session
	ID    string
	RunID string
	Name  string
}

// Status is the query's current status.
type Status struct {
	Message         string
	IsDataAvailable bool
	IsTriggerActive bool
	IsActive        bool
}

// QueryError is the exception a query terminated with.
type QueryError struct {
	Query      string
	Message    string
	ErrorClass string
	StackTrace string
}

func (e *QueryError) Error() string {
	if e.ErrorClass != "" {
		return fmt.Sprintf("streaming query %s failed: [%s] %s", e.Query, e.ErrorClass, e.Message)
	}
	return fmt.Sprintf("streaming query %s failed: %s", e.Query, e.Message)
}

// QueryGone reports whether err says the server knows no such query: it was restarted (its
// queries and sessions die with it) or stopped the query behind the client's back. Spark
// answers INTERNAL_ERROR, naming the query as not found.
func QueryGone(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "Streaming query") && strings.Contains(msg, "is not found")
}

func (q *Query) command(ctx context.Context, doc map[string]any) (*commandResult, error) {
	doc["queryId"] = map[string]any{"id": q.ID, "runId": q.RunID}
	cmd, err := messageFromJSON("Command", map[string]any{"streamingQueryCommand": doc})
	if err != nil {
		return nil, err
	}
	resp, err := q.s.execute(ctx, cmd)
	if err != nil {
		return nil, fmt.Errorf("sparkconnect: query %s: %w", q, err)
	}
	if resp.StreamingQueryCommandResult == nil {
		return nil, fmt.Errorf("sparkconnect: query %s: no streaming query command result", q)
	}
	return resp.StreamingQueryCommandResult, nil
}

func (q *Query) String() string {
	if q.Name != "" {
		return q.Name
	}
	return q.ID
}

// Status asks the server for the query's status.
func (q *Query) Status(ctx context.Context) (Status, error) {
	r, err := q.command(ctx, map[string]any{"status": true})
	if err != nil {
		return Status{}, err
	}
	if r.Status == nil {
		return Status{}, fmt.Errorf("sparkconnect: query %s: empty status", q)
	}
	return Status{Message: r.Status.StatusMessage, IsDataAvailable: r.Status.IsDataAvailable,
		IsTriggerActive: r.Status.IsTriggerActive, IsActive: r.Status.IsActive}, nil
}

// RecentProgress returns the progress reports the server keeps (the last 100 by default),
// oldest first.
func (q *Query) RecentProgress(ctx context.Context) ([]Progress, error) {
	return q.progress(ctx, "recentProgress")
}

// LastProgress returns the latest progress report, or nil before the first.
func (q *Query) LastProgress(ctx context.Context) (*Progress, error) {
	ps, err := q.progress(ctx, "lastProgress")
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return &ps[len(ps)-1], nil
}

func (q *Query) progress(ctx context.Context, field string) ([]Progress, error) {
	r, err := q.command(ctx, map[string]any{field: true})
	if err != nil {
		return nil, err
	}
	if r.RecentProgress == nil {
		return nil, nil
	}
	out := make([]Progress, 0, len(r.RecentProgress.RecentProgressJSON))
	for _, js := range r.RecentProgress.RecentProgressJSON {
		var p Progress
		if err := json.Unmarshal([]byte(js), &p); err != nil {
			return nil, fmt.Errorf("sparkconnect: query %s: progress %.200s: %w", q, js, err)
		}
		p.JSON = js
		out = append(out, p)
	}
	return out, nil
}

// Stop stops the query and waits for its current batch to end (the server's stop semantics).
func (q *Query) Stop(ctx context.Context) error {
	_, err := q.command(ctx, map[string]any{"stop": true})
	return err
}

// ProcessAllAvailable blocks until everything available at call time has been processed.
// Meant for tests: with a source that keeps receiving data it may not return.
func (q *Query) ProcessAllAvailable(ctx context.Context) error {
	_, err := q.command(ctx, map[string]any{"processAllAvailable": true})
	return err
}

// Explain returns the query's physical plan (extended adds the logical plans).
func (q *Query) Explain(ctx context.Context, extended bool) (string, error) {
	r, err := q.command(ctx, map[string]any{"explain": map[string]any{"extended": extended}})
	if err != nil {
		return "", err
	}
	if r.Explain == nil {
		return "", nil
	}
	return r.Explain.Result, nil
}

// Exception returns the error the query terminated with, or nil (running, or stopped cleanly).
func (q *Query) Exception(ctx context.Context) (*QueryError, error) {
	r, err := q.command(ctx, map[string]any{"exception": true})
	if err != nil {
		return nil, err
	}
	if r.Exception == nil || r.Exception.ExceptionMessage == nil {
		return nil, nil
	}
	qe := &QueryError{Query: q.String(), Message: *r.Exception.ExceptionMessage}
	if r.Exception.ErrorClass != nil {
		qe.ErrorClass = *r.Exception.ErrorClass
	}
	if r.Exception.StackTrace != nil {
		qe.StackTrace = *r.Exception.StackTrace
	}
	return qe, nil
}

// awaitSlice bounds one server-side wait so that ctx cancellation is noticed and no single RPC
// stays open for long.
const awaitSlice = 10 * time.Second

// AwaitTermination waits until the query terminates, timeout passes (timeout <= 0: no limit)
// or ctx ends. It reports whether the query terminated; a query that failed returns its
// *QueryError.
func (q *Query) AwaitTermination(ctx context.Context, timeout time.Duration) (bool, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	for {
		slice := awaitSlice
		if !deadline.IsZero() {
			left := time.Until(deadline)
			if left <= 0 {
				return false, nil
			}
			slice = min(slice, left)
		}
		r, err := q.command(ctx, map[string]any{"awaitTermination": map[string]any{"timeoutMs": slice.Milliseconds()}})
		if err != nil {
			if ctx.Err() != nil {
				return false, ctx.Err()
			}
			// A query that failed makes the await itself fail with the query's exception.
			if qe, e := q.Exception(context.WithoutCancel(ctx)); e == nil && qe != nil {
				return true, qe
			}
			return false, err
		}
		if r.AwaitTermination != nil && r.AwaitTermination.Terminated {
			qe, err := q.Exception(ctx)
			if err != nil {
				return true, err
			}
			if qe != nil {
				return true, qe
			}
			return true, nil
		}
	}
}
