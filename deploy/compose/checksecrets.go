package compose

import (
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
)

// SecretFileMode is the mode `cmd/compose secrets` writes each secret file with, in a
// directory of mode 0700. Compose bind-mounts a file secret as the host file is and
// ignores a uid, gid or mode set on it (docker/compose v5.5.0
// pkg/compose/create.go:1233-1235 warns so, :1241-1249 mounts); only a secret whose
// content comes from the environment is copied in with them (:1229-1231;
// secrets.go:107-118, :135-139, default mode 0444). Inside the container the file keeps
// the host user's uid, which is nobody there, so the bits for others decide: 0644 lets
// every container user read it, the directory's 0700 keeps the host's other users out.
// (Environment-sourced secrets would take uid and mode, but put the passwords in the
// environment of every `docker compose` run.)
const SecretFileMode fs.FileMode = 0o644

// checkSecretsReadable: each secret a service mounts is readable by the uid its processes
// run as (its user:, else its image's USER). A file secret is bind-mounted with the host's
// owner and fileMode, and a uid, gid or mode set on it would be ignored; another secret is
// copied in with the uid, gid and mode set on it (default 0, 0, 0444).
func checkSecretsReadable(p *types.Project, fileMode fs.FileMode) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		prof, _ := ProfileOf(s.Image)
		uid, gid := runsAs(s.User, prof)
		who := "uid " + strconv.Itoa(uid)
		if uid < 0 {
			who = "a uid its image's profile does not show"
		}
		for _, ref := range s.Secrets {
			def := p.Secrets[ref.Source]
			if def.File != "" {
				if ref.UID != "" || ref.GID != "" || ref.Mode != nil {
					errs = append(errs, fmt.Errorf("service %s: secret %s sets uid, gid or mode, which Compose ignores for a file secret: it is bind-mounted with the host file's owner and mode", name, ref.Source))
				}
				if !readable(int(fileMode), -1, -1, uid, gid) {
					errs = append(errs, fmt.Errorf("service %s: secret %s is a file of mode %#o bind-mounted with its host owner: unreadable by %s, which the service runs as", name, ref.Source, fileMode, who))
				}
				continue
			}
			mode, ouid, ogid := 0o444, 0, 0
			if ref.Mode != nil {
				mode = int(*ref.Mode)
			}
			if ref.UID != "" {
				ouid, _ = strconv.Atoi(ref.UID)
			}
			if ref.GID != "" {
				ogid, _ = strconv.Atoi(ref.GID)
			}
			if !readable(mode, ouid, ogid, uid, gid) {
				errs = append(errs, fmt.Errorf("service %s: secret %s is copied in as %d:%d mode %#o: unreadable by %s, which the service runs as", name, ref.Source, ouid, ogid, mode, who))
			}
		}
	}
	return errs
}

// readable: a file of mode owned by ouid:ogid (-1: nobody the container knows) can be
// read by uid:gid (-1: unknown, so only the bits for others count). Root reads anything:
// Docker's default capabilities include CAP_DAC_OVERRIDE.
func readable(mode, ouid, ogid, uid, gid int) bool {
	switch {
	case uid == 0:
		return true
	case uid >= 0 && uid == ouid:
		return mode&0o400 != 0
	case gid >= 0 && gid == ogid:
		return mode&0o040 != 0
	}
	return mode&0o004 != 0
}
