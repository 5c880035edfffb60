package compose_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/finobs/finobs/deploy/compose"
)

// The setup job's script, as the committed file has it, fails when its download fails or
// does not match its digest, and installs the agent when it does: run with sh (dash where
// there is one; the image's is busybox's ash) on the host, its volumes in temporary
// directories, and a stub curl first on PATH (no network).
func TestSetupScriptFails(t *testing.T) {
	sh := "/bin/sh"
	if d, err := exec.LookPath("dash"); err == nil {
		sh = d
	}
	const agent = "stub agent"
	sum := sha256.Sum256([]byte(agent + "\n"))
	for _, c := range []struct {
		name   string
		curl   string              // the stub's body, given the script's arguments
		script func(string) string // changes the script
		// The exit is 0, the agent is installed, the volumes are opened to the services.
		ok, installed, opened bool
	}{
		{name: "download fails", curl: "exit 22"},
		{name: "download of another file", curl: writeOut("not the agent")},
		{name: "download of the agent", curl: writeOut(agent), script: func(s string) string {
			return strings.ReplaceAll(s, compose.JMXAgentSHA256, hex.EncodeToString(sum[:]))
		}, ok: true, installed: true, opened: true},
		// The script as it was, its steps chained by &&: a failed download exited 0 (set -e
		// ignores a failure before the last &&), and Kafka then found no agent.
		{name: "as it was, download fails", curl: "exit 22", script: chained, ok: true, opened: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			script, dirs := setupScript(t)
			if c.script != nil {
				script = c.script(script)
			}
			bin, calls := t.TempDir(), filepath.Join(t.TempDir(), "calls")
			stub := "#!/bin/sh\necho \"$@\" >>" + calls + "\n" + c.curl + "\n"
			if err := os.WriteFile(filepath.Join(bin, "curl"), []byte(stub), 0o755); err != nil {
				t.Fatal(err)
			}
			// chown to the registry's uid needs root: a stub records it.
			chowns := filepath.Join(t.TempDir(), "chowns")
			if err := os.WriteFile(filepath.Join(bin, "chown"), []byte("#!/bin/sh\necho \"$@\" >>"+chowns+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, sh, "-c", script)
			cmd.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=" + t.TempDir()}
			out, err := cmd.CombinedOutput()
			if _, serr := os.Stat(calls); serr != nil {
				t.Fatalf("the stub curl was not called (%v): %s", err, out)
			}
			if (err == nil) != c.ok {
				t.Errorf("%s exited with %v, want ok=%v: %s", sh, err, c.ok, out)
			}
			got, _ := os.ReadFile(filepath.Join(dirs["jmx-agent"], compose.JMXAgentJar))
			if installed := string(got) == agent+"\n"; installed != c.installed {
				t.Errorf("agent installed: %v (%q), want %v", installed, got, c.installed)
			}
			got, _ = os.ReadFile(chowns)
			if want := "1001:0 " + dirs["registry-data"] + "\n"; c.opened && string(got) != want {
				t.Errorf("chown: %q, want %q", got, want)
			}
			fi, err := os.Stat(dirs["logs"])
			if err != nil {
				t.Fatal(err)
			}
			if opened := fi.Mode().Perm() == 0o777; opened != c.opened {
				t.Errorf("logs volume opened (the script's last line ran): %v, want %v", opened, c.opened)
			}
		})
	}
}

// writeOut is a stub curl's body that writes s and a newline to its -o file.
func writeOut(s string) string {
	return `while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done
echo '` + s + `' >"$out"`
}

// setupScript is the setup job's script of the committed file, its volumes' mount points
// replaced by temporary directories, which it returns by volume name.
func setupScript(t *testing.T) (string, map[string]string) {
	t.Helper()
	s := load(t).Services["setup"]
	if len(s.Entrypoint) != 3 || s.Entrypoint[0] != "/bin/sh" || s.Entrypoint[1] != "-c" {
		t.Fatalf("setup's entrypoint is not /bin/sh -c SCRIPT: %q", s.Entrypoint)
	}
	script, dirs, root := s.Entrypoint[2], map[string]string{}, t.TempDir()
	vols := slices.Clone(s.Volumes)
	// Longest mount point first: none is replaced inside another.
	slices.SortFunc(vols, func(a, b types.ServiceVolumeConfig) int { return len(b.Target) - len(a.Target) })
	for _, v := range vols {
		d := filepath.Join(root, v.Source)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs[v.Source] = d
		script = strings.ReplaceAll(script, v.Target, d)
	}
	return script, dirs
}

// chained is the setup script as it was: the if's body on the if's line, chained by &&.
func chained(script string) string {
	lines := strings.Split(script, "\n")
	i := slices.IndexFunc(lines, func(l string) bool { return strings.HasSuffix(l, "; then") })
	j := slices.Index(lines, "fi")
	if i < 0 || j < i {
		return script
	}
	var body []string
	for _, l := range lines[i+1 : j] {
		body = append(body, strings.TrimSpace(l))
	}
	one := lines[i] + " " + strings.Join(body, " && ") + "; fi"
	return strings.Join(slices.Concat(lines[:i], []string{one}, lines[j+1:]), "\n")
}
