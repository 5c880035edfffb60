package topology

import "github.com/finobs/finobs/pkg/stack"

// The schema registry is Apicurio Registry 3 (a Quarkus application): its APIs, among them
// the Confluent-compatible one clients use (stack.RegistryCCompatPath), on the HTTP port,
// and health (/health) and Prometheus metrics (/metrics, Micrometer) on the separate
// management port.
const (
	RegistryHTTPPort       = 8080 // Quarkus' default, what the Compose service listens on
	RegistryManagementPort = 9000 // Quarkus' management interface default
	// LocalRegistryHTTPPort is the native registry's HTTP port, and the host port Compose
	// publishes its registry on: one URL on the machine for both stacks.
	LocalRegistryHTTPPort = 8085
)

// localRegistry is the native stack's registry, on ports of its own beside the Spark web UIs
// (8090/8091) and clear of Quarkus' defaults.
func localRegistry(host string) stack.Instance {
	return stack.Instance{Component: stack.SchemaRegistry, Name: "schema-registry", Host: host,
		Ports: []stack.Port{port(stack.PortHTTP, LocalRegistryHTTPPort), port(stack.PortMetrics, 9085)}}
}
