// Package filebeat will render the log pipelines of package pipelines as Filebeat inputs.
package filebeat
