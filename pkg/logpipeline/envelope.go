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
	// FailureFlags are the log.flags of a failed step on the native stack: Filebeat's
	// dissect processor sets the first, the rendered scripts the others (decode_json_fields
	// sets error.message and error.type instead).
	FailureFlags = []string{"dissect_parsing_error", "grok_parsing_error", "logfmt_parsing_error", "convert_error"}
)
