package fault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A real loop-mounted ext4 over a directory with data: the data is there, a fill makes the
// next write fail with ENOSPC, and the unmount leaves the directory as it was, with no
// mount and no loop device behind.
func TestDiskFillsAndUndoes(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("needs root (losetup, mount): the stack's machines run tests as root")
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(filepath.Join(dir, "topic-0"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "topic-0", "seg.log"), []byte(strings.Repeat("x", 100000)), 0o644); err != nil {
		t.Fatal(err)
	}
	image := filepath.Join(t.TempDir(), "disk.img")
	d, err := MountOver(dir, image, 32<<20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Unmount() })
	if src, _ := MountedAt(dir); src != d.Loop || !strings.HasPrefix(src, "/dev/loop") {
		t.Fatalf("mounted at %s: %q, want the loop device %q", dir, src, d.Loop)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "topic-0" {
		t.Errorf("the mounted dir holds %v, want just topic-0 (no lost+found)", entries)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "topic-0", "seg.log")); err != nil || len(b) != 100000 {
		t.Fatalf("copied data: %d bytes, %v", len(b), err)
	}
	if free, err := d.Free(); err != nil || free < 16<<20 { // ext4 keeps its journal and inode tables
		t.Fatalf("free before the fill: %d, %v", free, err)
	}
	if _, err := d.Fill(); err != nil {
		t.Fatal(err)
	}
	if free, err := d.Free(); err != nil || free != 0 {
		t.Errorf("free after the fill: %d, %v", free, err)
	}
	err = os.WriteFile(filepath.Join(dir, "topic-0", "next.log"), make([]byte, 8192), 0o644)
	if !errors.Is(err, unix.ENOSPC) {
		t.Errorf("a write after the fill: %v, want ENOSPC", err)
	}
	// A write into the mounted image is not in the directory afterwards.
	if err := d.Unmount(); err != nil {
		t.Fatal(err)
	}
	if err := d.Unmount(); err != nil {
		t.Errorf("a second unmount: %v", err)
	}
	if src, _ := MountedAt(dir); src != "" {
		t.Errorf("still mounted at %s: %s", dir, src)
	}
	if out, _ := output("losetup", "--list", "--noheadings", "--output", "BACK-FILE"); strings.Contains(out, image) {
		t.Errorf("a loop device still backs %s: %s", image, out)
	}
	if _, err := os.Stat(image); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("image left behind: %v", err)
	}
	entries, _ = os.ReadDir(filepath.Join(dir, "topic-0"))
	if len(entries) != 1 || entries[0].Name() != "seg.log" {
		t.Errorf("after the unmount topic-0 holds %v, want seg.log only", entries)
	}
}

func TestMountedAtUnescapes(t *testing.T) {
	if got := unescape(`/a\040b`); got != "/a b" {
		t.Errorf("unescape = %q", got)
	}
	if src, err := MountedAt("/proc"); err != nil || src == "" {
		t.Errorf("/proc: %q %v", src, err)
	}
}
