// Package outfile writes a tool's output so that a failed or interrupted run
// never leaves a half-written file where a finished one is expected. It is
// the one atomic-write helper every output goes through: tables, run
// folders' files, checkpoints, plots and reports.
package outfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// tempInfix marks this package's temporary files: ".NAME" + tempInfix +
// random digits, beside the file they will replace.
const tempInfix = ".tmp"

// Write calls fill with a writer and publishes what it wrote only if fill
// succeeds. path "-" or "" means stdout: the output is buffered in memory and
// copied out at the end, so a failure writes nothing there either. Otherwise
// the bytes go to a temporary file with a unique name beside path, which is
// synced, renamed over path, and the folder synced, so that after a crash
// path holds either the old file or the whole new one. The temporary file is
// removed on failure.
func Write(path string, stdout io.Writer, fill func(w io.Writer) error) error {
	if path == "" || path == "-" {
		var buf bytes.Buffer
		if err := fill(&buf); err != nil {
			return err
		}
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		// A device or a pipe (-o /dev/null, a FIFO): renaming would replace
		// it with a regular file. Write to it directly, still only once
		// fill has succeeded.
		var buf bytes.Buffer
		if err := fill(&buf); err != nil {
			return err
		}
		return os.WriteFile(path, buf.Bytes(), 0)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempInfix+"*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, UnwrapPath(err))
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", path, UnwrapPath(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, UnwrapPath(err))
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, UnwrapPath(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, UnwrapPath(err))
	}
	ok = true
	return syncDir(dir)
}

// WriteBytes writes data to path with Write.
func WriteBytes(path string, data []byte) error {
	return Write(path, nil, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// syncDir makes a rename in dir durable. Some file systems cannot sync a
// folder; the rename has happened either way, so that is not an error.
func syncDir(dir string) error {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Check reports, before any work is done, whether path can be written: its
// folder exists and path is not a folder. "-" and "" (stdout) always can.
func Check(path string) error {
	if path == "" || path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s: is a folder, not a file", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: %w", path, UnwrapPath(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: %s is not a folder", path, dir)
	}
	return nil
}

// RemoveStale removes this package's temporary files left in dir (not its
// subfolders) by a writer that was killed before it could clean up. Call it
// only when no other writer can be working in dir (a run folder under its
// lock). It returns the names removed.
func RemoveStale(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if name := e.Name(); e.Type().IsRegular() && IsTemp(name) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return removed, err
			}
			removed = append(removed, name)
		}
	}
	return removed, nil
}

// IsTemp reports whether a file name is one of this package's temporary
// files (".NAME.tmp" followed by digits).
func IsTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, tempInfix)
	if i <= 1 {
		return false
	}
	rest := name[i+len(tempInfix):]
	if rest == "" {
		return false
	}
	for _, c := range rest {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// UnwrapPath drops an *os.PathError's wrapper, its "op PATH:" (a temporary
// file's path would confuse the message; the caller names the real file
// once).
func UnwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
