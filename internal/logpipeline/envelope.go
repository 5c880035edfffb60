package logpipeline

// Envelope are the fields any document may carry whatever its pipeline: set from the input
// (dataset, service, component), by the shipper (Filebeat's file and agent fields,
// Logstash's failure tags) or left by a failed parse (the raw message, error.message).
// Every index template maps them; a pipeline field of the same name must have the same type.
var Envelope = []Field{
	{Name: "@timestamp", Type: Date},
	{Name: "message", Type: Text},
	{Name: "event.dataset", Type: Keyword},
	{Name: "service.name", Type: Keyword},
	{Name: "service.node.name", Type: Keyword},
	{Name: "component", Type: Keyword},
	{Name: "host.name", Type: Keyword},
	{Name: "log.file.path", Type: Keyword},
	{Name: "log.offset", Type: Long},
	{Name: "log.flags", Type: Keyword}, // "multiline"; Filebeat's dissect failure flag
	{Name: "tags", Type: Keyword},      // Logstash's _dissectfailure, _grokparsefailure, ...
	{Name: "error.message", Type: Text},
	{Name: "error.type", Type: Keyword},
	{Name: "agent.ephemeral_id", Type: Keyword},
	{Name: "agent.id", Type: Keyword},
	{Name: "agent.name", Type: Keyword},
	{Name: "agent.type", Type: Keyword},
	{Name: "agent.version", Type: Keyword},
	{Name: "ecs.version", Type: Keyword},
	{Name: "input.type", Type: Keyword},
	{Name: AttrsField, Type: Attrs},
}

// Failure markers: a document carrying one was not parsed as its pipeline declares.
var (
	// FailureTags are the tags Logstash adds when a filter fails.
	FailureTags = []string{"_dissectfailure", "_grokparsefailure", "_dateparsefailure", "_jsonparsefailure", "_kv_filter_error", "_mutate_error", "_rubyexception"}
	// FailureFlags are Filebeat's log.flags of a failed dissect.
	FailureFlags = []string{"dissect_parsing_error"}
)
