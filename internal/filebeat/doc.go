// Package filebeat will render the log pipelines declared in package logs as Filebeat inputs.
package filebeat
