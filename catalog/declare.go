package catalog

import (
	"sync"

	"github.com/finobs/finobs/pkg/stack"
)

// declared holds every metric of the package-level declarations, in declaration order.
var declared []*Metric

func declare(m *Metric) *Metric {
	declared = append(declared, m)
	return m
}

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default is the catalog of everything the finobs stack exports.
func Default() (*Catalog, error) {
	defaultOnce.Do(func() { defaultCat, defaultErr = New(declared...) })
	return defaultCat, defaultErr
}

// Exporter groups used by the declarations.
var (
	brokerRoles     = stack.BrokerRoles
	controllerRoles = stack.ControllerRoles
	kafkaRoles      = stack.KafkaRoles
)
