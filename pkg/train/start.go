package train

import (
	"context"

	"errors"
	"fmt"
	"github.com/gomlx/compute"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/kernels"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Start creates the run folders dirs for cfgs and trains them: one run
// alone, or several packed into one computation (see Pack for what may
// differ between them). tableBytes[i] is the file of tables[i], copied into
// the run. The first line on log names the backend.
func Start(ctx context.Context, dirs []string, cfgs []*runs.Config, tables []*table.Table, tableBytes [][]byte, log io.Writer) error {
	began := runBegan()
	for i, cfg := range cfgs {
		if err := Validate(cfg, tables[i]); err != nil {
			return fmt.Errorf("%s: %w", cfg.Data.Source, err)
		}
		fillSizes(&cfg.Model)
		if err := CheckNew(dirs[i]); err != nil {
			return err
		}
	}
	if m, err := infer.ModelFor(cfgs[0].Model); err == nil && len(dirs) > 1 {
		if _, ok := m.(model.Stacked); !ok {
			return fmt.Errorf("model %s cannot be packed (train its runs one by one)", m.Name())
		}
	}
	b, desc, err := backend.New()
	if err != nil {
		return err
	}
	fresh := make([]bool, len(dirs)) // folders Start makes (LockDirs does)
	for i, d := range dirs {
		_, err := os.Stat(d)
		fresh[i] = errors.Is(err, os.ErrNotExist)
	}
	release, err := runs.LockDirs(dirs)
	if err != nil {
		return err
	}
	defer release()
	for i, cfg := range cfgs {
		recordBackend(cfg, b, desc)
		if len(dirs) > 1 {
			cfg.Pack = dirs
		}
		if err := Create(dirs[i], cfg, tables[i], tableBytes[i]); err != nil {
			undoStart(dirs, i, fresh, release)
			return err
		}
	}
	if len(dirs) == 1 {
		fmt.Fprintf(log, "fit: backend %s\n", desc)
	} else {
		fmt.Fprintf(log, "fit: backend %s; %d models packed into one computation\n", desc, len(dirs))
	}
	p, err := OpenPack(b, dirs, cfgs, tables, nil, log)
	if err != nil {
		return err
	}
	return trainAndReport(ctx, p, began)
}

// undoStart removes what Start made when creating run folder failed (a
// full disk, say): the runs created before it (packed: none is trained
// alone) and the folders it made, once their locks are released. Create has
// already undone its own failed folder's files.
func undoStart(dirs []string, failed int, fresh []bool, release func()) {
	for _, d := range dirs[:failed] {
		os.Remove(filepath.Join(d, runs.ConfigFile)) // first: without it the folder is no run
		unmake(d, false)
	}
	release()
	for i, d := range dirs {
		if fresh[i] {
			os.Remove(filepath.Join(d, runs.LockFile))
			os.Remove(d) // only if empty
		}
	}
}

// recordBackend records in a new run's config what computes it.
func recordBackend(cfg *runs.Config, b compute.Backend, desc string) {
	cfg.Backend = desc
	cfg.Arithmetic = runs.Arithmetic{Arithmetic: backend.Arithmetic(b), BitForBit: true}
}

// ResumeOptions are what a resume may change.
type ResumeOptions struct {
	// Steps > 0 sets a new total number of steps.
	Steps int
	// SwitchArithmetic continues a run computed with other arithmetic (another
	// kernel family or architecture) with this process's, recording the switch:
	// the run is then no longer bit for bit. Without it such a resume is
	// refused.
	SwitchArithmetic bool
}

// Resume continues the runs in dirs (one alone, or packed) from the newest
// step they all can continue from, from step 0 where there is none (a run
// stopped before its first checkpoint: the runs are deterministic, so that
// loses time, never results).
func Resume(ctx context.Context, dirs []string, opts ResumeOptions, log io.Writer) error {
	began := runBegan()
	steps := opts.Steps
	release, err := runs.LockDirs(dirs)
	if err != nil {
		return err
	}
	defer release()
	var cfgs []*runs.Config
	var tables []*table.Table
	var finishedErr error // set while every run so far has finished
	for i, dir := range dirs {
		cfg, t, done, err := readRun(dir, steps)
		if err != nil {
			return err
		}
		if err := refuseFinished(dir, cfg, done, steps > 0); err == nil {
			finishedErr = nil
		} else if i == 0 {
			finishedErr = err
		}
		cfgs, tables = append(cfgs, cfg), append(tables, t)
	}
	if finishedErr != nil {
		return finishedErr // all of them: nothing to do
	}
	from, err := packResumeStates(dirs)
	if err != nil {
		return err
	}
	b, desc, err := backend.New()
	if err != nil {
		return err
	}
	here := backend.Arithmetic(b)
	for i, cfg := range cfgs {
		if err := checkArithmetic(dirs[i], cfg.Arithmetic, here, opts.SwitchArithmetic); err != nil {
			return err
		}
	}
	started := cfgs[0].Backend
	for _, cfg := range cfgs {
		cfg.Backend = desc
	}
	p, err := OpenPack(b, dirs, cfgs, tables, from, log)
	if err != nil {
		return err
	}
	for i, dir := range dirs {
		if a := &cfgs[i].Arithmetic; a.Arithmetic != here {
			fmt.Fprintf(log, "fit: note: %s continues from step %d with %s (%s before): no longer bit for bit, as config.json records\n", dir, p.Step, here, recordedArithmetic(*a))
			a.Switches = append(a.Switches, runs.Switch{Step: p.Step, From: recordedArithmetic(*a), To: here.String()})
			a.Arithmetic, a.BitForBit = here, false
		}
		if err := runs.WriteConfig(dir, cfgs[i]); err != nil {
			return err
		}
	}
	steps = cfgs[0].Train.Steps
	switch {
	case len(dirs) > 1 && from == nil:
		fmt.Fprintf(log, "fit: backend %s; %d packed models have no common checkpoint: starting again from step 0 of %d\n", desc, len(dirs), steps)
	case len(dirs) > 1:
		fmt.Fprintf(log, "fit: backend %s; resuming %d packed models at step %d of %d\n", desc, len(dirs), p.Step, steps)
	default:
		if desc != started {
			fmt.Fprintf(log, "fit: note: the run started on %s\n", started)
		}
		fmt.Fprintf(log, "fit: backend %s\n", desc)
		if from == nil {
			fmt.Fprintf(log, "fit: %s stopped before its first checkpoint: starting again from step 0 of %d\n", dirs[0], steps)
		} else {
			fmt.Fprintf(log, "fit: resuming %s at step %d of %d\n", dirs[0], p.Step, steps)
		}
	}
	return trainAndReport(ctx, p, began)
}

// checkArithmetic refuses to resume a run computed with other arithmetic than
// here, unless switching was asked for. A run that recorded none (made before
// grokkit recorded it) is continued, its switch recorded as from "unrecorded".
func checkArithmetic(dir string, a runs.Arithmetic, here kernels.Arithmetic, switching bool) error {
	if !a.Recorded() || a.Arithmetic == here || switching {
		return nil
	}
	return fmt.Errorf("%s was computed with %s, and this process computes with %s (%s): resumed, it would no longer be bit for bit. Continue anyway with: fit --resume %s --switch-kernels (config.json records the switch)",
		dir, a.Arithmetic, here, kernels.Machine(), dir)
}

// recordedArithmetic names a run's arithmetic for a switch record.
func recordedArithmetic(a runs.Arithmetic) string {
	if !a.Recorded() {
		return "unrecorded"
	}
	return a.Arithmetic.String()
}

// RecordedKernels is the kernel family the runs in dirs were computed with,
// where they all recorded the same one and this machine has it; else "".
// fit --resume computes with it unless told otherwise, so that a resume
// continues bit for bit wherever it can.
func RecordedKernels(dirs []string) string {
	var f kernels.Family
	for _, dir := range dirs {
		cfg, err := runs.ReadConfig(dir)
		if err != nil || !cfg.Arithmetic.Recorded() || (f != "" && cfg.Arithmetic.Kernels != f) {
			return ""
		}
		f = cfg.Arithmetic.Kernels
	}
	if !kernels.Has(f) {
		return ""
	}
	return string(f)
}

// trainAndReport trains the runs (a run alone with a progress display) and
// reports their ends.
func trainAndReport(ctx context.Context, p *Pack, began time.Time) error {
	p.Report = NewReporter(p.Log, p.Runs[0].Config.Train.Steps, p.Step, time.Now)
	err := p.Train(ctx)
	p.Report.Done()
	if err != nil {
		return err
	}
	c := p.costs
	for _, r := range p.Runs {
		c.eval, c.checkpoint = c.eval+r.costs.eval, c.checkpoint+r.costs.checkpoint
	}
	defer func() { fmt.Fprintf(p.Log, "fit: %s\n", c.line(time.Since(began))) }()
	if len(p.Runs) > 1 {
		for _, r := range p.Runs {
			fmt.Fprintf(p.Log, "fit: %s: step %d: %s; accuracy ≥ 99%%: %s\n", r.Dir, r.Step, summary(r.Metrics), milestones(r.Metrics))
		}
		return nil
	}
	r := p.Runs[0]
	fmt.Fprintf(r.Log, "fit: step %d: %s; wrote %s\n", r.Step, summary(r.Metrics), r.Dir)
	fmt.Fprintf(r.Log, "fit: accuracy ≥ 99%%: %s\n", milestones(r.Metrics))
	return nil
}

// fillSizes writes the model's actual sizes (defaults included) into the
// config, so config.json says exactly what was trained.
func fillSizes(spec *runs.ModelSpec) {
	m, err := infer.ModelFor(*spec)
	if err != nil {
		return // Validate has reported it
	}
	d, _ := model.Lookup(spec.Name)
	built, sizes := m.Config(), infer.ConfigFor(*spec)
	for flag, field := range model.SizeFlags {
		if d.Reads(flag) {
			*field(&sizes) = *field(&built)
		}
	}
	for flag, field := range model.ChoiceFlags {
		if d.Reads(flag) {
			*field(&sizes) = *field(&built)
		}
	}
	if d.Reads(model.AttentionRateFlag) {
		sizes.ConstantAttention = built.ConstantAttention
	}
	infer.SetSizes(spec, sizes)
}

// milestones says when train and test accuracy first reached 99%: the
// memorisation and grokking steps.
func milestones(ms []runs.Metric) string {
	out := ""
	for i, split := range []string{table.SplitTrain, table.SplitTest} {
		if i > 0 {
			out += ", "
		}
		if _, ok := newest(ms, split, runs.All, runs.IsLoss); !ok {
			out += "no " + split + " rows"
			continue
		}
		if s, ok := runs.FirstStepAtLeast(ms, split, runs.All, runs.MetricAccuracy, 0.99); ok {
			out += fmt.Sprintf("%s at step %d", split, s)
		} else {
			out += split + " never"
		}
	}
	return out
}

// readRun reads a run folder's config and table to resume it, removes the
// temporary files a killed writer left (the caller holds the lock), and
// returns the step of its resume state (−1 when it has none yet: it stopped
// before its first checkpoint). steps > 0 sets a new total number of steps,
// which must lie beyond that step.
func readRun(dir string, steps int) (*runs.Config, *table.Table, int, error) {
	cfg, err := runs.ReadConfig(dir)
	if err != nil {
		return nil, nil, 0, err
	}
	if why, ok := runs.Diverged(dir); ok {
		return nil, nil, 0, fmt.Errorf("%s diverged (%s): resumed, it would diverge again; train it anew with other settings", dir, why)
	}
	t, err := runs.LoadTable(dir, cfg, "", nil)
	if err != nil {
		return nil, nil, 0, err
	}
	for _, d := range []string{dir, filepath.Join(dir, runs.CheckpointDir)} {
		if _, err := outfile.RemoveStale(d); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, nil, 0, err
		}
	}
	done, err := resumeStep(dir)
	if err != nil {
		return nil, nil, 0, err
	}
	switch {
	case steps > 0 && steps <= done:
		return nil, nil, 0, fmt.Errorf("%s: --steps %d is not beyond the run's step %d", dir, steps, done)
	case steps > 0:
		cfg.Train.Steps = steps
	}
	return cfg, t, done, nil
}

