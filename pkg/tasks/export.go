package tasks

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gomlx/compute"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// taskMD is TASK.md, the format, written at every suite's root.
//
//go:embed TASK.md
var taskMD []byte

// Manifest is a suite's tasks.json.
type Manifest struct {
	Format    string      `json:"format"`    // TASK.md
	Benchmark string      `json:"benchmark"` // the id every task and truth file of the suite carries
	About     string      `json:"about"`     // where the networks came from
	Tasks     []TaskEntry `json:"tasks"`
}

// TaskEntry is one task of a manifest.
type TaskEntry struct {
	Name  string `json:"name"`
	Model string `json:"model"`
	P     int    `json:"p"`
	Case  string `json:"case,omitempty"`
	Class string `json:"class,omitempty"`
}

// ErrInterrupted: the context was cancelled between two tasks; nothing was
// written.
var ErrInterrupted = errors.New("interrupted")

// BenchmarkID names a suite: kind and the first 16 hex digits of the
// SHA-256 of parts (each prefixed by its length), so that the same inputs
// give the same id.
func BenchmarkID(kind string, parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(p))))
		h.Write(p)
	}
	return kind + "-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// Export writes the suite of the sources at root: every task, TASK.md,
// tasks.json and the built-in detectors' leaderboard. It is built in a
// temporary folder beside root and renamed to root at the end, so root
// holds a whole suite or nothing; an existing non-empty root is refused.
func Export(ctx context.Context, b compute.Backend, root string, m Manifest, sources []Source, log io.Writer) error {
	if err := checkFresh(root); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(root), "."+filepath.Base(root)+".tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", root, outfile.UnwrapPath(err))
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	m.Format = TaskMD
	start := time.Now()
	for k, src := range sources {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		task, err := build(b, src, m.Benchmark)
		if err != nil {
			return err
		}
		if err := writeTask(tmp, task); err != nil {
			return err
		}
		m.Tasks = append(m.Tasks, TaskEntry{Name: src.Name, Model: task.Info.Model, P: task.Info.P, Case: src.Case, Class: src.Class})
		fmt.Fprintf(log, "export: %s (%d of %d, %s)\n", src.Name, k+1, len(sources), time.Since(start).Round(time.Second))
	}
	manifest, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := outfile.WriteBytes(filepath.Join(tmp, ManifestFile), append(manifest, '\n')); err != nil {
		return err
	}
	if err := outfile.WriteBytes(filepath.Join(tmp, TaskMD), taskMD); err != nil {
		return err
	}
	s, err := openSuite(tmp)
	if err != nil {
		return err
	}
	if err := s.writeLeaderboard(nil); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp, root); err != nil {
		return fmt.Errorf("%s: %w", root, outfile.UnwrapPath(err))
	}
	done = true
	return nil
}

// checkFresh refuses to export over anything but an empty folder.
func checkFresh(root string) error {
	entries, err := os.ReadDir(root)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if _, err := os.Stat(filepath.Dir(root)); err != nil {
			return fmt.Errorf("%s: %w", root, outfile.UnwrapPath(err))
		}
		return nil
	case err != nil:
		return fmt.Errorf("%s: %w", root, outfile.UnwrapPath(err))
	case len(entries) > 0:
		return fmt.Errorf("%s: already exists and is not empty; an export is never written over another (remove it or choose another folder)", root)
	}
	return nil
}
