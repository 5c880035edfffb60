// Package render writes generated files under the output tree all at once, or compares
// them with what is there (check mode). Nothing partial is ever written: every file is
// rendered in memory first, and each write goes through a temporary file and a rename.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one generated file; Path is slash-separated and relative to the output root.
type File struct {
	Path string
	Data []byte
}

// Set is the complete set of generated files.
type Set struct {
	files map[string][]byte
}

// Add adds files, rejecting two generators writing the same path.
func (s *Set) Add(files ...File) error {
	if s.files == nil {
		s.files = map[string][]byte{}
	}
	for _, f := range files {
		p := filepath.ToSlash(filepath.Clean(f.Path))
		if strings.HasPrefix(p, "../") || filepath.IsAbs(p) {
			return fmt.Errorf("render: %s: path leaves the output tree", f.Path)
		}
		if _, dup := s.files[p]; dup {
			return fmt.Errorf("render: %s generated twice", p)
		}
		s.files[p] = f.Data
	}
	return nil
}

// Paths lists the generated paths, sorted.
func (s *Set) Paths() []string {
	out := make([]string, 0, len(s.files))
	for p := range s.files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Get returns the content of a generated path.
func (s *Set) Get(path string) ([]byte, bool) {
	d, ok := s.files[path]
	return d, ok
}

// Write writes every file under root. Unchanged files are not touched; the number of
// files written is returned.
func (s *Set) Write(root string) (int, error) {
	n := 0
	for _, p := range s.Paths() {
		dst := filepath.Join(root, filepath.FromSlash(p))
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, s.files[p]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return n, err
		}
		tmp := dst + ".tmp"
		if err := os.WriteFile(tmp, s.files[p], 0o644); err != nil {
			return n, err
		}
		if err := os.Rename(tmp, dst); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Stale lists the generated paths whose content under root differs or is missing, and
// files under the owned directories that no generator produces any more.
func (s *Set) Stale(root string, owned ...string) ([]string, error) {
	var stale []string
	for _, p := range s.Paths() {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(p)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			stale = append(stale, p+" (missing)")
		case err != nil:
			return nil, err
		case !bytes.Equal(old, s.files[p]):
			stale = append(stale, p+" (differs)")
		}
	}
	for _, dir := range owned {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			if _, ok := s.files[filepath.ToSlash(rel)]; !ok {
				stale = append(stale, filepath.ToSlash(rel)+" (no longer generated)")
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(stale)
	return stale, nil
}

// Prune removes files under the owned directories that no generator produces any more,
// and returns how many it removed.
func (s *Set) Prune(root string, owned ...string) (int, error) {
	stale, err := s.Stale(root, owned...)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range stale {
		p, ok := strings.CutSuffix(st, " (no longer generated)")
		if !ok {
			continue
		}
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
