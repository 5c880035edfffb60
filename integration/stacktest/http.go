package stacktest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/finobs/finobs/pkg/stack"
)

// BaseURL is the HTTP base of component c's first instance: its metrics port, else its HTTP
// port.
func BaseURL(st stack.Stack, c stack.Component) string {
	i := st.One(c)
	port := stack.PortMetrics
	if i.Port(port) == 0 {
		port = stack.PortHTTP
	}
	return "http://" + i.Addr(port)
}

var client = &http.Client{Timeout: 10 * time.Second}

// GetJSON GETs u and decodes a JSON answer into v (nil: only the status matters).
func GetJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.300s", u, resp.Status, body)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// PromAPI GETs a path of the stack's Prometheus HTTP API and decodes its data field.
func PromAPI(ctx context.Context, st stack.Stack, path string, q url.Values, data any) error {
	return PromAPIAt(ctx, BaseURL(st, stack.Prometheus), path, q, data)
}

// PromAPIAt is PromAPI against the Prometheus at base (one the test runs itself).
func PromAPIAt(ctx context.Context, base, path string, q url.Values, data any) error {
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	u := base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	if err := GetJSON(ctx, u, &env); err != nil {
		return err
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

// Eventually retries f every interval until it returns nil or timeout passes; it returns
// f's last error.
func Eventually(ctx context.Context, timeout, interval time.Duration, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		err := f(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("after %s: %w", timeout, err)
		case <-time.After(interval):
		}
	}
}
