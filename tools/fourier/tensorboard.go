package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/grokkit/grokkit/pkg/inspect"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/tfevents"
)

// checkTensorboard finds, before any work, what would stop --tensorboard
// DIR's event file from being written: DIR a file, or a folder that takes
// no new file. A DIR that does not exist yet is made after the work.
func checkTensorboard(dir string) error {
	if dir == "" {
		return nil
	}
	fi, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return fmt.Errorf("--tensorboard %s: %w", dir, outfile.UnwrapPath(err))
	case !fi.IsDir():
		return fmt.Errorf("--tensorboard %s: not a folder", dir)
	}
	// Permission bits do not say (root ignores them; a read-only mount
	// keeps them): create a file named as outfile's temporary ones, and
	// remove it.
	f, err := os.CreateTemp(dir, "."+inspect.EventsFile+".tmp*")
	if err != nil {
		return fmt.Errorf("--tensorboard %s: %w", dir, outfile.UnwrapPath(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// writeTensorboard writes DIR/inspect.EventsFile (made atomically: a
// reader sees the old file or the new one) with the rows' scalars, and
// returns its path.
func writeTensorboard(dir string, matrices []string, rows []inspect.Row) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("--tensorboard %s: %w", dir, outfile.UnwrapPath(err))
	}
	path := filepath.Join(dir, inspect.EventsFile)
	return path, tfevents.WriteFile(path, inspect.Events(matrices, rows))
}
