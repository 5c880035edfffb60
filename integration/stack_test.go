package integration

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/finobs/finobs/integration/stacktest"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/topology"
)

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

func reachable(st stack.Stack) error {
	for _, c := range []stack.Component{stack.Prometheus, stack.Alertmanager} {
		if err := stacktest.GetJSON(context.Background(), stacktest.BaseURL(st, c)+"/-/ready", nil); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
	}
	if err := stacktest.GetJSON(context.Background(), stacktest.BaseURL(st, stack.Webhook)+"/healthz", nil); err != nil {
		return fmt.Errorf("webhook: %w", err)
	}
	return nil
}

var client = &http.Client{Timeout: 10 * time.Second}
