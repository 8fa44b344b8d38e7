//go:build unix

package cli

import "syscall"

// execSelf replaces the process (UseKernels).
var execSelf = syscall.Exec
