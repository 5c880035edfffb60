// Package logstash will render the log pipelines of package pipelines as Logstash configs.
package logstash
