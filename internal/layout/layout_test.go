// Package layout holds the repository's layering rule as a test: machinery (internal/ and
// the public pkg/) never imports a declaration (the top-level packages a user edits) or a
// renderer of the top level; declarations import machinery, and cmd/ and deploy wire them.
package layout

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/finobs/finobs/"

// below are the folders of machinery; everything else at the top is declarations,
// renderers of declarations (logstash, filebeat), the data pipeline, deploy or cmd.
var below = map[string]bool{"internal": true, "pkg": true}

func TestMachineryImportsNoDeclaration(t *testing.T) {
	root := filepath.Join("..", "..")
	for dir := range below {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				rel, ok := strings.CutPrefix(p, module)
				if !ok {
					continue
				}
				if top, _, _ := strings.Cut(rel, "/"); !below[top] {
					name, _ := filepath.Rel(root, path)
					t.Errorf("%s imports %s: machinery takes declarations as arguments, it never imports them", name, rel)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
}
