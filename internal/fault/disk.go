package fault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Disk is a small ext4 file system in an image file, attached to a loop device and mounted
// over a directory that already holds data: what a process writing into the directory sees
// as a disk of its own, which a test can fill. It needs root (losetup, mount).
type Disk struct {
	Dir   string // the directory it is mounted over
	Image string // the image file
	Loop  string // the loop device, /dev/loopN
}

// fillerName is the file Fill writes; Unfill removes it.
const fillerName = "finobs-fault-filler"

// MountOver makes an ext4 image of twice the data in dir plus headroom bytes (free space
// well above any "almost full" threshold before Fill), copies dir's contents in (owners,
// modes and times kept) and mounts it over dir. Nothing may write into dir meanwhile: stop
// its writer first. The directory's own contents stay underneath, untouched, and are what
// dir holds again after Unmount. On error nothing is left mounted or attached.
func MountOver(dir, image string, headroom int64) (d *Disk, err error) {
	used, err := allocated(dir)
	if err != nil {
		return nil, err
	}
	size := (2*used + headroom + 1<<20 - 1) &^ (1<<20 - 1)
	if err := os.MkdirAll(filepath.Dir(image), 0o755); err != nil {
		return nil, fmt.Errorf("fault: %w", err)
	}
	if err := os.WriteFile(image, nil, 0o600); err != nil {
		return nil, fmt.Errorf("fault: %w", err)
	}
	d = &Disk{Dir: dir, Image: image}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Unmount())
			d = nil
		}
	}()
	if err := os.Truncate(image, size); err != nil {
		return d, fmt.Errorf("fault: size %s: %w", image, err)
	}
	// -m 0: no blocks reserved for root, which the stack runs as: a full disk is full for it too.
	// -b 4096: the block size of a real disk (mkfs picks 1 KiB for a file system this small).
	if err := run("mkfs.ext4", "-q", "-F", "-m", "0", "-b", "4096", "-L", "finobs-fault", image); err != nil {
		return d, err
	}
	loop, err := output("losetup", "--find", "--show", image)
	if err != nil {
		return d, err
	}
	d.Loop = loop
	stage := image + ".mnt"
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return d, fmt.Errorf("fault: %w", err)
	}
	defer os.Remove(stage)
	if err := run("mount", d.Loop, stage); err != nil {
		return d, err
	}
	cpErr := run("cp", "-a", dir+"/.", stage+"/")
	// The copy must reach the image before it is mounted again elsewhere.
	if err := errors.Join(cpErr, run("umount", stage)); err != nil {
		return d, err
	}
	if err := run("mount", d.Loop, dir); err != nil {
		return d, err
	}
	// Kafka reads every directory in a log dir as a partition, and refuses lost+found.
	if err := os.Remove(filepath.Join(dir, "lost+found")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return d, fmt.Errorf("fault: %w", err)
	}
	return d, nil
}

// Fill takes every free block of the file system (a file of its own, fsynced), so that the
// next write needing a block fails with ENOSPC. It returns the bytes it took.
func (d *Disk) Fill() (int64, error) {
	f, err := os.OpenFile(filepath.Join(d.Dir, fillerName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return 0, fmt.Errorf("fault: fill %s: %w", d.Dir, err)
	}
	defer f.Close()
	var st unix.Statfs_t
	if err := unix.Statfs(d.Dir, &st); err != nil {
		return 0, fmt.Errorf("fault: statfs %s: %w", d.Dir, err)
	}
	// Most of it at once; the last blocks (which the extent tree's own blocks make hard to
	// size exactly) by writing until the kernel refuses.
	var n int64
	if bulk := int64(st.Bavail)*st.Bsize - 4<<20; bulk > 0 {
		if err := unix.Fallocate(int(f.Fd()), 0, 0, bulk); err != nil {
			return 0, fmt.Errorf("fault: fallocate %d bytes in %s: %w", bulk, d.Dir, err)
		}
		n = bulk
	}
	// Until the kernel says there is no block left, also after a sync (the writer beside us
	// frees and takes blocks meanwhile).
	buf := make([]byte, 512)
	for round := 0; round < 10; round++ {
		for {
			w, err := f.Write(buf)
			n += int64(w)
			if errors.Is(err, unix.ENOSPC) {
				break
			}
			if err != nil {
				return n, fmt.Errorf("fault: fill %s: %w", d.Dir, err)
			}
		}
		if err := f.Sync(); err != nil && !errors.Is(err, unix.ENOSPC) {
			return n, fmt.Errorf("fault: fill %s: %w", d.Dir, err)
		}
		if free, err := d.Free(); err != nil || free == 0 {
			return n, err
		}
	}
	return n, nil
}

// Free is the space left for writes, in bytes.
func (d *Disk) Free() (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(d.Dir, &st); err != nil {
		return 0, fmt.Errorf("fault: statfs %s: %w", d.Dir, err)
	}
	return int64(st.Bavail) * st.Bsize, nil
}

// Unmount undoes MountOver whatever state it got to: unmounts dir (if the image is what is
// mounted there), detaches every loop device of the image and removes it. Whatever was
// written to the image is gone; dir holds what it held before MountOver. Safe to call twice.
func (d *Disk) Unmount() error {
	var errs []error
	if mounted, err := MountedAt(d.Dir); err != nil {
		errs = append(errs, err)
	} else if mounted != "" && (d.Loop == "" || mounted == d.Loop) {
		if err := run("umount", d.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	stage := d.Image + ".mnt"
	if m, _ := MountedAt(stage); m != "" {
		errs = append(errs, run("umount", stage))
	}
	os.Remove(stage)
	if err := detachAll(d.Image); err != nil {
		errs = append(errs, err)
	}
	if err := os.Remove(d.Image); err != nil && !errors.Is(err, fs.ErrNotExist) {
		errs = append(errs, fmt.Errorf("fault: %w", err))
	}
	return errors.Join(errs...)
}

// MountedAt is the source of the mount on dir (a device, /dev/loop3), or "" when dir is no
// mount point.
func MountedAt(dir string) (string, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", fmt.Errorf("fault: %w", err)
	}
	src := ""
	for _, line := range strings.Split(string(b), "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype source super
		f := strings.Fields(line)
		if len(f) < 5 || unescape(f[4]) != dir {
			continue
		}
		for i := 5; i < len(f)-2; i++ {
			if f[i] == "-" {
				src = f[i+2] // the last mount on dir is the one on top
			}
		}
	}
	return src, nil
}

// unescape reads mountinfo's octal escapes (\040 is a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c byte
			if _, err := fmt.Sscanf(s[i+1:i+4], "%03o", &c); err == nil {
				b.WriteByte(c)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// detachAll detaches the loop devices backed by image.
func detachAll(image string) error {
	if _, err := os.Stat(image); err != nil {
		return nil
	}
	out, err := output("losetup", "--associated", image, "--noheadings", "--output", "NAME")
	if err != nil {
		return err
	}
	var errs []error
	for _, dev := range strings.Fields(out) {
		errs = append(errs, run("losetup", "--detach", dev))
	}
	return errors.Join(errs...)
}

// allocated is the disk space the files under dir take (blocks, not apparent sizes: Kafka's
// index files are sparse).
func allocated(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		if st, ok := info.Sys().(*unix.Stat_t); ok {
			n += st.Blocks * 512
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("fault: size of %s: %w", dir, err)
	}
	return n, nil
}

func run(name string, args ...string) error {
	_, err := output(name, args...)
	return err
}

func output(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("fault: %s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return strings.TrimSpace(string(out)), nil
}
