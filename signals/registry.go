package signals

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/pkg/promql"
	"github.com/finobs/finobs/pkg/signal"
	"github.com/finobs/finobs/pkg/stack"
)

// The schema registry (Apicurio Registry): the producer reads it at start to register and
// check the transaction schema; a registry that is down stops a producer from starting,
// not one that runs.
var (
	registryJobs = promql.Jobs(stack.SchemaRegistry)

	RegistryUp   = scraped("registry up", "the schema registry's management port", registryJobs)
	RegistryDown = RegistryUp.EqualTo(signal.Warning, 0)

	RegistryRequestRate = &signal.Signal{
		Name:        "requests/s",
		Description: "REST calls per second the schema registry answered, by status group (1xx..5xx, and 401).",
		Unit:        signal.PerSecond, Resolution: 0.001,
		By:   []string{"status_code_group"},
		Expr: promql.Sum(promql.Rate(promql.CountSeries(catalog.RegistryRequests), window), promql.Grouped),
	}
	// RegistryServerErrors counts only 5xx: a 404 (a subject not registered yet) and a 409
	// (a schema the compatibility rule refuses) are answers to clients, not failures of the
	// registry.
	RegistryServerErrors = &signal.Signal{
		Name:        "server errors/s",
		Description: "REST calls per second the schema registry failed with a 5xx status: its storage or itself broke.",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Rate(promql.CountSeries(catalog.RegistryRequests, promql.Eq("status_code_group", "5xx")), window), promql.Grouped),
	}
	RegistryRequestErrors = RegistryServerErrors.Above(signal.Warning, 0)

	RegistryStorageFailures = &signal.Signal{
		Name:        "storage failures/s",
		Description: "Storage calls per second that threw (H2 in memory on the native stack, a database elsewhere).",
		Unit:        signal.PerSecond, Resolution: 0.0001,
		By:   []string{"instance"},
		Expr: promql.Sum(promql.Rate(promql.CountSeries(catalog.RegistryStorageCalls, promql.Eq("success", "false")), window), promql.Grouped),
	}
)

// RegistryLatencyP99 is shown on the pipeline board; no alert fires on it.
var RegistryLatencyP99 = &signal.Signal{
	Name:        "p99 request time",
	Description: "99th percentile of the time the schema registry takes to answer a REST call.",
	Unit:        signal.Seconds,
	Expr:        promql.HistogramQuantile(0.99, promql.Sum(promql.Rate(promql.Buckets(catalog.RegistryRequests), window), "le")),
}
