package native

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Lock serializes the commands that change the stack (up, down, install): two engineers
// running `up` at once would both see free ports and start everything twice. The lock is
// an flock on run/lock, released by the kernel if the holder dies.
func (s *Stack) Lock() (unlock func(), err error) {
	if err := mkdirs(s.P.Run()); err != nil {
		return nil, err
	}
	path := filepath.Join(s.P.Run(), "lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		s.Log.Info("waiting for another stack command to finish", "holder", string(holder), "lock", path)
		start := time.Now()
		for {
			time.Sleep(time.Second)
			if err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err == nil {
				break
			}
			if time.Since(start) > 30*time.Minute {
				f.Close()
				return nil, fmt.Errorf("stack: %s is still locked by %s after 30 minutes", path, holder)
			}
		}
	}
	f.Truncate(0)
	f.WriteAt([]byte(fmt.Sprintf("pid %d %v", os.Getpid(), os.Args)), 0)
	return func() {
		f.Truncate(0)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
