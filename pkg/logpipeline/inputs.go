package logpipeline

import (
	"path"
	"slices"

	"github.com/finobs/finobs/pkg/stack"
)

// Input is one file a pipeline reads: one instance's log.
type Input struct {
	Pipeline Pipeline
	Instance stack.Instance
	Path     string // dir/<instance><suffix>
}

// ID is the input's id, unique in a Filebeat config: the instance and the pipeline.
func (in Input) ID() string { return in.Pipeline.Name + "-" + in.Instance.Name }

// Inputs are the files the pipelines read in the given stacks, under dir (a path or a
// Filebeat variable), in pipeline then instance order; an instance present in several
// stacks (the local 1- and 3-node topologies share most) is read once.
func Inputs(pipelines []Pipeline, dir string, stacks ...stack.Stack) []Input {
	var out []Input
	for _, p := range pipelines {
		seen := map[string]bool{}
		for _, st := range stacks {
			for _, inst := range st.Instances {
				if !slices.Contains(p.Components, inst.Component) || seen[inst.Name] {
					continue
				}
				seen[inst.Name] = true
				out = append(out, Input{Pipeline: p, Instance: inst, Path: path.Join(dir, inst.Name+p.Source.Suffix())})
			}
		}
	}
	return out
}
