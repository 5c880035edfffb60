package topology

// The schema registry is Apicurio Registry 3 (a Quarkus application): its APIs, among them
// the Confluent-compatible one clients use, on the HTTP port, and health (/health) and
// Prometheus metrics (/metrics, Micrometer) on the separate management port.
const (
	RegistryHTTPPort       = 8080 // Quarkus' default, what the Compose service listens on
	RegistryManagementPort = 9000 // Quarkus' management interface default
	// RegistryCCompatPath is the base path of Apicurio's Confluent-compatible API (v7):
	// franz-go's sr client and Spark's decoders talk to it as to a Confluent registry.
	RegistryCCompatPath = "/apis/ccompat/v7"
)

// localRegistry is the native stack's registry, on ports of its own beside the Spark web UIs
// (8090/8091) and clear of Quarkus' defaults.
func localRegistry(host string) Instance {
	return Instance{Component: SchemaRegistry, Name: "schema-registry", Host: host,
		Ports: []Port{{PortHTTP, 8085}, {PortMetrics, 9085}}}
}

// RegistryURL is the base URL of the registry's Confluent-compatible API.
func (s Stack) RegistryURL() string {
	return "http://" + s.One(SchemaRegistry).Addr(PortHTTP) + RegistryCCompatPath
}
