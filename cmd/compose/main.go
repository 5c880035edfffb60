// Command compose runs the Compose stack of deploy/compose.yaml (rendered by cmd/gen):
// `make deploy` is `go run ./cmd/compose up`. Where no Docker engine with the compose
// plugin is found it says so in one line and exits 1 at once; the native stack (`make up`)
// needs none.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/finobs/finobs/deploy"
	"github.com/finobs/finobs/deploy/compose"
)

const usage = `compose runs the finobs Compose stack (deploy/compose.yaml, rendered by go run ./cmd/gen).

Usage:
  go run ./cmd/compose secrets   write the secret files the stack reads under deploy/secrets/ (git-ignored):
                                 random passwords, and placeholders for the receivers' keys you fill in;
                                 a file that exists is never overwritten; files are 0644 (the
                                 containers' users read them) in a 0700 directory
  go run ./cmd/compose up        docker compose up -d --wait --build, then the provisioner
                                 (go run ./cmd/deploy -stack compose)            = make deploy
  go run ./cmd/compose down      docker compose down (-volumes: and delete the data)  = make deploy-down
  go run ./cmd/compose status    docker compose ps                                    = make deploy-status

Without a Docker engine and its compose plugin, up, down and status exit 1 at once with one
line saying so; the native stack (make up) runs without one.

Exit codes: 0 ok, 1 failed (or no engine), 2 bad usage.
`

// noEngine is the one line printed where Compose cannot run.
const noEngine = "compose: no Docker engine with the compose plugin was found (`docker compose version` and `docker info` must work); the native stack runs without one: make up"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := ""
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("compose "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage, "\nFlags:\n"); fs.PrintDefaults() }
	root := fs.String("root", ".", "repository root (deploy/compose.yaml lives under it)")
	volumes := fs.Bool("volumes", false, "down: also delete the stack's volumes (Kafka, Prometheus, Elasticsearch data)")
	provision := fs.Bool("provision", true, "up: run the provisioner (go run ./cmd/deploy -stack compose) once the stack is healthy")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "compose: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	file := filepath.Join(*root, deploy.ComposeFile)
	secrets := filepath.Join(filepath.Dir(file), compose.SecretsDir)
	var err error
	switch cmd {
	case "secrets":
		err = writeSecrets(secrets, stdout)
	case "up", "down", "status":
		if !engine(ctx) {
			fmt.Fprintln(stderr, noEngine)
			return 1
		}
		dc := func(a ...string) error {
			return docker(ctx, stdout, stderr, append([]string{"compose", "-f", file}, a...)...)
		}
		switch cmd {
		case "up":
			if err = missingSecrets(secrets); err != nil {
				break
			}
			t0 := time.Now()
			log.Info("starting the Compose stack and waiting for every healthcheck", "file", file)
			if err = dc("up", "-d", "--wait", "--build"); err != nil {
				break
			}
			log.Info("the Compose stack is healthy", "took", time.Since(t0).Round(time.Second))
			if *provision {
				log.Info("provisioning it", "cmd", "go run ./cmd/deploy -stack compose")
				c := exec.CommandContext(ctx, "go", "run", "./cmd/deploy", "-stack", "compose")
				c.Dir, c.Stdout, c.Stderr = *root, stdout, stderr
				if err = c.Run(); err != nil {
					err = fmt.Errorf("provisioner: %w", err)
				}
			}
		case "down":
			a := []string{"down"}
			if *volumes {
				a = append(a, "--volumes")
			}
			err = dc(a...)
		case "status":
			err = dc("ps", "--all")
		}
	case "":
		fs.Usage()
		return 2
	default:
		fmt.Fprintf(stderr, "compose: unknown command %q\n\n", cmd)
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "compose: %v\n", err)
		return 1
	}
	return 0
}

// engine reports whether both the compose plugin and an engine answer, quickly.
func engine(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for _, a := range [][]string{{"compose", "version"}, {"info", "--format", "{{.ServerVersion}}"}} {
		if err := exec.CommandContext(ctx, "docker", a...).Run(); err != nil {
			return false
		}
	}
	return true
}

func docker(ctx context.Context, stdout, stderr io.Writer, args ...string) error {
	c := exec.CommandContext(ctx, "docker", args...)
	c.Stdout, c.Stderr = stdout, stderr
	if err := c.Run(); err != nil {
		return fmt.Errorf("docker %v: %w", args, err)
	}
	return nil
}

// missingSecrets names every secret file that is not there, or that the containers'
// users cannot read (compose.SecretFileMode says why).
func missingSecrets(dir string) error {
	var missing, private []string
	for _, s := range compose.Secrets {
		fi, err := os.Stat(filepath.Join(dir, s.Name))
		switch {
		case err != nil:
			missing = append(missing, s.Name)
		case fi.Mode().Perm()&0o004 == 0:
			private = append(private, fmt.Sprintf("%s (%v)", s.Name, fi.Mode().Perm()))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("secret files missing under %s: %v; write them with `go run ./cmd/compose secrets`", dir, missing)
	}
	if len(private) > 0 {
		return fmt.Errorf("secret files under %s that the containers' users cannot read: %v (want %v in a 0700 directory); `go run ./cmd/compose secrets` sets their modes", dir, private, compose.SecretFileMode)
	}
	return nil
}

// writeSecrets creates each missing secret file: a random password, or for a receiver's
// key a placeholder to replace. Existing files are kept, their mode set. Files are
// compose.SecretFileMode, readable by every container user, in a directory of 0700 that
// the host's other users cannot enter.
func writeSecrets(dir string, out io.Writer) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return err
	}
	for _, s := range compose.Secrets {
		path := filepath.Join(dir, s.Name)
		var content string
		if s.Random {
			b := make([]byte, 24)
			if _, err := rand.Read(b); err != nil {
				return err
			}
			content = base64.RawURLEncoding.EncodeToString(b)
		} else {
			content = "REPLACE-ME"
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			if err := keep(path, out); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		_, err = f.WriteString(content)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(path, compose.SecretFileMode) // not through the umask
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		note := "random"
		if !s.Random {
			note = "placeholder: put the real value in it"
		}
		fmt.Fprintf(out, "created  %s (%s): %s\n", path, note, s.What)
	}
	return nil
}

// keep keeps an existing secret file, setting its mode where it differs (files of
// earlier versions were 0600, which no container user but root could read).
func keep(path string, out io.Writer) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm() == compose.SecretFileMode {
		fmt.Fprintf(out, "kept     %s\n", path)
		return nil
	}
	if err := os.Chmod(path, compose.SecretFileMode); err != nil {
		return fmt.Errorf("set the mode of %s: %w", path, err)
	}
	fmt.Fprintf(out, "kept     %s (mode %v -> %v: the containers' users read it)\n", path, fi.Mode().Perm(), compose.SecretFileMode)
	return nil
}
