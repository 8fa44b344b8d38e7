package outfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.parquet")
	boom := errors.New("boom")
	err := Write(path, nil, func(w io.Writer) error {
		w.Write([]byte("half"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("left behind: %v", entries)
	}
	var stdout bytes.Buffer
	Write("-", &stdout, func(w io.Writer) error { w.Write([]byte("half")); return boom })
	if stdout.Len() != 0 {
		t.Fatal("stdout got a partial write")
	}
}

func TestSuccessReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out")
	os.WriteFile(path, []byte("old"), 0o644)
	if err := Write(path, nil, func(w io.Writer) error { _, err := w.Write([]byte("new")); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Fatalf("got %q", b)
	}
	var stdout bytes.Buffer
	Write("-", &stdout, func(w io.Writer) error { _, err := w.Write([]byte("x")); return err })
	if stdout.String() != "x" {
		t.Fatal(stdout.String())
	}
}

// -o /dev/null must not replace the device with a regular file (as a
// rename over it would, run as root). A FIFO stands in for the device.
func TestSpecialFileIsWrittenNotReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := os.ReadFile(path)
		got <- b
	}()
	if err := Write(path, nil, func(w io.Writer) error { _, err := w.Write([]byte("rows")); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced by a regular file: %v", err)
	}
	select {
	case b := <-got:
		if string(b) != "rows" {
			t.Fatalf("the reader got %q", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("nothing was written to the FIFO")
	}
}

// Writers of the same file at once (two fourier runs drawing one plot) each
// use their own temporary name: all succeed, and the file is one of them
// whole. Before, a fixed temporary name made one fail 9 times in 10.
func TestConcurrentWritersOfOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.png")
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			data := bytes.Repeat([]byte{byte('a' + i)}, 1<<16)
			errs <- Write(path, nil, func(w io.Writer) error { _, err := w.Write(data); return err })
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	b, _ := os.ReadFile(path)
	if len(b) != 1<<16 || bytes.Count(b, b[:1]) != len(b) {
		t.Fatalf("the file is not one writer's output whole (%d bytes)", len(b))
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}

// RemoveStale removes exactly this package's temporary files.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{".metrics.parquet.tmp123", ".step-00000010.safetensors.tmp9", "keep.tmp1", ".x.tmp", ".y.tmpabc", "data.parquet"} {
		os.WriteFile(filepath.Join(dir, name), nil, 0o644)
	}
	removed, err := RemoveStale(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 2 {
		t.Fatalf("removed %v", removed)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 4 {
		t.Fatalf("left %v", left)
	}
}
