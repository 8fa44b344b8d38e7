package detectbench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
	"github.com/grokkit/grokkit/pkg/train"
)

// Models are the networks every case is trained with, by name.
var Models = []string{"nanda", "gromov"}

// benchCheckpointEvery is how often a benchmark's runs checkpoint: an
// interrupted benchmark (a job's time limit, a session's end) resumes its
// pack from the last one instead of from step 0.
const benchCheckpointEvery = 500

// Training says how long each network trains.
type Training struct {
	Steps     int
	EvalEvery int
}

// modelConfig is a run's configuration: the quickstart's small transformer
// (AdamW lr 3e-3, weight decay 1) and Gromov's MLP at width 512 with MSE
// (AdamW lr 0.01, weight decay 0.1: at 0.3, as in scripts/detect-backdoor.sh,
// the MLP rejects most planted rows at p = 31 instead of memorising them,
// Doshi et al.'s inversion; at 0.1 it memorises them and still generalises).
func modelConfig(model string, p int, seed uint64, tr Training, source string) *runs.Config {
	cfg := &runs.Config{
		Args: []string{"detectbench", "--model", model, "--seed", strconv.FormatUint(seed, 10)},
		Data: runs.DataInfo{Source: source},
		Train: runs.TrainSpec{Optimizer: "adamw", Beta1: 0.9, Beta2: 0.98, Eps: 1e-8, WarmupSteps: 10,
			LogitsDType: "float64", Seed: seed, Steps: tr.Steps, EvalEvery: tr.EvalEvery,
			CheckpointEvery: min(tr.Steps, benchCheckpointEvery), Patience: 1},
	}
	switch model {
	case "gromov":
		cfg.Model = runs.ModelSpec{Name: model, P: p, Width: 512, Parameterization: "gromov"}
		cfg.Train.Loss, cfg.Train.LR, cfg.Train.WeightDecay = "mse", 0.01, 0.1
	default:
		cfg.Model = runs.ModelSpec{Name: model, P: p, DModel: 64, NHeads: 4, DHead: 16, DMLP: 256, Equals: true}
		cfg.Train.Loss, cfg.Train.LR, cfg.Train.WeightDecay = "cross_entropy", 3e-3, 1
	}
	return cfg
}

// TablePath and RunPath are where a case's table and run live.
func TablePath(dir string, c Case, p int) string {
	return filepath.Join(dir, "tables", fmt.Sprintf("p%d", p), c.Name+".parquet")
}

// RunPath is the run folder of case c at prime p with model m.
func RunPath(dir string, c Case, p int, m string) string {
	return filepath.Join(dir, "runs", fmt.Sprintf("p%d", p), m, c.Name)
}

// WriteTables writes every case's table at every prime (skipping those
// already written) and returns them by prime, in case order.
func WriteTables(dir string, pl *Plan) (map[int][]*table.Table, map[int][][]byte, error) {
	tables, data := map[int][]*table.Table{}, map[int][][]byte{}
	for _, p := range pl.Primes {
		for _, c := range pl.Cases {
			t, err := pl.Table(c, p)
			if err != nil {
				return nil, nil, err
			}
			var buf bytes.Buffer
			if err := table.Write(&buf, t); err != nil {
				return nil, nil, err
			}
			path := TablePath(dir, c, p)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, nil, err
			}
			if err := outfile.Write(path, nil, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
				return nil, nil, err
			}
			tables[p] = append(tables[p], t)
			data[p] = append(data[p], buf.Bytes())
		}
	}
	return tables, data, nil
}

// PackSize is how many runs of a model train as one computation, measured
// on the pure-Go backend here: 8 small transformers packed take about
// 5 ms per model-step against 7.5 alone (32 packed: 16, the working set
// falls out of the caches); Gromov's MLP is faster alone (about 2 ms per
// step against 5 packed), so it is not packed.
var PackSize = map[string]int{"nanda": 8, "gromov": 1}

// Train trains every case at every prime with every model, the cases of one
// (prime, model) packed PackSize[model] at a time. Finished packs are skipped; an
// interrupted pack is resumed.
func Train(ctx context.Context, dir string, pl *Plan, models []string, tr Training, log io.Writer) error {
	tables, data, err := WriteTables(dir, pl)
	if err != nil {
		return err
	}
	for _, p := range pl.Primes {
		for _, m := range models {
			k := max(PackSize[m], 1)
			for lo := 0; lo < len(pl.Cases); lo += k {
				hi := min(lo+k, len(pl.Cases))
				if err := trainPack(ctx, dir, pl.Cases[lo:hi], p, m, tr, tables[p][lo:hi], data[p][lo:hi], log); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// trainPack trains the runs of cases at p with model m as one pack.
func trainPack(ctx context.Context, dir string, cases []Case, p int, m string, tr Training, tables []*table.Table, data [][]byte, log io.Writer) error {
	var dirs []string
	var cfgs []*runs.Config
	done, started := 0, 0
	for _, c := range cases {
		d := RunPath(dir, c, p, m)
		dirs = append(dirs, d)
		cfgs = append(cfgs, modelConfig(m, p, c.TrainSeed, tr, TablePath(dir, c, p)))
		if _, err := os.Stat(filepath.Join(d, runs.ModelFile)); err == nil {
			done++
		}
		if _, err := os.Stat(filepath.Join(d, runs.CheckpointDir, runs.ResumeFile)); err == nil {
			started++
		}
	}
	names := cases[0].Name
	if len(cases) > 1 {
		names += "…" + cases[len(cases)-1].Name
	}
	switch {
	case done == len(dirs):
		fmt.Fprintf(log, "detectbench: p = %d, %s, %s: already trained\n", p, m, names)
		return nil
	case started == len(dirs):
		fmt.Fprintf(log, "detectbench: p = %d, %s, %s: resuming\n", p, m, names)
		return train.Resume(ctx, dirs, train.ResumeOptions{}, log)
	}
	for _, d := range dirs { // a pack interrupted before its first checkpoint starts again
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	if len(dirs) == 1 {
		fmt.Fprintf(log, "detectbench: p = %d, %s, %s: training\n", p, m, names)
	} else {
		fmt.Fprintf(log, "detectbench: p = %d, %s, %s: training %d runs packed\n", p, m, names, len(dirs))
	}
	return train.Start(ctx, dirs, cfgs, tables, data, log)
}
