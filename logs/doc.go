// Package logs will declare the typed log pipelines of finobs, one per log source: which
// files, how an event starts, how it is cut into fields, where it is indexed and how long it
// is kept. internal/filebeat and internal/logstash render them.
package logs
