package compose

import (
	"slices"
	"strings"
	"testing"
)

func TestShellCommands(t *testing.T) {
	for _, c := range []struct {
		script string
		args   []string
		want   []string
	}{
		{"wget -q -O - http://x/ | grep -q 'a b'", nil, []string{"wget", "grep"}},
		{"KAFKA_OPTS= KAFKA_HEAP_OPTS=-Xmx64m /opt/kafka/bin/kafka-metadata-quorum.sh --bootstrap-controller c:9093 describe --status >/dev/null || exit 1", nil,
			[]string{"/opt/kafka/bin/kafka-metadata-quorum.sh", "exit"}},
		{`curl -fsS -u "elastic:$(cat /run/secrets/p)" "http://h/?a=1&b=2" 2>&1 || exit 1`, nil, []string{"curl", "exit", "cat"}},
		{`P="$(cat /run/secrets/p)" && export P && exec "$@"`, []string{"/run.sh", "x"}, []string{"export", "exec", "/run.sh", "cat"}},
		{`exec /bin/prometheus "$@" >>/var/log/p.log 2>&1`, []string{"--a"}, []string{"exec", "/bin/prometheus"}},
		{"set -e\nif ! echo \"x  f\" | sha256sum -c >/dev/null 2>&1; then\n  curl -o f.part u\n  mv f.part f\nfi\nchmod 0777 /a /b", nil,
			[]string{"set", "echo", "sha256sum", "curl", "mv", "chmod"}},
		{`exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET / HTTP/1.0\r\n\r\n' >&3 && read -r a code b <&3 && test "$code" = 200`, nil,
			[]string{"exec", "printf", "read", "test"}},
		{"# a comment\n{ true; } && (false)", nil, []string{"true", "false"}},
	} {
		got, err := shellCommands(c.script, c.args)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, %v; want %q", c.script, got, err, c.want)
		}
	}
}

// What the reader does not follow, it refuses rather than guess.
func TestShellCommandsRefuse(t *testing.T) {
	for script, want := range map[string]string{
		"case $x in a) curl u;; esac":  `"case"`,
		"for f in a b; do rm $f; done": `"for"`,
		"cat <<EOF\nx\nEOF":            "here-document",
		"$CMD --flag":                  "computes",
		`exec "$@"`:                    "no arguments",
		"echo 'open":                   "unterminated",
	} {
		if _, err := shellCommands(script, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want an error with %q", script, err, want)
		}
	}
}

func TestBashisms(t *testing.T) {
	for script, want := range map[string]string{
		"exec 3<>/dev/tcp/h/80": "/dev/tcp",
		"[[ -f x ]]":            "[[ ]]",
		"grep x <<< \"$y\"":     "here-string",
		"cmd &>/dev/null":       "&>",
		"diff <(a) <(b)":        "process substitution",
		"echo $'a\\n'":          "$'",
		"source /etc/profile":   "source",
		"echo ${x/a/b}":         "${var/",
		"echo {1..3}":           "brace range",
		"set -o pipefail":       "pipefail",
		"a=(1 2)":               "array",
	} {
		if got := strings.Join(bashismsIn(script), "; "); !strings.Contains(got, want) {
			t.Errorf("%q: got %q, want %q", script, got, want)
		}
	}
	for _, posix := range []string{"wget -q -O - http://x/ | grep -q 'a'", `[ "$a" = b ] && exit 0`, "echo ${x:-d} ${#x}", "exec 3<&0"} {
		if got := bashismsIn(posix); len(got) > 0 {
			t.Errorf("%q is POSIX, got %q", posix, got)
		}
	}
}
