package producer

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/stack"
)

// The producer exports exactly what the catalog declares for it: its own metrics and
// franz-go's, with the declared types, help texts and labels. No broker is needed: kprom
// registers its metrics when the client is created, and a client dials nothing until it has
// a request to send; the test then calls kprom's hooks as the client would while producing,
// so that every vector has a child.
func TestMetricsMatchCatalog(t *testing.T) {
	cfg := Defaults()
	cfg.Brokers = []string{"127.0.0.1:1"} // never dialled
	reg := prometheus.NewRegistry()
	p := &Producer{cfg: cfg}
	kgoMetrics, err := p.register(reg)
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cfg.clientOpts()
	if err != nil {
		t.Fatal(err)
	}
	if p.cl, err = kgo.NewClient(append(opts, kgo.WithHooks(kgoMetrics))...); err != nil {
		t.Fatal(err)
	}
	defer p.cl.Close() // unregisters kprom's metrics: gather before

	p.latency.Observe(0.004)
	broker := kgo.BrokerMetadata{NodeID: 1, Host: "127.0.0.1", Port: 9092}
	kgoMetrics.OnBrokerConnect(broker, 0, nil, nil)
	kgoMetrics.OnBrokerConnect(broker, 0, nil, errors.New("connection refused"))
	kgoMetrics.OnBrokerE2E(broker, 0, kgo.BrokerE2E{BytesWritten: 16384, BytesRead: 64})
	kgoMetrics.OnBrokerE2E(broker, 0, kgo.BrokerE2E{WriteErr: errors.New("broken pipe")})
	kgoMetrics.OnBrokerE2E(broker, 0, kgo.BrokerE2E{BytesWritten: 16384, ReadErr: errors.New("connection reset")})
	kgoMetrics.OnProduceBatchWritten(broker, cfg.Topic, 0, kgo.ProduceBatchMetrics{NumRecords: 60, UncompressedBytes: 16000, CompressedBytes: 4000})
	kgoMetrics.OnBrokerDisconnect(broker, nil)

	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CheckExported(stack.Producer, reg); err != nil {
		t.Errorf("the producer's metrics and the catalog disagree:\n%v", err)
	}
}
