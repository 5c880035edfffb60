package integration

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/finobs/finobs/internal/topology"
)

func baseURL(st topology.Stack, c topology.Component) string {
	i := st.One(c)
	port := topology.PortMetrics
	if i.Port(port) == 0 {
		port = topology.PortHTTP
	}
	return "http://" + i.Addr(port)
}

// TestMain fails every test at once, with one clear message, when the stack is not up.
func TestMain(m *testing.M) {
	st, err := topology.Local(kafkaNodes())
	if err == nil {
		err = reachable(st)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "integration: the local stack is not reachable: %v\n"+
			"Start it with `go run ./cmd/stack up` (or run `make test`, which starts and stops it).\n", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func kafkaNodes() int {
	if n, err := strconv.Atoi(os.Getenv("KAFKA_NODES")); err == nil {
		return n
	}
	return 1
}

func reachable(st topology.Stack) error {
	for _, c := range []topology.Component{topology.Prometheus, topology.Alertmanager} {
		if err := getJSON(context.Background(), baseURL(st, c)+"/-/ready", nil); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	if err := getJSON(context.Background(), baseURL(st, topology.Webhook)+"/healthz", nil); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

var client = &http.Client{Timeout: 10 * time.Second}

// getJSON GETs u and decodes a JSON answer into v (nil: only the status matters).
func getJSON(ctx context.Context, u string, v any) error {
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

// promAPI GETs a Prometheus HTTP API path and decodes its data field.
func promAPI(ctx context.Context, st topology.Stack, path string, q url.Values, data any) error {
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	u := baseURL(st, topology.Prometheus) + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	if err := getJSON(ctx, u, &env); err != nil {
		return err
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

// eventually retries f every interval until it returns nil or timeout passes; it returns
// f's last error.
func eventually(ctx context.Context, timeout, interval time.Duration, f func(context.Context) error) error {
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
