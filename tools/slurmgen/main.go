// Command slurmgen turns a sweep spec into a Slurm job array (or a local
// run) of moddata, mutate, fit, evalsplit and fourier, and collects the
// results.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/alecthomas/kong"

	"github.com/grokkit/grokkit/pkg/cli"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/sweep"
)

type flags struct {
	New struct {
		Spec   string `arg:"" placeholder:"SPEC" help:"Sweep spec (.yaml or .toml)."`
		Output string `short:"o" required:"" placeholder:"SWEEP" help:"Sweep folder to write (manifest.tsv, sweep.sbatch, data/, runs/, logs/)."`
		Submit bool   `help:"Submit the pending runs with sbatch."`
		Pack   int    `default:"1" placeholder:"K" help:"Train up to K runs that differ only in seeds, learning rate or weight decay as one packed fit per array task."`
	} `cmd:"" help:"Write a sweep folder from a spec (and --submit it)."`
	Submit   sweepArg `cmd:"" help:"Submit the sweep's pending runs (finished ones, and ones Slurm still holds, are skipped)."`
	Resubmit sweepArg `cmd:"" help:"Submit again the runs not finished (failed, missing or partial), leaving out those Slurm still holds or a running fit locks, and diverged ones."`
	Local    struct {
		sweepArg
		Jobs int `short:"j" default:"1" help:"Runs at once."`
	} `cmd:"" help:"Run the sweep's pending runs on this machine, -j at once (not ones a running fit holds)."`
	Status sweepArg `cmd:"" help:"Count runs done, partial (checkpointed), missing and diverged (not retried)."`
	Task   struct {
		sweepArg
		Index int `arg:"" help:"Row of the manifest ($SLURM_ARRAY_TASK_ID)."`
	} `cmd:"" help:"Do one run (what each array task runs)."`
	Collect struct {
		sweepArg
		Output string `short:"o" placeholder:"PATH" help:"Results table (default SWEEP/results.parquet); - for stdout."`
		X      string `placeholder:"PARAM" help:"Heat map: the parameter across."`
		Y      string `placeholder:"PARAM" help:"Heat map: the parameter down."`
		Z      string `default:"grok_step" help:"Heat map: the metric (grok_step, memorise_step, test_accuracy, xi, …), or phase (Doshi et al.'s)."`
		PNG    string `placeholder:"PATH" help:"Heat map file (default SWEEP/heatmap.png)."`
	} `cmd:"" help:"One Parquet table of every run's parameters and final metrics (SWEEP/results.parquet), and with --x and --y a heat map (SWEEP/heatmap.png)."`
	Version kong.VersionFlag `help:"Print the version."`
}

type sweepArg struct {
	Sweep string `arg:"" placeholder:"SWEEP" help:"Sweep folder."`
}

const description = `Sweeps: the Cartesian product of a spec's values as a Slurm job array,
or locally. Each task makes its data once (shared between runs), runs fit
(resuming a checkpoint), then evalsplit/fourier if the spec asks.`

func main() {
	var f flags
	os.Exit(cli.Run(cli.OS(), "slurmgen", description, &f, func(env cli.Env, kctx *kong.Context) error {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return dispatch(ctx, env, strings.Fields(kctx.Command())[0], &f)
	}))
}

// tools is the folder of this binary: the other tools are installed beside it.
func tools() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.Dir(exe), nil
}

