package pipelines

import (
	lp "github.com/finobs/finobs/pkg/logpipeline"
	"github.com/finobs/finobs/pkg/stack"
)

// slogFields are the keys of Go's slog JSON handler; "component" names the library logging
// (franz-go), which is what a logger is. Other attributes stay in attrs, unindexed.
var slogFields = []lp.Field{
	{Name: "log.level", From: "attrs.level", Type: lp.Keyword},
	{Name: "message", From: "attrs.msg", Type: lp.Text},
	{Name: "log.logger", From: "attrs.component", Type: lp.Keyword},
}

var slogTime = lp.Time{From: "attrs.time", Layout: lp.ISO8601}

// Producer is the transaction producer (cmd/produce): slog JSON, one object a line.
var Producer = lp.Pipeline{
	Name: "producer", Service: "producer",
	Components: []stack.Component{stack.Producer},
	Source:     lp.ProcessLog,
	Skip:       launcherLines,
	Format:     lp.JSON,
	Time:       slogTime,
	Fields:     slogFields,
	Index:      PipelineIndex,
}

// StreamDriver is the Spark Connect streaming driver (cmd/stream): slog JSON too.
var StreamDriver = lp.Pipeline{
	Name: "stream-driver", Service: "stream-driver",
	Components: []stack.Component{stack.StreamDriver},
	Source:     lp.ProcessLog,
	Skip:       launcherLines,
	Format:     lp.JSON,
	Time:       slogTime,
	Fields:     slogFields,
	Index:      PipelineIndex,
}
