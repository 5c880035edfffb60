package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
)

// batchStats is the average produced batch.
type batchStats struct{ wireBytes, records float64 }

// gatherBatches reads kprom's produce counters (every node and topic) from reg.
func gatherBatches(reg *prometheus.Registry) (batchStats, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return batchStats{}, err
	}
	sum := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			sum[mf.GetName()] += m.GetCounter().GetValue()
		}
	}
	n := sum["kgo_produce_batches_total"]
	if n == 0 {
		return batchStats{}, fmt.Errorf("no batches counted")
	}
	return batchStats{wireBytes: sum["kgo_produce_compressed_bytes_total"] / n, records: sum["kgo_produce_records_total"] / n}, nil
}

// isJavaMetric tells a ProducerPerformance --print-metrics line ("group:name:{tags} : value").
func isJavaMetric(line string) bool {
	return strings.Contains(line, ":{") || strings.HasPrefix(line, "Metric Name") || strings.TrimSpace(line) == ""
}

var javaMetric = regexp.MustCompile(`(?m)^producer-metrics:(batch-size-avg|compression-rate-avg):\{client-id=[^}]*\}\s*:\s*([\d.]+)`)

// javaBatches reads the Java client's average batch (compressed KB) and estimates its records
// from the compression rate and the record size.
func javaBatches(out string, recordBytes float64) (kb, records float64, ok bool) {
	v := map[string]float64{}
	for _, m := range javaMetric.FindAllStringSubmatch(out, -1) {
		v[m[1]], _ = strconv.ParseFloat(m[2], 64)
	}
	size, rate := v["batch-size-avg"], v["compression-rate-avg"]
	if size == 0 || rate == 0 {
		return 0, 0, false
	}
	return size / 1e3, size / (rate * recordBytes), true
}
