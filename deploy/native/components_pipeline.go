package native

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/finobs/finobs/pkg/stack"
)

// The data pipeline as managed services of the native stack, as Compose runs them: the
// producer at a modest rate and the stream driver, built from this repository into the
// state directory's bin/. They start last (phase 2), after the provisioner has put the
// declared topics into Kafka. FINOBS_PIPELINE=0 leaves them out, for benchmarks and tests
// that run their own on the same metrics ports (`stack exec` leaves them out by default).

// pipelinePhase starts after Prometheus (phase 1) and the provisioner.
const pipelinePhase = 2

// DefaultProducerRate is the managed producer's records per second ($FINOBS_PRODUCER_RATE).
const DefaultProducerRate = 200

// pipeline reports whether c is a part of the data pipeline (left out by FINOBS_PIPELINE=0).
func pipeline(c stack.Component) bool {
	return c == stack.Producer || c == stack.StreamDriver
}

// PipelineEnabled reports whether `up` starts the producer and the stream driver.
func PipelineEnabled() bool { return os.Getenv("FINOBS_PIPELINE") != "0" }

func producerRate() (string, error) {
	v := os.Getenv("FINOBS_PRODUCER_RATE")
	if v == "" {
		return strconv.Itoa(DefaultProducerRate), nil
	}
	if r, err := strconv.ParseFloat(v, 64); err != nil || r <= 0 {
		return "", fmt.Errorf("FINOBS_PRODUCER_RATE=%q: want records per second > 0", v)
	}
	return v, nil
}

func producerService(p Paths, st stack.Stack, inst stack.Instance) (service, error) {
	rate, err := producerRate()
	if err != nil {
		return service{}, err
	}
	return service{
		phase: pipelinePhase,
		argv: []string{filepath.Join(p.Bin(), "produce"),
			"-brokers", st.KafkaBootstrap(), "-rate", rate,
			// The provisioner created the topic: a missing one is an error, not a topic of
			// the producer's own making.
			"-create-topic=false",
			"-metrics-addr", inst.Addr(stack.PortMetrics),
			"-progress", "1m"},
		health:  httpOK(metricsURL(inst)),
		timeout: 60 * time.Second,
		url:     metricsURL(inst),
	}, nil
}

func streamService(p Paths, st stack.Stack, inst stack.Instance) service {
	return service{
		phase: pipelinePhase,
		argv: []string{filepath.Join(p.Bin(), "stream"),
			"-spark", st.One(stack.SparkConnect).Addr(stack.PortGRPC),
			"-bootstrap", st.KafkaBootstrap(),
			"-checkpoint-dir", p.PipelineCheckpoints(st),
			"-metrics-addr", inst.Addr(stack.PortMetrics)},
		prepare: func(context.Context) error { return mkdirs(p.PipelineCheckpoints(st)) },
		health:  httpOK(metricsURL(inst)),
		timeout: 60 * time.Second,
		url:     metricsURL(inst),
	}
}

// RunningPipeline lists the managed pipeline processes that run now.
func (s *Stack) RunningPipeline() []string {
	st, err := s.Topology()
	if err != nil {
		return nil
	}
	var out []string
	for _, inst := range st.Instances {
		if !pipeline(inst.Component) {
			continue
		}
		if pf, ok, _ := readPid(s.P, inst.Name); ok && alive(pf.Pid, inst.Name) {
			out = append(out, inst.Name)
		}
	}
	return out
}
