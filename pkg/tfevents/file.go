package tfevents

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// encode is a whole file: the file-version event, then events.
func encode(events []Event) []byte {
	b := AppendRecord(nil, Event{FileVersion: FileVersion}.Marshal())
	for _, e := range events {
		b = AppendRecord(b, e.Marshal())
	}
	return b
}

// WriteFile replaces path, atomically, with the file-version event and then
// events: a reader sees the old file or the new one, never a mix.
func WriteFile(path string, events []Event) error {
	b := encode(events)
	return outfile.Write(path, nil, func(w io.Writer) error {
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("%s: %w", path, outfile.UnwrapPath(err))
		}
		return nil
	})
}

// Reset makes path hold the file-version event and events, as WriteFile,
// to start or resume a writer. A file that already begins with exactly
// those bytes (a run's own file: its events are deterministic) is cut after
// them in place instead: TensorBoard follows a file by its offset (some of
// its readers keep the file open, and would never see a renamed one), and
// the events appended again are the same bytes at the same offsets. Any
// other file is replaced atomically.
func Reset(path string, events []Event) error {
	want := encode(events)
	if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
		kept, err := cutAfter(f, want)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, outfile.UnwrapPath(err))
		}
		if kept {
			return nil
		}
	}
	return WriteFile(path, events)
}

// cutAfter reports whether f begins with prefix and, if so, truncates it to
// prefix (synced). Any bytes after it are what a crash or a later step left.
func cutAfter(f *os.File, prefix []byte) (bool, error) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < int64(len(prefix)) {
		return false, nil
	}
	got := make([]byte, len(prefix))
	if _, err := io.ReadFull(f, got); err != nil || !bytes.Equal(got, prefix) {
		return false, nil
	}
	if fi.Size() == int64(len(prefix)) {
		return true, nil
	}
	if err := f.Truncate(int64(len(prefix))); err != nil {
		return false, err
	}
	return true, f.Sync()
}

// Append adds one event to the end of an existing file (written first by
// WriteFile or Reset) and syncs it, so TensorBoard sees it at once. A crash
// can leave its record torn at the end of the file, which TensorBoard reads
// as not yet written; the writer then starts the file again with Reset.
func Append(path string, e Event) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("%s: %w", path, outfile.UnwrapPath(err))
	}
	_, err = f.Write(AppendRecord(nil, e.Marshal()))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, outfile.UnwrapPath(err))
	}
	return nil
}
