// Package pipelines declares the log pipelines of finobs, one file per source group: which files
// of which components, how an event starts, how it is cut into fields, how its time is
// read, its typed fields, the index it goes to and how long that index keeps it. cmd/gen
// renders them (filebeat/, logstash/, internal/elastic) and the log4j2
// configs of the JVMs, after every pipeline has parsed its golden samples in testdata/.
package pipelines
