package alerts

import (
	"github.com/finobs/finobs/catalog"
	"github.com/finobs/finobs/dashboards"
	"github.com/finobs/finobs/pkg/rules"
	"github.com/finobs/finobs/pkg/stack"
	"github.com/finobs/finobs/signals"
)

// Scrape target of the schema-registry tests, and its REST timer by status group.
var (
	registryTarget = rules.Target(stack.SchemaRegistry, "schema-registry")
	registryCalls  = registryTarget.With("method", "POST").With("path", "/apis/ccompat/v7/subjects/{subject}/versions")
)

// Alerts of the schema registry. Both are warnings: a producer that runs holds its schema
// id and a stream job checks ids it was started with, so a registry that is down or failing
// stops the next start of a producer, not the flow of records.
var (
	SchemaRegistryDown = rules.Alert{
		Name: "SchemaRegistryDown", When: signals.RegistryDown, For: 2 * minute, Panel: dashboards.RegistryUpPanel,
		Summary:     "The schema registry is down.",
		Description: "Prometheus has not scraped the schema registry {{ $labels.instance }} for 2 minutes: no producer can start.",
		Runbook: rules.Runbook{
			Meaning:    "The registry's management port (health and metrics) does not answer: the process is down, starting, or hung.",
			Impact:     "A producer checks and registers its schema when it starts, and refuses to start without an answer. Running producers and the stream job keep going (they hold the schema id they started with).",
			Diagnosis:  []string{"`make status` (local) shows whether schema-registry runs; its log is .stack/logs/schema-registry.log.", "`curl -s 127.0.0.1:9085/health` (local) answers when it is up; `curl -s 127.0.0.1:8085/apis/ccompat/v7/subjects` lists the subjects."},
			Mitigation: []string{"Restart it (`make up` starts what is down). Both stacks keep the schemas in a database on disk (the registry's volume in Compose, .stack/data/registry* natively): after a restart every schema keeps its id."},
		},
		Tests: []rules.Test{
			{Name: "the registry stops", At: 5 * minute,
				Fires: []rules.Firing{{Labels: registryTarget.Expect(), Value: 0}}, Series: []rules.Series{
					registryTarget.Series(catalog.Up, "1 0x9"),
				}},
			{Name: "up", At: 5 * minute, Series: []rules.Series{
				registryTarget.Series(catalog.Up, "1x10"),
			}},
		},
	}
	SchemaRegistryRequestErrors = rules.Alert{
		Name: "SchemaRegistryRequestErrors", When: signals.RegistryRequestErrors, For: 5 * minute, Panel: dashboards.RegistryErrorsPanel,
		Summary:     "The schema registry fails requests.",
		Description: "{{ $labels.instance }} answers {{ $value | humanize }} requests per second with a 5xx status.",
		Runbook: rules.Runbook{
			Meaning:    "REST calls end in a server error: the registry's storage throws, or the registry itself does. Client errors (404 for an unknown subject, 409 for a schema its compatibility rule refuses) are not counted.",
			Impact:     "Producers that start meanwhile cannot register or check their schema and refuse to start.",
			Diagnosis:  []string{"The registry's log (.stack/logs/schema-registry.log locally) has the stack trace of each failure.", "The 'Registry storage failures' panel shows whether the storage layer throws."},
			Mitigation: []string{"Restart the registry; with storage in a database, check the database first."},
		},
		Tests: []rules.Test{
			{Name: "server errors", At: 10 * minute,
				Fires: []rules.Firing{{Labels: registryTarget.Keep("instance"), Value: 0.05}}, Series: []rules.Series{
					registryCalls.With("status_code_group", "5xx").Counts(catalog.RegistryRequests, "0+3x15"),
					registryCalls.With("status_code_group", "2xx").Counts(catalog.RegistryRequests, "0+60x15"),
				}},
			{Name: "only client errors", At: 10 * minute, Series: []rules.Series{
				registryCalls.With("status_code_group", "5xx").Counts(catalog.RegistryRequests, "0x15"),
				registryCalls.With("status_code_group", "4xx").Counts(catalog.RegistryRequests, "0+30x15"),
			}},
		},
	}
)

// Registry: the schema registry the producer writes with.
var Registry = rules.Group{
	Name:      "schema-registry",
	Component: "registry",
	Alerts:    []rules.Alert{SchemaRegistryDown, SchemaRegistryRequestErrors},
}
