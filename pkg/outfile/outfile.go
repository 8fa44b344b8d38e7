// Package outfile writes a tool's output so that a failed or interrupted run
// never leaves a half-written file where a finished one is expected.
package outfile

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write calls fill with a writer and publishes what it wrote only if fill
// succeeds. path "-" or "" means stdout: the output is buffered in memory and
// copied out at the end, so a failure writes nothing there either. Otherwise
// the bytes go to a temporary file beside path, renamed over it on success.
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
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
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
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ok = true
	return nil
}
