package cli

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// Profile starts a pprof CPU profile into cpu (if set) and returns the
// function that ends it and writes an allocation profile into mem (if
// set): `go tool pprof` reads both. For profiling a tool's real work, not
// only a benchmark.
func Profile(cpu, mem string) (stop func() error, err error) {
	var f *os.File
	if cpu != "" {
		if f, err = os.Create(cpu); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", cpu, err)
		}
	}
	return func() error {
		if f != nil {
			pprof.StopCPUProfile()
			if err := f.Close(); err != nil {
				return err
			}
		}
		if mem == "" {
			return nil
		}
		m, err := os.Create(mem)
		if err != nil {
			return err
		}
		runtime.GC() // the allocation profile is as of the last collection
		if err := pprof.Lookup("allocs").WriteTo(m, 0); err != nil {
			m.Close()
			return fmt.Errorf("%s: %w", mem, err)
		}
		return m.Close()
	}, nil
}
