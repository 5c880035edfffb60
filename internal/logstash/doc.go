// Package logstash will render the log pipelines declared in package logs as Logstash configs.
package logstash
