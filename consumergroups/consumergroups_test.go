package consumergroups

import (
	"testing"
)

func TestDeclared(t *testing.T) {
	if err := Declared.Validate(); err != nil {
		t.Fatal(err)
	}
}
