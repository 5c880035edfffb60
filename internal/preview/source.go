package preview

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Series is one series of a range query result.
type Series struct {
	Labels map[string]string `json:"labels"`
	Points []Point           `json:"points"`
}

// Point is a sample: Unix seconds and value.
type Point struct {
	T int64   `json:"t"`
	V float64 `json:"v"`
}

// MarshalJSON writes NaN and infinities the way Prometheus does, as strings.
func (p Point) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]any{p.T, strconv.FormatFloat(p.V, 'g', -1, 64)})
}

// UnmarshalJSON reads [t, "v"].
func (p *Point) UnmarshalJSON(b []byte) error {
	var raw [2]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	var t float64
	if err := json.Unmarshal(raw[0], &t); err != nil {
		return err
	}
	var s string
	if err := json.Unmarshal(raw[1], &s); err != nil {
		return err
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return err
	}
	p.T, p.V = int64(math.Round(t)), v
	return nil
}

// Range is the time window of a preview.
type Range struct {
	Start time.Time     `json:"start"`
	End   time.Time     `json:"end"`
	Step  time.Duration `json:"step"`
}

// Source answers PromQL range queries.
type Source interface {
	QueryRange(ctx context.Context, expr string, r Range) ([]Series, error)
}

// Prometheus queries a Prometheus server's HTTP API.
type Prometheus struct {
	URL    string
	Client *http.Client
}

// QueryRange runs /api/v1/query_range.
func (p Prometheus) QueryRange(ctx context.Context, expr string, r Range) ([]Series, error) {
	q := url.Values{}
	q.Set("query", expr)
	q.Set("start", strconv.FormatInt(r.Start.Unix(), 10))
	q.Set("end", strconv.FormatInt(r.End.Unix(), 10))
	q.Set("step", strconv.FormatFloat(r.Step.Seconds(), 'f', -1, 64))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/api/v1/query_range?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	c := p.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	var out struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string `json:"resultType"`
			Result     []struct {
				Metric map[string]string `json:"metric"`
				Values []Point           `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return nil, fmt.Errorf("query %q: HTTP %d: %w", expr, resp.StatusCode, err)
	}
	if out.Status != "success" {
		return nil, fmt.Errorf("query %q: %s", expr, out.Error)
	}
	series := make([]Series, 0, len(out.Data.Result))
	for _, r := range out.Data.Result {
		series = append(series, Series{Labels: r.Metric, Points: r.Values})
	}
	return series, nil
}

// Recording is a set of recorded query results over one range: what a preview test
// renders from, with no Prometheus at hand.
type Recording struct {
	Range   Range               `json:"range"`
	Results map[string][]Series `json:"results"` // by interpolated expression
}

// QueryRange answers from the recording; an expression never recorded has no data.
func (r *Recording) QueryRange(_ context.Context, expr string, _ Range) ([]Series, error) {
	return r.Results[expr], nil
}

// LoadRecording reads a recording written by Recorder.Save.
func LoadRecording(path string) (*Recording, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Recording
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &r, nil
}

// Recorder passes queries to a Source and keeps what it answered.
type Recorder struct {
	Source Source
	mu     sync.Mutex
	rec    Recording
}

// QueryRange queries the source and records the result.
func (r *Recorder) QueryRange(ctx context.Context, expr string, rg Range) ([]Series, error) {
	s, err := r.Source.QueryRange(ctx, expr, rg)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rec.Results == nil {
		r.rec.Results = map[string][]Series{}
	}
	r.rec.Range = rg
	r.rec.Results[expr] = s
	return s, nil
}

// Save writes the recording as JSON (keys sorted, so the file diffs well).
func (r *Recorder) Save(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, ss := range r.rec.Results {
		sort.Slice(ss, func(i, j int) bool { return labelKey(ss[i].Labels) < labelKey(ss[j].Labels) })
	}
	b, err := json.MarshalIndent(r.rec, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func labelKey(l map[string]string) string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := ""
	for _, k := range keys {
		s += k + "=" + l[k] + ","
	}
	return s
}
