package pipelines

import (
	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// origin cuts a logfmt caller ("main.go:1793") into ECS's file name and line.
func origin(key string) lp.Dissect {
	return lp.Dissect{Field: "attrs." + key, Pattern: "%{file}:%{line}"}
}

var originFields = []lp.Field{
	{Name: "log.origin.file.name", From: "file", Type: lp.Keyword},
	{Name: "log.origin.file.line", From: "line", Type: lp.Long},
}

// Prometheus logs logfmt through slog: time=... level=INFO source=file.go:N msg=...
// component=... (its subsystem: the logger).
var Prometheus = lp.Pipeline{
	Name: "prometheus", Service: "prometheus",
	Components: []stack.Component{stack.Prometheus},
	Source:     lp.ProcessLog,
	Skip:       launcherLines,
	Format:     lp.Logfmt,
	Dissect:    []lp.Dissect{origin("source")},
	Time:       lp.Time{From: "attrs.time", Layout: lp.ISO8601},
	Fields: append([]lp.Field{
		{Name: "log.level", From: "attrs.level", Type: lp.Keyword},
		{Name: "message", From: "attrs.msg", Type: lp.Text},
		{Name: "log.logger", From: "attrs.component", Type: lp.Keyword},
	}, originFields...),
	Index: MonitoringIndex,
}

// Alertmanager (0.35, built from the module go.mod pins) logs like Prometheus: logfmt
// through slog, time=... level=INFO source=file.go:N msg=... component=...
var Alertmanager = lp.Pipeline{
	Name: "alertmanager", Service: "alertmanager",
	Components: []stack.Component{stack.Alertmanager},
	Source:     lp.ProcessLog,
	Skip:       launcherLines,
	Format:     lp.Logfmt,
	Dissect:    []lp.Dissect{origin("source")},
	Time:       lp.Time{From: "attrs.time", Layout: lp.ISO8601},
	Fields: append([]lp.Field{
		{Name: "log.level", From: "attrs.level", Type: lp.Keyword},
		{Name: "message", From: "attrs.msg", Type: lp.Text},
		{Name: "log.logger", From: "attrs.component", Type: lp.Keyword},
	}, originFields...),
	Index: MonitoringIndex,
}
