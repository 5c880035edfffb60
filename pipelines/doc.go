// Package pipelines will declare the typed log pipelines of finobs: which logs, how they are
// cut into fields, where they are indexed and how long they are kept. logstash/ and filebeat/
// render them into each tool's configuration.
package pipelines
