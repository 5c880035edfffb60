package pipelines

import (
	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// Spark is the Spark Connect server (the driver) and the standalone master and workers.
// Layout (Spark 4.1's default): time LEVEL Logger: message, then the stack trace of an
// exception. Messages span lines too (logical plans, progress JSON): a trace is told from
// them by its throwable line followed by frames.
var Spark = lp.Pipeline{
	Name: "spark", Service: "spark",
	Components: []stack.Component{stack.SparkConnect, stack.SparkMaster, stack.SparkWorker},
	Source:     lp.EventsFile,
	Start:      `^\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} `,
	Dissect:    []lp.Dissect{{Field: "message", Pattern: "%{ts} %{+ts} %{level} %{logger}: %{body}"}},
	Grok: []lp.Grok{{
		Field:   "body",
		Pattern: `\A%{MESSAGE:msg}(?:\n%{STACK:stack})?\z`,
		Definitions: map[string]string{
			"MESSAGE": `[\s\S]*?`,
			"STACK":   javaStack,
		},
	}},
	Time: lp.Time{From: "ts", Layout: "yy/MM/dd HH:mm:ss", Zone: "UTC"},
	Fields: []lp.Field{
		{Name: "log.level", From: "level", Type: lp.Keyword},
		{Name: "log.logger", From: "logger", Type: lp.Keyword},
		{Name: "message", From: "msg", Type: lp.Text},
		{Name: "error.stack_trace", From: "stack", Type: lp.Text},
	},
	Index: SparkIndex,
	Log4j: &lp.Log4j{
		Layout: "%d %p %c{1}: %m%n%ex", // %d is the time layout below, in its zone
		Target: "SYSTEM_ERR",
		Root:   "INFO",
		Loggers: []lp.Logger{
			// The Kafka client logs its whole config and every partition seek at INFO: for a
			// micro-batch every few seconds that is most of the log. Warnings stay.
			{Key: "kafka", Name: "org.apache.kafka", Level: "WARN"},
			// Spark Connect logs every RPC of every client session at INFO.
			{Key: "connectexec", Name: "org.apache.spark.sql.connect.execution", Level: "WARN"},
			{Key: "connectmgr", Name: "org.apache.spark.sql.connect.service.SparkConnectExecutionManager", Level: "WARN"},
			{Key: "connectsession", Name: "org.apache.spark.sql.connect.service.SessionHolder", Level: "WARN"},
			// Third-party noise, as in Spark's template.
			{Key: "jetty", Name: "org.sparkproject.jetty", Level: "WARN"},
			{Key: "parquet", Name: "org.apache.parquet", Level: "ERROR"},
		},
	},
}
