package compose

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// checkScripts and the rest of this file check what a service's healthcheck and
// entrypoint run against its image's profile (Profiles).

// checkScripts: every healthcheck and every sh -c entrypoint runs only what its image's
// profile shows. A CMD-SHELL test or sh -c script needs the profile's /bin/sh, is POSIX
// (no bashism: /bin/sh is dash or busybox ash in most of these images), and runs only
// built-ins and the profile's tools; an exec-form test runs a tool of the profile, and a
// bash -c script in it may use bash, built-ins and tools.
func checkScripts(p *types.Project) []error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		prof, err := profileOf(s.Image)
		if err != nil {
			errs = append(errs, fmt.Errorf("service %s: %w", name, err))
			continue
		}
		if hc := s.HealthCheck; hc != nil && !hc.Disable && len(hc.Test) > 0 {
			for _, e := range healthcheckRuns(prof, hc.Test) {
				errs = append(errs, fmt.Errorf("service %s: healthcheck %s", name, e))
			}
		}
		if len(s.Entrypoint) > 0 {
			for _, e := range argvRuns(prof, s.Entrypoint, s.Command) {
				errs = append(errs, fmt.Errorf("service %s: entrypoint %s", name, e))
			}
		}
	}
	return errs
}

// healthcheckRuns checks a healthcheck's test ([CMD-SHELL script] or [CMD argv...]).
func healthcheckRuns(prof Profile, test []string) []string {
	switch test[0] {
	case "NONE":
		return nil
	case "CMD-SHELL":
		if len(test) != 2 {
			return []string{fmt.Sprintf("CMD-SHELL with %d arguments, want one script", len(test)-1)}
		}
		return shRuns(prof, test[1], nil)
	case "CMD":
		if len(test) < 2 {
			return []string{"CMD without a program"}
		}
		return argvRuns(prof, test[1:], nil)
	}
	return []string{fmt.Sprintf("test %q is neither CMD nor CMD-SHELL", test[0])}
}

// argvRuns checks a program and its arguments run without a shell; extra are arguments
// appended to them (Compose appends the command to the entrypoint).
func argvRuns(prof Profile, argv, extra []string) []string {
	prog := argv[0]
	if len(argv) >= 3 && argv[1] == "-c" {
		// sh -c SCRIPT $0 ARGS...: the script's "$@" is ARGS and what is appended.
		args := slices.Concat(argv[min(4, len(argv)):], extra)
		switch prog {
		case "/bin/sh", "sh":
			return shRuns(prof, argv[2], args)
		case "/bin/bash", "bash":
			if !prof.Has("bash") {
				return []string{"runs bash, which the image's profile does not show (" + toolList(prof) + ")"}
			}
			return commandsRun(prof, Bash, argv[2], args)
		}
	}
	if !prof.Has(prog) {
		return []string{fmt.Sprintf("runs %s, which the image's profile does not show (%s)", prog, toolList(prof))}
	}
	return nil
}

// shRuns checks a script the image's /bin/sh runs.
func shRuns(prof Profile, script string, args []string) []string {
	if !prof.HasSh() {
		return []string{"runs /bin/sh, which the image's profile does not show (its base image was not read)"}
	}
	var out []string
	for _, b := range bashismsIn(script) {
		out = append(out, fmt.Sprintf("uses %s, which POSIX sh lacks (this image's /bin/sh is %s)", b, prof.Shell.Kind))
	}
	return append(out, commandsRun(prof, prof.Shell.Kind, script, args)...)
}

// commandsRun: every command of the script is a built-in of its shell or a tool.
func commandsRun(prof Profile, shell ShellKind, script string, args []string) []string {
	cmds, err := shellCommands(script, args)
	if err != nil {
		return []string{fmt.Sprintf("cannot be read: %v", err)}
	}
	var out []string
	for _, c := range cmds {
		if !builtin(shell, c) && !prof.Has(c) {
			out = append(out, fmt.Sprintf("runs %s, which is no built-in of %s and which the image's profile does not show (%s)", c, shell, toolList(prof)))
		}
	}
	return out
}

func toolList(prof Profile) string {
	var names []string
	for _, t := range prof.Tools {
		if t.From.Known() {
			names = append(names, t.Name)
		}
	}
	if len(names) == 0 {
		return "it shows no tool"
	}
	return "it shows " + strings.Join(names, ", ")
}
