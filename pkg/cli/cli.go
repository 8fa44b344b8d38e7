// Package cli holds what every tool's main shares: parsing with kong into
// one error line and an exit code, and the history step a tool appends.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/kernels"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/version"
)

// Exit codes, the same for every tool: 1 for a failed run, 2 for a command
// line that could not be parsed, 130 (128 + SIGINT) for a run stopped by
// SIGINT or SIGTERM after saving what it can continue from.
const (
	ExitFailed      = 1
	ExitUsage       = 2
	ExitInterrupted = 130
)

// Env is what a tool may touch of the process, so tests can run it
// in-process with their own streams.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Exec replaces the process with a new run of the program (syscall.Exec);
	// nil in-process, where UseKernels cannot start the tool again.
	Exec func(argv0 string, argv []string, envv []string) error
}

// Parse fills cli from env.Args. done is true when the tool should stop
// with code (help was printed, or the command line was wrong).
func Parse(env Env, name, description string, cli any, opts ...kong.Option) (ctx *kong.Context, code int, done bool) {
	exited := -1
	opts = append([]kong.Option{
		kong.Name(name),
		kong.Description(description),
		kong.Writers(env.Stdout, env.Stderr),
		kong.Exit(func(c int) { exited = c }),
		kong.UsageOnError(),
		kong.Vars{"version": versionLine()},
	}, append(negativeNumbers(), opts...)...)
	parser, err := kong.New(cli, opts...)
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		return nil, ExitFailed, true
	}
	ctx, err = parser.Parse(env.Args)
	if exited >= 0 {
		return nil, exited, true
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
		return nil, ExitUsage, true
	}
	return ctx, 0, false
}

// versionLine is what --version prints: the version and the arithmetic the
// tool computes with, e.g. "0.1.0 (avx2 kernels on amd64; this CPU: amd64
// with AVX-512)".
func versionLine() string {
	f, err := kernels.Active()
	if err != nil {
		return fmt.Sprintf("%s (%v)", version.Version, err)
	}
	return fmt.Sprintf("%s (%s; this CPU: %s)", version.Version, kernels.Here(f), kernels.Machine())
}

// Fail prints err as the tool's one error line and returns ExitFailed.
func Fail(env Env, name string, err error) int {
	fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
	return ExitFailed
}

// Step is the history entry for this invocation.
func Step(tool string, args []string, seed *uint64) table.Step {
	return table.Step{Tool: tool, Version: version.Version, Args: append([]string{}, args...), Seed: seed}
}

// OS is the Env of the running process.
func OS() Env {
	return Env{Args: os.Args[1:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Exec: execSelf}
}

// ExitError ends a tool with a message and a particular exit code.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string { return e.Msg }

// Run is every tool's main: parse flags into cli, call body, and turn an
// error into the tool's one error line and exit code (ExitFailed, or an
// ExitError's own).
func Run(env Env, name, description string, cli any, body func(env Env, ctx *kong.Context) error, opts ...kong.Option) int {
	ctx, code, done := Parse(env, name, description, cli, opts...)
	if done {
		return code
	}
	var err error
	if k, ok := cli.(interface{ kernelsSetting() string }); ok { // embeds Kernels
		err = env.UseKernels(k.kernelsSetting())
	}
	if err == nil {
		err = body(env, ctx)
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		fmt.Fprintf(env.Stderr, "%s: %s\n", name, exit.Msg)
		return exit.Code
	}
	if err != nil {
		return Fail(env, name, err)
	}
	return 0
}
