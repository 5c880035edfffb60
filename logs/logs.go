package logs

import (
	"embed"
	"io/fs"
	"time"

	lp "github.com/finobs/finobs/internal/logpipeline"
)

const day = 24 * time.Hour

// Retentions: each is an ILM policy deleting a daily index once it is that old.
var (
	Week      = lp.Retention{Name: "finobs-logs-7d", Delete: 7 * day}
	Fortnight = lp.Retention{Name: "finobs-logs-14d", Delete: 14 * day}
	Month     = lp.Retention{Name: "finobs-logs-30d", Delete: 30 * day}
)

// Indices: one per source group, so a group's retention and mapping are its own.
var (
	KafkaIndex      = lp.Index{Name: "finobs-logs-kafka", Retention: Fortnight}
	SparkIndex      = lp.Index{Name: "finobs-logs-spark", Retention: Week}
	PipelineIndex   = lp.Index{Name: "finobs-logs-pipeline", Retention: Month} // the producer and stream driver: the trail of the money path
	MonitoringIndex = lp.Index{Name: "finobs-logs-monitoring", Retention: Week}
)

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
		Indices:    []lp.Index{KafkaIndex, SparkIndex, PipelineIndex, MonitoringIndex},
		Retentions: []lp.Retention{Week, Fortnight, Month},
		Golden:     Golden(),
	}
}

// launcherLines are what the native stack writes into a process's log before starting it,
// and the blank line before them.
var launcherLines = []string{`^==== `}

// javaStack is the stack trace log4j2 writes after a message: the throwable's line
// ("java.lang.X: message", or a bare class name) and, some lines on, its first frame.
const javaStack = `(?:[A-Za-z_$][A-Za-z0-9_$]*\.)+[A-Za-z_$][A-Za-z0-9_$]*(?::[^\n]*)?\n(?:[^\n]*\n)*?\tat [\s\S]*`