// refuseFinished refuses to resume a run that has written its final files
// (at its last step, or where it stopped early), unless --steps extended
// it. One killed before them is resumed: Train writes them.
func refuseFinished(dir string, cfg *runs.Config, done int, extended bool) error {
	switch {
	case !finished(dir, done) || extended:
		return nil
	case done < cfg.Train.Steps:
		return fmt.Errorf("%s: the run has finished (it stopped early at step %d of %d)", dir, done, cfg.Train.Steps)
	}
	return fmt.Errorf("%s: the run has finished (step %d of %d); give --steps beyond %d to train it longer", dir, done, cfg.Train.Steps, done)
}

// finished reports whether a run's final files are written for step: the
// weights (checked) and the curves, written last. A run killed between its
// last checkpoint and these is not finished, and resuming it writes them.
func finished(dir string, step int) bool {
	_, meta, err := model.LoadSafetensors(runs.ModelPath(dir))
	if err != nil || meta[metaStep] != strconv.Itoa(step) {
		return false
	}
	_, err = os.Stat(filepath.Join(dir, runs.CurvesFile))
	return err == nil
}

// packResumeStates picks the resume state each packed run continues from, or
// nil to start them all again from step 0 (deterministic runs lose time that
// way, never results). The runs checkpoint one after another, so a crash can
// leave some at the new step and some at the one before; those ahead keep
// the one before as runs.PreviousResumePath until the round is complete, and
// all continue from the older step. A run that stopped early and wrote its
// final files stays at its own step.
func packResumeStates(dirs []string) ([]string, error) {
	type state struct {
		newest, previous int // steps; −1 when absent
		done             bool
	}
	states := make([]state, len(dirs))
	target := -1
	for i, dir := range dirs {
		s := &states[i]
		var err error
		if s.newest, err = resumeStep(dir); err != nil {
			return nil, err
		}
		if s.previous, err = stateStep(runs.PreviousResumePath(dir)); err != nil {
			s.previous = -1 // a half-written round: the newest decides
		}
		s.done = s.newest >= 0 && finished(dir, s.newest)
		if s.done {
			continue
		}
		at := s.newest
		if at < 0 {
			at = s.previous
		}
		if at < 0 {
			return nil, nil // stopped before its first checkpoint
		}
		if target < 0 || at < target {
			target = at
		}
	}
	from := make([]string, len(dirs))
	for i, dir := range dirs {
		switch s := states[i]; {
		case s.done || s.newest == target:
			from[i] = runs.ResumePath(dir)
		case s.previous == target:
			from[i] = runs.PreviousResumePath(dir)
		default:
			return nil, nil
		}
	}
	return from, nil
}
