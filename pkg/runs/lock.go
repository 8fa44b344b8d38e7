package runs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the run folder's lock, held by the fit writing it.
const LockFile = ".lock"

// Lock is a held lock on a run folder.
type Lock struct{ f *os.File }

// LockDir takes the run folder's lock for the life of a writer (fit): an
// exclusive flock(2) on dir/.lock, which the kernel releases when the
// process ends however it ends, so a crash never leaves a stale lock. The
// file holds the holder's PID for the message a second writer gets. The
// folder is created if needed.
func LockDir(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(holder))
			if pid == "" {
				pid = "unknown"
			}
			return nil, fmt.Errorf("%s: another fit (PID %s) is writing this run; wait for it to end or stop it", dir, pid)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Lock{f}, nil
}

// Release lets the next writer in (the file stays; only the flock counts).
func (l *Lock) Release() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// LockDirs locks several run folders (packed runs), all or none.
func LockDirs(dirs []string) (func(), error) {
	var held []*Lock
	release := func() {
		for _, l := range held {
			l.Release()
		}
	}
	for _, d := range dirs {
		l, err := LockDir(d)
		if err != nil {
			release()
			return nil, err
		}
		held = append(held, l)
	}
	return release, nil
}

// LockHolder reports whether a live process holds dir's lock, and the PID
// it wrote ("" if none), for a scheduler deciding whether a run may start.
// flock(2) has no test-only call, so it takes the lock for an instant: a fit
// starting at that very instant is refused once, which is far better than
// two fits writing one folder.
func LockHolder(dir string) (pid string, held bool, err error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", false, nil // never run, or not yet
	}
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	switch err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); {
	case err == nil:
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return "", false, nil // left by a process that has ended
	case !errors.Is(err, syscall.EWOULDBLOCK):
		return "", false, fmt.Errorf("%s: %w", path, err)
	}
	b, _ := io.ReadAll(io.LimitReader(f, 32))
	return strings.TrimSpace(string(b)), true, nil
}
