package live

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/finobs/finobs/pkg/grafana"
)

// LogsWindow is the time range the log queries are counted over: the Logs dashboard's
// default range.
const LogsWindow = time.Hour

// LogItems lists the Elasticsearch queries of the dashboards, with their variables at
// "All". A query on log.level (the error panels) finds lines only when something went
// wrong: it is optional.
func LogItems(d Declarations) ([]Item, error) {
	qs := d.Queries
	var items []Item
	seen := map[string]bool{}
	for _, q := range qs {
		if q.Kind != grafana.KindElasticsearch {
			continue
		}
		it := Item{Kind: "logs", Subject: q.Dashboard + " / " + q.Panel, Query: allValues(q.Expr), Counted: true}
		if strings.Contains(q.Expr, "log.level:") {
			it.Optional, it.Why = true, "matches ERROR and FATAL lines, which a healthy stack may not have"
		}
		if key := it.Subject + "\x00" + it.Query; !seen[key] {
			seen[key] = true
			items = append(items, it)
		}
	}
	return items, nil
}

// allValues sets every $variable of a Lucene query to "All" (*), as Grafana does.
func allValues(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] != '$' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && (q[j] == '_' || 'a' <= q[j] && q[j] <= 'z' || 'A' <= q[j] && q[j] <= 'Z' || '0' <= q[j] && q[j] <= '9') {
			j++
		}
		b.WriteByte('*')
		i = j - 1
	}
	return b.String()
}

// RunLogs counts each item's documents of the last LogsWindow in the log index pattern.
func RunLogs(ctx context.Context, esURL, index string, items []Item) ([]Result, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	out := make([]Result, 0, len(items))
	for _, it := range items {
		n, err := countLogs(ctx, client, esURL, index, it.Query)
		if err != nil && len(out) == 0 && strings.Contains(err.Error(), "connect") {
			return nil, fmt.Errorf("elasticsearch at %s is unreachable: %w", esURL, err)
		}
		out = append(out, Result{Item: it, Series: n, Err: err})
	}
	return out, nil
}

func countLogs(ctx context.Context, c *http.Client, esURL, index, lucene string) (int, error) {
	body, _ := json.Marshal(map[string]any{"query": map[string]any{"bool": map[string]any{"filter": []any{
		map[string]any{"query_string": map[string]any{"query": lucene}},
		map[string]any{"range": map[string]any{grafana.LogTimeField: map[string]any{"gte": fmt.Sprintf("now-%ds", int(LogsWindow.Seconds()))}}},
	}}}})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, esURL+"/"+index+"/_count", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("%s: %.200s", resp.Status, b)
	}
	var res struct {
		Count int `json:"count"`
	}
	return res.Count, json.Unmarshal(b, &res)
}

// CheckLogs runs every log query and prints a report; it fails when a required query finds
// no document.
func CheckLogs(ctx context.Context, esURL string, d Declarations, w io.Writer) error {
	items, err := LogItems(d)
	if err != nil {
		return err
	}
	results, err := RunLogs(ctx, esURL, d.LogIndex, items)
	if err != nil {
		return err
	}
	ok := 0
	var missing []string
	for _, r := range results {
		switch {
		case r.Err != nil:
			missing = append(missing, fmt.Sprintf("logs      %s: %q: error: %v", r.Subject, r.Query, r.Err))
		case r.Series == 0 && r.Optional:
			fmt.Fprintf(w, "optional  logs      %s: no documents (%s)\n", r.Subject, r.Why)
			ok++
		case r.Series == 0:
			missing = append(missing, fmt.Sprintf("logs      %s: no documents in the last %s for %q", r.Subject, LogsWindow, r.Query))
		default:
			ok++
			fmt.Fprintf(w, "logs      %s: %d documents in the last %s\n", r.Subject, r.Series, LogsWindow)
		}
	}
	fmt.Fprintf(w, "logs      %d/%d return documents\n", ok, len(results))
	if len(missing) > 0 {
		fmt.Fprintln(w, strings.Join(missing, "\n"))
		return fmt.Errorf("%d log queries return no documents from %s", len(missing), esURL)
	}
	return nil
}