func dispatch(ctx context.Context, env cli.Env, cmd string, f *flags) error {
	dir, err := tools()
	if err != nil {
		return err
	}
	switch cmd {
	case "new":
		s, err := sweep.Create(f.New.Output, f.New.Spec, dir, f.New.Pack)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "slurmgen: %d runs in %d tasks in %s\n", len(s.Runs), len(s.Tasks), f.New.Output)
		if f.New.Submit {
			return submit(env, s)
		}
		return nil
	case "task":
		s, err := sweep.Open(f.Task.Sweep)
		if err != nil {
			return err
		}
		err = s.Task(ctx, f.Task.Index, dir, env.Stdout)
		if errors.Is(err, sweep.ErrInterrupted) {
			return &cli.ExitError{Code: cli.ExitInterrupted, Msg: fmt.Sprintf("%s: task %d interrupted; its run checkpointed and resumes when resubmitted", s.Dir, f.Task.Index)}
		}
		return err
	case "local":
		s, err := sweep.Open(f.Local.Sweep)
		if err != nil {
			return err
		}
		err = s.Local(ctx, f.Local.Jobs, dir, env.Stderr)
		if errors.Is(err, sweep.ErrInterrupted) {
			return &cli.ExitError{Code: cli.ExitInterrupted, Msg: err.Error()}
		}
		return err
	}
	name := map[string]string{"submit": f.Submit.Sweep, "resubmit": f.Resubmit.Sweep, "status": f.Status.Sweep, "collect": f.Collect.Sweep}[cmd]
	s, err := sweep.Open(name)
	if err != nil {
		return err
	}
	switch cmd {
	case "submit", "resubmit":
		return submit(env, s)
	case "status":
		res, err := s.Collect()
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, r := range res {
			count[r.Status]++
		}
		line := fmt.Sprintf("%d runs: %d done, %d partial, %d missing", len(res), count["done"], count["partial"], count["missing"])
		if n := count["diverged"]; n > 0 {
			line += fmt.Sprintf(", %d diverged", n)
		}
		fmt.Fprintln(env.Stdout, line)
		return nil
	}
	return collect(env, s, f)
}

// submit sbatches the pending tasks that Slurm does not hold already and
// no running fit holds; the job id goes to stdout.
func submit(env cli.Env, s *sweep.Folder) error {
	if len(s.Pending()) == 0 {
		diverged := 0
		for _, r := range s.Runs {
			if _, ok := s.Diverged(r); ok && !s.Done(r) {
				diverged++
			}
		}
		if diverged > 0 {
			fmt.Fprintf(env.Stderr, "slurmgen: every run of %s has ended: %d done, %d diverged (remove a diverged run's folder to train it again)\n", s.Dir, len(s.Runs)-diverged, diverged)
			return nil
		}
		fmt.Fprintf(env.Stderr, "slurmgen: every run of %s is done\n", s.Dir)
		return nil
	}
	if !sweep.SlurmAnswers() {
		return fmt.Errorf("%s: no Slurm answers here (sbatch/sinfo); run it with: slurmgen local %s", s.Dir, s.Dir)
	}
	todo, skipped, err := s.ToSubmit()
	if err != nil {
		return err
	}
	if len(skipped) > 0 {
		fmt.Fprintln(env.Stderr, sweep.SkipLine(skipped))
	}
	if len(todo) == 0 {
		fmt.Fprintf(env.Stderr, "slurmgen: nothing to submit for %s: every unfinished task is still held\n", s.Dir)
		return nil
	}
	id, array, err := s.Submit(todo)
	if id != "" {
		fmt.Fprintf(env.Stdout, "%s\n", id)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "slurmgen: submitted job %s with %d tasks (--array=%s)\n", id, len(todo), array)
	return nil
}

// collect writes the results table and the heat map. Every argument is
// checked first, so a bad one leaves nothing written.
func collect(env cli.Env, s *sweep.Folder, f *flags) error {
	c := f.Collect
	heatmap := c.X != "" || c.Y != ""
	if heatmap && (c.X == "" || c.Y == "") {
		return errors.New("--x, --y: a heat map needs both")
	}
	if err := sweep.CheckMetric(c.Z); err != nil {
		return err
	}
	if heatmap {
		if _, _, err := s.CheckHeatmap(c.X, c.Y, c.Z); err != nil {
			return err
		}
	} else if c.PNG != "" {
		return errors.New("--png: a heat map needs --x and --y")
	}
	out := c.Output
	if out == "" {
		out = filepath.Join(s.Dir, "results.parquet")
	}
	path := c.PNG
	if path == "" {
		path = filepath.Join(s.Dir, "heatmap.png")
	}
	if err := outfile.Check(out); err != nil {
		return err
	}
	if heatmap {
		if err := outfile.Check(path); err != nil {
			return err
		}
	}
	res, err := s.Collect()
	if err != nil {
		return err
	}
	if err := outfile.Write(out, env.Stdout, func(w io.Writer) error { return s.WriteResults(w, res) }); err != nil {
		return err
	}
	if heatmap {
		text, err := s.Heatmap(path, res, c.X, c.Y, c.Z)
		if err != nil {
			return err
		}
		fmt.Fprint(env.Stderr, text)
		fmt.Fprintf(env.Stderr, "slurmgen: wrote %s\n", path)
	}
	return nil
}
