package native

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// A check returns nil when the component serves.
type check func(ctx context.Context) error

var httpClient = &http.Client{Timeout: 3 * time.Second}

// httpOK checks that GET url answers 200 (after redirects).
func httpOK(url string) check {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := httpClient.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		return nil
	}
}

func tcpOpen(addr string) check {
	return func(ctx context.Context) error {
		var d net.Dialer
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
}

// kafkaBrokers checks that the broker at addr answers metadata naming want brokers and a
// controller: the cluster formed, not just a port opened.
func kafkaBrokers(addr string, want int) check {
	return func(ctx context.Context) error {
		cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DialTimeout(2*time.Second))
		if err != nil {
			return err
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		req := kmsgMetadata()
		resp, err := req.RequestWith(ctx, cl)
		if err != nil {
			return err
		}
		if len(resp.Brokers) != want {
			return fmt.Errorf("metadata from %s names %d brokers, want %d", addr, len(resp.Brokers), want)
		}
		if resp.ControllerID < 0 {
			return fmt.Errorf("metadata from %s names no controller", addr)
		}
		return nil
	}
}

func all(cs ...check) check {
	return func(ctx context.Context) error {
		for _, c := range cs {
			if err := c(ctx); err != nil {
				return err
			}
		}
		return nil
	}
}

// waitFor polls c until it passes, the process exits, or timeout.
func waitFor(ctx context.Context, c check, timeout time.Duration, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		last = c(cctx)
		ccancel()
		if last == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("process exited before it was healthy (last check: %v)", last)
		case <-ctx.Done():
			return fmt.Errorf("not healthy after %s: %v", timeout, last)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func kmsgMetadata() *kmsg.MetadataRequest {
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{} // no topics: just brokers and controller
	return req
}
