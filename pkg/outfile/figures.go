package outfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// An analysis (fourier, llc) writes only where it is told: the output (-o) and the
// figures' folder (--plots), never into the run it reads, which may be a
// shared, read-only results folder.

// FiguresDir is where the figures go: --plots DIR; else the folder of the
// -o file; none ("") when the output goes to stdout or to a device or pipe
// (-o /dev/null), which have no folder of figures beside them.
func FiguresDir(plots, output string) string {
	switch {
	case plots != "":
		return plots
	case output == "" || output == "-":
		return ""
	}
	if fi, err := os.Stat(output); err == nil && !fi.Mode().IsRegular() {
		return ""
	}
	return filepath.Dir(output)
}

// CheckOutputs finds, before any work, what would stop the output or the
// figures (names, in figures) from being written: a missing or unwritable
// folder, a figure that would overwrite the output.
func CheckOutputs(output, plots, figures string, names ...string) error {
	if err := Check(output); err != nil {
		return err
	}
	toFile := output != "" && output != "-"
	if toFile {
		if fi, err := os.Stat(output); err != nil || fi.Mode().IsRegular() {
			if err := writable(filepath.Dir(output)); err != nil {
				return fmt.Errorf("%s: %w", output, err)
			}
		}
	}
	if figures == "" {
		return nil
	}
	if toFile {
		out, _ := filepath.Abs(output)
		for _, name := range names {
			if fig, _ := filepath.Abs(filepath.Join(figures, name)); fig == out {
				return fmt.Errorf("-o %s: the figure %s is written there too; give the output another name, or --plots DIR", output, name)
			}
		}
	}
	if plots == "" {
		return nil // the output's own folder, checked above
	}
	fi, err := os.Stat(plots)
	switch {
	case os.IsNotExist(err):
		return nil // made after the work (MakeFolder)
	case err != nil:
		return fmt.Errorf("--plots %s: %w", plots, UnwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("--plots %s: not a folder", plots)
	}
	if err := writable(plots); err != nil {
		return fmt.Errorf("--plots %s: %w", plots, err)
	}
	return nil
}

// writable reports whether a file can be created in dir, by creating and
// removing one (named as outfile's temporary files, which a run folder's
// owner clears if this is killed in between). Permission bits alone do not
// say: root ignores them, and a read-only mount has them all set.
func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".figures"+tempInfix+"*")
	if err != nil {
		return UnwrapPath(err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// MakeFolder creates the --plots folder if need be (the folder of -o
// exists: Check).
func MakeFolder(plots, figures string) error {
	if plots == "" {
		return nil
	}
	if err := os.MkdirAll(figures, 0o755); err != nil {
		return fmt.Errorf("--plots %s: %w", plots, UnwrapPath(err))
	}
	return nil
}
