package catalog

import (
	"sync"

	"github.com/finobs/finobs/pkg/metric"
	"github.com/finobs/finobs/pkg/stack"
)

// declared holds every metric of the package-level declarations, in declaration order.
var declared []*metric.Metric

func declare(m *metric.Metric) *metric.Metric {
	declared = append(declared, m)
	return m
}

var (
	defaultOnce sync.Once
	defaultCat  *metric.Catalog
	defaultErr  error
)

// Default is the catalog of everything the finobs stack exports.
func Default() (*metric.Catalog, error) {
	defaultOnce.Do(func() { defaultCat, defaultErr = metric.New(declared...) })
	return defaultCat, defaultErr
}

// Exporter groups used by the declarations.
var (
	brokerRoles     = stack.BrokerRoles
	controllerRoles = stack.ControllerRoles
	kafkaRoles      = stack.KafkaRoles
)
