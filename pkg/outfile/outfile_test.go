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
