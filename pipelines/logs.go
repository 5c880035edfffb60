package pipelines

import (
	"cmp"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"time"

	"github.com/finobs/finobs/capacity"
	lp "github.com/finobs/finobs/pkg/logpipeline"
)

// Indices: one per source group, so a group's retention and mapping are its own. How long
// each keeps its documents comes from the capacity plan (capacity/): the lifecycle deletes a
// daily index once its last document has been kept the whole retention.
var (
	KafkaIndex      = index(capacity.KafkaLogs)
	SparkIndex      = index(capacity.SparkLogs)
	PipelineIndex   = index(capacity.PipelineLogs) // the producer and stream driver: the trail of the money path
	MonitoringIndex = index(capacity.MonitoringLogs)
)

// index is the index group name with the deployed plan's retention: an ILM policy named by
// the retention ("finobs-logs-14d") whose delete age is the retention plus the day a daily
// index spans.
func index(name string) lp.Index {
	keep, deleteAge := capacity.LogRetention(name)
	return lp.Index{Name: name, Retention: lp.Retention{Name: fmt.Sprintf("finobs-logs-%dd", keep/(24*time.Hour)), Delete: deleteAge}}
}

// Retentions is every distinct retention of the indices, shortest first.
func Retentions() []lp.Retention {
	var out []lp.Retention
	for _, ix := range Indices() {
		if !slices.Contains(out, ix.Retention) {
			out = append(out, ix.Retention)
		}
	}
	slices.SortFunc(out, func(a, b lp.Retention) int { return cmp.Compare(a.Delete, b.Delete) })
	return out
}

// Indices is every index group.
func Indices() []lp.Index { return []lp.Index{KafkaIndex, SparkIndex, PipelineIndex, MonitoringIndex} }

// IndexPattern matches every index the pipelines write (the Logs dashboard reads it).
const IndexPattern = "finobs-logs-*"

// Pipelines is every log pipeline, in file order.
func Pipelines() []lp.Pipeline {
	return []lp.Pipeline{Kafka, Spark, Producer, StreamDriver, Prometheus, Alertmanager}
}

//go:embed testdata
var testdata embed.FS

// Golden is the golden samples: <pipeline>/<name>.log and <name>.log-expected.json.
func Golden() fs.FS {
	sub, err := fs.Sub(testdata, "testdata")
	if err != nil {
		panic(err) // the embed pattern names the directory
	}
	return sub
}

// Set is every pipeline with the indices and retentions they may use and their samples.
func Set() lp.Set {
	return lp.Set{
		Pipelines:  Pipelines(),
		Indices:    Indices(),
		Retentions: Retentions(),
		Golden:     Golden(),
	}
}

// launcherLines are what the native stack writes into a process's log before starting it,
// and the blank line before them.
var launcherLines = []string{`^==== `}

// javaStack is the stack trace log4j2 writes after a message: the throwable's line
// ("java.lang.X: message", or a bare class name) and, some lines on, its first frame.
const javaStack = `(?:[A-Za-z_$][A-Za-z0-9_$]*\.)+[A-Za-z_$][A-Za-z0-9_$]*(?::[^\n]*)?\n(?:[^\n]*\n)*?\tat [\s\S]*`
