package pipelines

import (
	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// Kafka is every KRaft node: controllers, brokers and combined nodes log alike. Layout
// (Kafka 4.1's): [time] LEVEL message (logger). The logger comes last, after a message that
// may span lines (the config dumps at start-up), and a stack trace follows the logger's line.
var Kafka = lp.Pipeline{
	Name: "kafka", Service: "kafka",
	Components: stack.KafkaRoles,
	Source:     lp.EventsFile,
	Start:      `^\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}\] `,
	Dissect:    []lp.Dissect{{Field: "message", Pattern: "[%{ts}] %{level} %{body}"}},
	Grok: []lp.Grok{{
		Field: "body",
		// The message ends at the first " (logger)" closing a line; a trace may follow.
		Pattern: `\A%{MESSAGE:msg}\n? \(%{LOGGER:logger}\)(?:\n%{STACK:stack})?\z`,
		Definitions: map[string]string{
			"MESSAGE": `[\s\S]*?`,
			"LOGGER":  `[A-Za-z_$][A-Za-z0-9_$.]*`,
			"STACK":   javaStack,
		},
	}},
	Time: lp.Time{From: "ts", Layout: "yyyy-MM-dd HH:mm:ss,SSS", Zone: "UTC"},
	Fields: []lp.Field{
		{Name: "log.level", From: "level", Type: lp.Keyword},
		{Name: "log.logger", From: "logger", Type: lp.Keyword},
		{Name: "message", From: "msg", Type: lp.Text},
		{Name: "error.stack_trace", From: "stack", Type: lp.Text},
	},
	Index: KafkaIndex,
	Log4j: &lp.Log4j{
		Layout: "[%d] %p %m (%c)%n", // %d is the time layout below, in its zone
		Target: "SYSTEM_OUT",
		Root:   "INFO",
		Loggers: []lp.Logger{
			{Key: "kafka", Name: "kafka", Level: "INFO"},
			{Key: "state", Name: "state.change.logger", Level: "INFO"},
		},
	},
}
