// Package cli holds what every tool's main shares: parsing with kong into
// one error line and an exit code, and the history step a tool appends.
package cli

import (
	"fmt"
	"io"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/version"
)

// Exit codes: 1 for a failed run, 2 for a command line kong rejected.
const (
	ExitFailed = 1
	ExitUsage  = 2
)

// Env is what a tool may touch of the process, so tests can run it
// in-process with their own streams.
type Env struct {
	Args   []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
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
		kong.Vars{"version": version.Version},
	}, opts...)
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

// Fail prints err as the tool's one error line and returns ExitFailed.
func Fail(env Env, name string, err error) int {
	fmt.Fprintf(env.Stderr, "%s: %v\n", name, err)
	return ExitFailed
}

// Step is the history entry for this invocation.
func Step(tool string, args []string, seed *uint64) table.Step {
	return table.Step{Tool: tool, Version: version.Version, Args: append([]string{}, args...), Seed: seed}
}
