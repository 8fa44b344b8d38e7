package train

import (
	"context"
	"fmt"
	"io"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/model"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// Start creates the run folder dir for cfg and trains. tableBytes is the
// table's file, copied into the run. The first line on log names the
// backend.
func Start(ctx context.Context, dir string, cfg *runs.Config, t *table.Table, tableBytes []byte, log io.Writer) error {
	if err := Validate(cfg, t); err != nil {
		return fmt.Errorf("%s: %w", cfg.Data.Source, err)
	}
	fillSizes(&cfg.Model)
	b, desc, err := backend.New()
	if err != nil {
		return err
	}
	cfg.Backend = desc
	fmt.Fprintf(log, "fit: backend %s\n", desc)
	if err := Create(dir, cfg, t, tableBytes); err != nil {
		return err
	}
	r, err := Open(b, dir, cfg, t, false, log)
	if err != nil {
		return err
	}
	return r.trainAndReport(ctx)
}

// Resume continues the run in dir from its newest checkpoint; steps > 0
// sets a new total number of steps.
func Resume(ctx context.Context, dir string, steps int, log io.Writer) error {
	cfg, t, err := readRun(dir, steps)
	if err != nil {
		return err
	}
	b, desc, err := backend.New()
	if err != nil {
		return err
	}
	if desc != cfg.Backend {
		fmt.Fprintf(log, "fit: note: the run started on %s\n", cfg.Backend)
	}
	cfg.Backend = desc
	fmt.Fprintf(log, "fit: backend %s\n", desc)
	r, err := Open(b, dir, cfg, t, true, log)
	if err != nil {
		return err
	}
	if err := runs.WriteConfig(dir, cfg); err != nil {
		return err
	}
	fmt.Fprintf(log, "fit: resuming %s at step %d of %d\n", dir, r.Step, cfg.Train.Steps)
	return r.trainAndReport(ctx)
}

func (r *Run) trainAndReport(ctx context.Context) error {
	tr := r.Config.Train
	r.Progress = NewProgress(r.Log, tr.Steps, r.Step, max(1, 1000/tr.EvalEvery))
	err := r.Train(ctx)
	r.Progress.Done()
	if err != nil {
		return err
	}
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
	c := m.Config()
	if spec.Name == "gromov" {
		spec.Width, spec.Parameterization = c.Width, c.Parameterization
		return
	}
	spec.DModel, spec.NHeads, spec.DHead, spec.DMLP = c.DModel, c.NHeads, c.DHead, c.DMLP
	if spec.Name == "power" {
		spec.NLayers = c.NLayers
	}
}

// milestones says when train and test accuracy first reached 99%: the
// memorisation and grokking steps.
func milestones(ms []runs.Metric) string {
	out := ""
	for i, split := range []string{table.SplitTrain, table.SplitTest} {
		if i > 0 {
			out += ", "
		}
		if s, ok := runs.FirstStepAtLeast(ms, split, runs.All, runs.MetricAccuracy, 0.99); ok {
			out += fmt.Sprintf("%s at step %d", split, s)
		} else {
			out += split + " never"
		}
	}
	return out
}

// StartPack creates the run folders dirs and trains their models as one
// Pack (see Pack for what may differ between them). tableBytes[i] is the
// file of tables[i].
func StartPack(ctx context.Context, dirs []string, cfgs []*runs.Config, tables []*table.Table, tableBytes [][]byte, log io.Writer) error {
	for i, cfg := range cfgs {
		if err := Validate(cfg, tables[i]); err != nil {
			return fmt.Errorf("%s: %w", cfg.Data.Source, err)
		}
		fillSizes(&cfg.Model)
	}
	if m, err := infer.ModelFor(cfgs[0].Model); err == nil {
		if _, ok := m.(model.Stacked); !ok {
			return fmt.Errorf("model %s cannot be packed (train its runs one by one)", m.Name())
		}
	}
	b, desc, err := backend.New()
	if err != nil {
		return err
	}
	fmt.Fprintf(log, "fit: backend %s; %d models packed into one computation\n", desc, len(dirs))
	for i, cfg := range cfgs {
		cfg.Backend = desc
		cfg.Pack = dirs
		if err := Create(dirs[i], cfg, tables[i], tableBytes[i]); err != nil {
			return err
		}
	}
	p, err := OpenPack(b, dirs, cfgs, tables, false, log)
	if err != nil {
		return err
	}
	if err := p.Train(ctx); err != nil {
		return err
	}
	for _, r := range p.Runs {
		fmt.Fprintf(log, "fit: %s: step %d: %s; accuracy ≥ 99%%: %s\n", r.Dir, r.Step, summary(r.Metrics), milestones(r.Metrics))
	}
	return nil
}

// ResumePack continues the packed runs in dirs from their newest common
// checkpoint; steps > 0 sets a new total number of steps.
func ResumePack(ctx context.Context, dirs []string, steps int, log io.Writer) error {
	b, desc, err := backend.New()
	if err != nil {
		return err
	}
	var cfgs []*runs.Config
	var tables []*table.Table
	for _, dir := range dirs {
		cfg, t, err := readRun(dir, steps)
		if err != nil {
			return err
		}
		cfg.Backend = desc
		cfgs, tables = append(cfgs, cfg), append(tables, t)
	}
	p, err := OpenPack(b, dirs, cfgs, tables, true, log)
	if err != nil {
		return err
	}
	for i, dir := range dirs {
		if err := runs.WriteConfig(dir, cfgs[i]); err != nil {
			return err
		}
	}
	fmt.Fprintf(log, "fit: backend %s; resuming %d packed models at step %d of %d\n", desc, len(dirs), p.Step, cfgs[0].Train.Steps)
	return p.Train(ctx)
}

// readRun reads a run folder's config and table to resume it; steps > 0
// sets a new total number of steps.
func readRun(dir string, steps int) (*runs.Config, *table.Table, error) {
	cfg, err := runs.ReadConfig(dir)
	if err != nil {
		return nil, nil, err
	}
	t, err := table.ReadFile(runs.DataPath(dir), nil)
	if err != nil {
		return nil, nil, err
	}
	if steps > 0 {
		cfg.Train.Steps = steps
	}
	return cfg, t, nil
}
