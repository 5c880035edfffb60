package consumergroups

import (
	"testing"

	"github.com/finobs/finobs/pipeline/stream"
)

func TestDeclared(t *testing.T) {
	if err := Declared.Validate(); err != nil {
		t.Fatal(err)
	}
}

// The group declared is the one the stream job commits to: its default query's.
func TestStreamGroup(t *testing.T) {
	if q := stream.Defaults().Query; Stream.Name != StreamGroup(q) {
		t.Errorf("declared group %s, the stream job's default query %q commits to %s", Stream.Name, q, StreamGroup(q))
	}
	if Stream.Members {
		t.Error("the stream job's group expects members: its driver commits without joining")
	}
}
