// Package logpipeline is the model of a log pipeline: which files of which components, how
// an event starts, how it is cut into fields, how its time is read, the typed fields it
// yields, the index it goes to and how long that index keeps it. Package pipelines declares the
// pipelines; filebeat/, logstash/ and internal/elastic render them.
//
// Parsing is declared once in a form every engine runs the same way: dissect patterns
// (the same text in Filebeat and Logstash), grok patterns built only from the pipeline's
// own definitions (portable regular expressions, so Go, Filebeat's JavaScript and
// Elastic's grok engine compile the same expression), JSON and logfmt decoding. Captures
// land under neutral names and are renamed to their ECS fields afterwards, so no pattern
// text depends on one tool's field syntax.
package logpipeline

import (
	"sort"
	"strings"
	"time"

	"github.com/finobs/finobs/pkg/stack"
)

// Type is the Elasticsearch type of a field.
type Type string

const (
	Keyword Type = "keyword"
	Text    Type = "text"
	Date    Type = "date"
	Long    Type = "long"
	// Attrs is an object kept in _source but not indexed (dynamic: false): the free-form
	// attributes of structured logs, whose keys no mapping can list in advance.
	Attrs Type = "attrs"
)

// Format is how the text of an event is first decoded.
type Format int

const (
	Plain  Format = iota // a line of text, cut by dissect and grok
	JSON                 // one JSON object a line (slog's JSON handler); keys land under AttrsField
	Logfmt               // key=value pairs (Prometheus, Alertmanager); keys land under AttrsField
)

func (f Format) String() string {
	switch f {
	case JSON:
		return "json"
	case Logfmt:
		return "logfmt"
	}
	return "plain"
}

// AttrsField is where decoded JSON and logfmt keys land; the keys no field renames stay
// there, unindexed.
const AttrsField = "attrs"

// Retention is how long an index keeps documents (an ILM policy with a delete phase).
type Retention struct {
	Name   string        // policy name, "finobs-logs-14d"
	Delete time.Duration // documents older than this are deleted (whole daily indices)
}

// Index is where documents go: one daily index per day, "<Name>-yyyy.MM.dd".
type Index struct {
	Name      string // "finobs-logs-kafka"
	Retention Retention
}

// Pattern is the index pattern of the index's daily indices.
func (i Index) Pattern() string { return i.Name + "-*" }

// Daily is the daily index name in the date syntax of Filebeat and Logstash (both format
// the event's @timestamp in UTC).
func (i Index) Daily() string { return i.Name + "-%{+yyyy.MM.dd}" }

// Source is which file of each instance a pipeline reads.
type Source int

const (
	// ProcessLog is <instance>.log: everything the process prints (a Go program's slog
	// output, Prometheus' and Alertmanager's logfmt), with the stack's launcher lines.
	ProcessLog Source = iota
	// EventsFile is <instance>.events.log: a JVM's log4j2 file appender, log events only.
	EventsFile
)

// Suffix is the file name suffix after the instance name.
func (s Source) Suffix() string {
	if s == EventsFile {
		return ".events.log"
	}
	return ".log"
}

// Dissect cuts Field (a path in the event) with a dissect pattern. Keys are neutral names
// (no dots): Filebeat and Logstash read the same text.
type Dissect struct {
	Field   string
	Pattern string
}

// Grok matches Field against Pattern, built from literal regular expression text and
// %{DEF:capture} references to Definitions. \A and \z anchor the whole value.
type Grok struct {
	Field       string
	Pattern     string
	Definitions map[string]string
}

// Field is a typed field of the documents: Name is its ECS (or component) name, From the
// capture or decoded key it is renamed from ("" for fields the shipper sets).
type Field struct {
	Name  string
	From  string
	Type  Type
	Upper bool // upper-cased (levels: "info" and "INFO" are one level)
}

// Time is how @timestamp is read: From is the capture, Layout a Java date pattern
// (yyyy-MM-dd HH:mm:ss,SSS) or ISO8601, Zone the IANA zone of a layout without one.
type Time struct {
	From   string
	Layout string
	Zone   string
}

// ISO8601 is the layout of RFC 3339 timestamps with their zone (slog, Prometheus).
const ISO8601 = "ISO8601"

// Log4j is what a JVM pipeline renders into its log4j2 config (<pipeline name>.properties,
// where the JVMs of the pipeline read it): the pattern layout (its %d takes the pipeline's
// time layout and zone) and the levels of chatty loggers.
type Log4j struct {
	Layout  string // "[%d] %p %m (%c)%n"
	Target  string // console target: "SYSTEM_OUT" or "SYSTEM_ERR"
	Root    string // root level
	Loggers []Logger
}

// Logger sets the level of one logger.
type Logger struct {
	Key, Name, Level string // key: the properties id ("kafka"), name: the logger name
}

// Pipeline is one log source.
type Pipeline struct {
	Name       string // source name and event.dataset: "kafka"
	Service    string // service.name
	Components []stack.Component
	Source     Source
	// Start is the Go regular expression a line matches when it starts an event; the
	// lines after it up to the next start are the same event. "" means every line.
	Start string
	// Skip are lines that are no events (the stack's launcher lines, blank lines).
	Skip    []string
	Format  Format
	Dissect []Dissect
	Grok    []Grok
	Time    Time
	Fields  []Field
	Index   Index
	Log4j   *Log4j // JVM pipelines: the log4j2 config rendered from this declaration
}

// Temporaries are the root fields the steps set and the renames consume: the renderers
// drop whatever is left of them, so a failed parse never meets the strict mapping with a
// field it does not know.
func (p Pipeline) Temporaries() []string {
	seen := map[string]bool{}
	var out []string
	add := func(n string) {
		if n != "" && n != "message" && !seen[n] && !strings.HasPrefix(n, AttrsField+".") {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, d := range p.Dissect {
		if dd, err := compileDissect(d.Pattern); err == nil {
			for _, n := range dd.names() {
				add(n)
			}
		}
	}
	for _, g := range p.Grok {
		if cg, err := compileGrok(g); err == nil {
			for _, n := range cg.captures {
				add(n)
			}
		}
	}
	add(p.Time.From)
	sort.Strings(out)
	return out
}
