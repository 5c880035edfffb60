package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// envMarker is set in the environment of every process the stack starts, so that a pid file
// never leads `down` to a process that merely reused the pid.
const envMarker = "FINOBS_STACK_PROCESS"

// maxLogBytes is the size past which a component's log is rotated when it starts.
const maxLogBytes = 64 << 20

// PidFile is what run/<name>.pid holds.
type PidFile struct {
	Name    string    `json:"name"`
	Pid     int       `json:"pid"`
	Started time.Time `json:"started"`
	Log     string    `json:"log"`
	Argv    []string  `json:"argv"`
}

// proc is a process started by this invocation.
type proc struct {
	PidFile
	exited chan struct{}
	err    error // exit status, valid after exited is closed
}

func (p Paths) pidPath(name string) string { return filepath.Join(p.Run(), name+".pid") }

// startProc starts argv as a background process in its own session, output appended to
// logs/<name>.log, and writes its pid file. A non-nil cred runs it as that user.
func startProc(p Paths, name, dir string, env, argv []string, cred *syscall.Credential) (*proc, error) {
	logPath := p.Log(name)
	// One generation of rotation at start: logs stay readable and the disk bounded.
	if fi, err := os.Stat(logPath); err == nil && fi.Size() > maxLogBytes {
		os.Rename(logPath, logPath+".1")
	}
	lf, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	// The banner goes to a log of its own: <name>.log holds only what the process writes,
	// so Filebeat parses a Go program's log with no launcher lines in it.
	if err := appendLine(p.Log("starts"), fmt.Sprintf("%s %s: %s", time.Now().UTC().Format(time.RFC3339), name, strings.Join(argv, " "))); err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), envMarker+"="+name)
	cmd.Stdout = lf
	cmd.Stderr = lf
	// Own session: no terminal signal (Ctrl-C on `up`) reaches it, and the whole tree
	// (spark-submit's launcher and its JVM) is one process group to stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	pr := &proc{PidFile: PidFile{Name: name, Pid: cmd.Process.Pid, Started: time.Now().UTC(), Log: logPath, Argv: argv},
		exited: make(chan struct{})}
	go func() { pr.err = cmd.Wait(); close(pr.exited) }()
	b, _ := json.MarshalIndent(pr.PidFile, "", "  ")
	if err := os.WriteFile(p.pidPath(name), b, 0o644); err != nil {
		syscall.Kill(-pr.Pid, syscall.SIGKILL)
		return nil, err
	}
	return pr, nil
}

func appendLine(path, line string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintln(f, line); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// readPid reads a pid file; ok is false when there is none.
func readPid(p Paths, name string) (PidFile, bool, error) {
	b, err := os.ReadFile(p.pidPath(name))
	if errors.Is(err, os.ErrNotExist) {
		return PidFile{}, false, nil
	}
	if err != nil {
		return PidFile{}, false, err
	}
	var pf PidFile
	if err := json.Unmarshal(b, &pf); err != nil {
		return PidFile{}, false, fmt.Errorf("pid file %s: %w", p.pidPath(name), err)
	}
	return pf, true, nil
}

// alive reports whether pid runs, is no zombie and is the stack's process of that name.
func alive(pid int, name string) bool {
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return false
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err == nil {
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return false
		}
	}
	env, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
	if err != nil {
		return true // cannot tell: trust the pid file
	}
	for _, kv := range strings.Split(string(env), "\x00") {
		if kv == envMarker+"="+name {
			return true
		}
	}
	return false
}

// stopPid stops the process group of a stack process: SIGTERM, then SIGKILL after grace.
func stopPid(pid int, name string, grace time.Duration) error {
	if !alive(pid, name) {
		return nil
	}
	syscall.Kill(-pid, syscall.SIGTERM)
	syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for time.Now().Before(deadline) {
		if !alive(pid, name) {
			// Stragglers of the group (children that ignored SIGTERM) go with it; the group
			// id cannot be reused while any member lives.
			syscall.Kill(-pid, syscall.SIGKILL)
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	for i := 0; i < 50; i++ {
		if !alive(pid, name) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("stop %s: pid %d still runs after SIGKILL", name, pid)
}

// Signal sends sig to the running process of a stack component (a name `stack status`
// lists) and returns its pid: the fault suite kills (SIGKILL) or pauses (SIGSTOP) real
// processes of the stack with it; Up starts what was killed again.
func (s *Stack) Signal(name string, sig syscall.Signal) (int, error) {
	pf, ok, err := readPid(s.P, name)
	if err != nil {
		return 0, err
	}
	if !ok || !alive(pf.Pid, name) {
		return 0, fmt.Errorf("stack: %s is not running", name)
	}
	if err := syscall.Kill(pf.Pid, sig); err != nil {
		return 0, fmt.Errorf("stack: signal %v to %s (pid %d): %w", sig, name, pf.Pid, err)
	}
	return pf.Pid, nil
}
