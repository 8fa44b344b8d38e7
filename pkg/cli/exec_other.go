//go:build !unix

package cli

// execSelf: a process cannot replace itself here; UseKernels then says
// which environment to start the tool with.
var execSelf func(argv0 string, argv []string, envv []string) error
