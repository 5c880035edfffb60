// Package integration holds the tests that run against the real local stack (Kafka,
// Spark Connect, Prometheus, Alertmanager, node_exporter, webhook receiver). They need the
// stack up: `make test` runs them inside `go run ./cmd/stack exec -- go test ./...`, which
// starts it if needed. Endpoints come from topology/ (KAFKA_NODES picks 1 or 3).
package integration
