package catalog

import (
	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

// registry is Apicurio Registry 3, whose management port serves Micrometer's Prometheus
// registry. Its series names carry no prefix of their own.
var registry = []stack.Component{stack.SchemaRegistry}

// The schema registry's requests and storage, as Apicurio times them.
var (
	// RegistryRequests is Apicurio's timer of every REST call (its own API and the
	// Confluent-compatible one), by method, path template and status group: 1xx..5xx, and
	// 401. A series per status group exists, at 0, from the start, so an error rate needs no
	// first error to be computed.
	RegistryRequests = declare(&metric.Metric{
		Name: "rest_requests_seconds", Type: metric.Histogram, Exporter: registry, Labels: []string{"method", "path", "status_code_group"},
		Help: "Timing and results of REST endpoints calls.",
	})
	// RegistryStorageCalls times the storage layer's methods (H2 in memory on the native
	// stack, a database elsewhere); success="false" counts the calls that threw.
	RegistryStorageCalls = declare(&metric.Metric{
		Name: "storage_method_call_seconds", Type: metric.Summary, Exporter: registry, Labels: []string{"method", "success"},
		Help: "Timing and results of storage methods calls.",
	})
)
