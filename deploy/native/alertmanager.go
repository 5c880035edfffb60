package native

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// AlertmanagerModule is the module whose server the local stack runs: the version go.mod
// pins, the one Compose's image and our config and routing code are built against.
// (Debian's package is 0.25: no receiver_name on the notification metrics, which the
// failing-delivery alert and its routing need.)
const AlertmanagerModule = "github.com/prometheus/alertmanager"

// buildAlertmanager builds the Alertmanager server of the pinned version, once per version.
// The module zip lacks the web UI's built assets (ui/app/dist, embedded): the build is made
// in a copy of the module source with a placeholder page there. The API, which the stack
// and the tests use, is whole.
func (in *Installer) buildAlertmanager(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, goBin(), "list", "-m", "-f", "{{.Version}} {{.Dir}}", AlertmanagerModule).Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s (is it required in go.mod?): %w", AlertmanagerModule, err)
	}
	version, dir, ok := strings.Cut(strings.TrimSpace(string(out)), " ")
	if !ok || dir == "" {
		return "", fmt.Errorf("go list -m %s: no module directory in %q (run go mod download)", AlertmanagerModule, out)
	}
	bin := filepath.Join(in.P.Bin(), "alertmanager")
	stamp := bin + ".version"
	if b, err := os.ReadFile(stamp); err == nil && string(b) == version && exists(bin) {
		return bin, nil
	}
	in.Log.Info("building Alertmanager from the module go.mod pins (the first time: a few minutes on 2 cores)", "version", version)
	src := filepath.Join(in.P.State, "build", "alertmanager-"+version)
	if err := os.RemoveAll(src); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(src), 0o755); err != nil {
		return "", err
	}
	if err := in.run(ctx, "", nil, "cp", "-r", dir, src); err != nil {
		return "", err
	}
	if err := in.run(ctx, "", nil, "chmod", "-R", "u+w", src); err != nil {
		return "", err
	}
	dist := filepath.Join(src, "ui", "app", "dist")
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return "", err
	}
	page := "<!doctype html><title>Alertmanager</title><p>Built without its web UI: the API is at <a href=\"api/v2/status\">api/v2/</a>.\n"
	if err := os.WriteFile(filepath.Join(dist, "index.html"), []byte(page), 0o644); err != nil {
		return "", err
	}
	ldflags := "-X github.com/prometheus/common/version.Version=" + strings.TrimPrefix(version, "v")
	if err := in.run(ctx, src, nil, goBin(), "build", "-ldflags", ldflags, "-o", bin, "./cmd/alertmanager"); err != nil {
		return "", err
	}
	if err := os.RemoveAll(src); err != nil {
		return "", err
	}
	return bin, os.WriteFile(stamp, []byte(version), 0o644)
}
