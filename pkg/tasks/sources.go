package tasks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/grokkit/grokkit/pkg/detectbench"
	"github.com/grokkit/grokkit/pkg/infer"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/table"
)

// TaskName is the task of a benchmark's run: p47-nanda-rule-01.
func TaskName(p int, model, c string) string { return fmt.Sprintf("p%d-%s-%s", p, model, c) }

// BenchSources lists every trained network of the benchmark folder bench
// (detectbench -o bench) as a task, prime by prime, model by model, in the
// plan's case order, and the manifest naming the benchmark. A model with
// no run folder was not asked for and is left out; one with some runs not
// finished is refused.
func BenchSources(bench string) (Manifest, []Source, error) {
	path := filepath.Join(bench, detectbench.PlanFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return Manifest{}, nil, fmt.Errorf("%s: not a benchmark folder (no %s; made by detectbench -o %s)", bench, detectbench.PlanFile, bench)
	}
	if err != nil {
		return Manifest{}, nil, pathErr(path, err)
	}
	var pl detectbench.Plan
	if err := json.Unmarshal(data, &pl); err != nil {
		return Manifest{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(pl.Cases) == 0 || len(pl.Primes) == 0 {
		return Manifest{}, nil, fmt.Errorf("%s: a plan without cases or primes", path)
	}
	var sources []Source
	var models []string
	for _, p := range pl.Primes {
		for _, m := range detectbench.Models {
			var missing []string
			var found []Source
			for _, c := range pl.Cases {
				dir := detectbench.RunPath(bench, c, p, m)
				if _, err := os.Stat(runs.ModelPath(dir)); err != nil {
					missing = append(missing, dir)
					continue
				}
				found = append(found, Source{Name: TaskName(p, m, c.Name), Run: dir, Step: infer.Final, Case: c.Name, Class: c.Class})
			}
			if _, err := os.Stat(filepath.Dir(detectbench.RunPath(bench, pl.Cases[0], p, m))); err != nil && len(found) == 0 {
				continue // the model was not trained at this prime
			}
			if len(missing) > 0 {
				return Manifest{}, nil, fmt.Errorf("%s: not trained (no %s): finish the benchmark first (detectbench -o %s with its settings)", missing[0], runs.ModelFile, bench)
			}
			sources = append(sources, found...)
			if !slices.Contains(models, m) {
				models = append(models, m)
			}
		}
	}
	if len(sources) == 0 {
		return Manifest{}, nil, fmt.Errorf("%s: no trained network (runs/ is empty)", bench)
	}
	var names bytes.Buffer
	for _, s := range sources {
		names.WriteString(s.Name + "\n")
	}
	return Manifest{
		Benchmark: BenchmarkID("detectbench", data, names.Bytes()),
		About: fmt.Sprintf("detectbench: seed %d, primes %v, training fraction %g, %d cases, models %s: %d networks",
			pl.Seed, pl.Primes, pl.TrainFraction, len(pl.Cases), strings.Join(models, ", "), len(sources)),
	}, sources, nil
}

// RunSource is a single run as a suite of one task, named after the run
// folder, scored on table t (nil: its own data.parquet); the benchmark id
// is that of its weights and table.
func RunSource(run string, step int, t *table.Table) (Manifest, []Source, error) {
	weights := runs.ModelPath(run)
	if step != infer.Final {
		weights = runs.CheckpointPath(run, step)
	}
	w, err := readFile(weights)
	if err != nil {
		return Manifest{}, nil, err
	}
	var tb []byte
	if t != nil {
		var buf bytes.Buffer
		if err := table.Write(&buf, t); err != nil {
			return Manifest{}, nil, err
		}
		tb = buf.Bytes()
	} else if tb, err = readFile(runs.DataPath(run)); err != nil {
		return Manifest{}, nil, err
	}
	name := filepath.Base(filepath.Clean(run))
	if name == "." || name == "/" || name == ".." {
		name = "run"
	}
	about := "evalsplit --export-task: run " + name
	if step != infer.Final {
		about += fmt.Sprintf(", checkpoint %d", step)
	}
	return Manifest{Benchmark: BenchmarkID("run", w, tb), About: about},
		[]Source{{Name: name, Run: run, Step: step, Table: t}}, nil
}
