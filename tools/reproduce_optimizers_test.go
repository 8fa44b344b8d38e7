package tools_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/runs"
)

// make reproduce-optimizers, shrunken (p = 11, a network of width 16, two
// rates per optimiser on one grid seed, 2 seeds, 150 steps): the grid is
// trained on its own seeds, each task and optimiser's comparison runs at
// the rate the grid chose with the optimiser's other settings, the tables
// list every group, and a second call trains nothing, continues a run that
// lost its final files and retrains a pack that lost a run, giving the
// same bytes.
func TestReproduceOptimizersShrunken(t *testing.T) {
	t.Parallel() // trains: overlaps the other slow tests on the second core
	out := t.TempDir()
	env := []string{"P=11", "SEEDS=1 2", "GRID_SEEDS=11", "STEPS=150", "EVAL=10", "CHECKPOINT=150",
		"MODEL=--d-model 16 --n-heads 2 --d-head 8 --d-mlp 64",
		"LRS_adamw=3e-3 1e-2", "LRS_grokfast=3e-3 1e-2", "LRS_orthoadamw=3e-3 1e-2", "LRS_muon=0.02 0.04", "LRS_egd=0.1 0.3"}
	runScript(t, "reproduce-optimizers.sh", env, out)

	grid := map[string][]string{"adamw": {"3e-3", "1e-2"}, "grokfast": {"3e-3", "1e-2"}, "orthoadamw": {"3e-3", "1e-2"}, "muon": {"0.02", "0.04"}, "egd": {"0.1", "0.3"}}
	labels := map[string]string{"adamw": "adamw", "grokfast": "adamw+grokfast-ema", "orthoadamw": "orthoadamw", "muon": "muon", "egd": "egd"}
	for _, task := range []string{"add", "div"} {
		chosen := readChoice(t, filepath.Join(out, task, "choice.tsv"))
		for opt, given := range grid {
			var rates []float64
			for _, s := range given {
				dir := filepath.Join(out, task, "grid", opt, "lr-"+s+"-seed-11")
				cfg, err := runs.ReadConfig(dir)
				if err != nil {
					t.Fatal(err)
				}
				if got := swept(cfg); got != num(t, s) || cfg.Train.Seed != 11 {
					t.Errorf("%s: rate %g seed %d; want %s, 11", dir, got, cfg.Train.Seed, s)
				}
				rates = append(rates, num(t, s))
			}
			lr, ok := chosen[labels[opt]]
			if !ok || !slices.Contains(rates, lr) {
				t.Fatalf("%s: %s's chosen rate %g (found %v) is not one of its grid's %v", task, opt, lr, ok, rates)
			}
			for _, seed := range []uint64{1, 2} {
				dir := filepath.Join(out, task, opt+"-lr-"+strconv.FormatFloat(lr, 'g', -1, 64), "seed-"+strconv.FormatUint(seed, 10))
				cfg, err := runs.ReadConfig(dir)
				if err != nil {
					t.Fatal(err)
				}
				tr := cfg.Train
				if swept(cfg) != lr || tr.Seed != seed || cfg.Data.Meta.P != 11 || cfg.Data.Meta.TrainFraction != 0.5 || tr.Steps != 150 || cfg.Model.DModel != 16 {
					t.Errorf("%s: rate %g, seed %d, p %d, fraction %g, steps %d, d_model %d; want %g, %d, 11, 0.5, 150, 16",
						dir, swept(cfg), tr.Seed, cfg.Data.Meta.P, cfg.Data.Meta.TrainFraction, tr.Steps, cfg.Model.DModel, lr, seed)
				}
				wantOpt, wantWD, wantFilter := map[string]string{"grokfast": "adamw"}[opt], 1.0, ""
				if wantOpt == "" {
					wantOpt = opt
				}
				switch opt {
				case "egd":
					wantWD = 0.1
				case "grokfast":
					wantFilter = "ema"
				case "muon":
					if tr.LR != 3e-3 {
						t.Errorf("%s: Muon's AdamW part at lr %g, want 0.003", dir, tr.LR)
					}
				}
				if tr.Optimizer != wantOpt || tr.WeightDecay != wantWD || tr.Grokfast != wantFilter || tr.StopAtTestAcc != 0.99 {
					t.Errorf("%s: optimizer %s, weight decay %g, grokfast %q, stop at %g; want %s, %g, %q, 0.99",
						dir, tr.Optimizer, tr.WeightDecay, tr.Grokfast, tr.StopAtTestAcc, wantOpt, wantWD, wantFilter)
				}
			}
		}
	}
	for file, want := range map[string]int{"grid.md": 2 * 5 * 2, "optimizers.md": 2 * 5} {
		data, err := os.ReadFile(filepath.Join(out, file))
		if err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "| (") {
				rows = append(rows, l)
			}
		}
		seeds := map[string]string{"grid.md": " 1 ", "optimizers.md": " 2 "}[file]
		for _, r := range rows {
			if strings.Split(r, "|")[4] != seeds {
				t.Errorf("%s: row %q: want %q seeds", file, r, seeds)
			}
		}
		if len(rows) != want {
			t.Errorf("%s has %d rows, want %d:\n%s", file, len(rows), want, data)
		}
	}
	for _, f := range []string{"optimizers.png", "optimizers.parquet", "runs.parquet", "grid.parquet"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// Resumable. A run that lost its final files is continued; a pack that
	// lost a run is trained again, deterministically.
	lr := readChoice(t, filepath.Join(out, "add", "choice.tsv"))["egd"]
	pack := filepath.Join(out, "add", "egd-lr-"+strconv.FormatFloat(lr, 'g', -1, 64))
	lrAdamW := readChoice(t, filepath.Join(out, "div", "choice.tsv"))["adamw"]
	other := filepath.Join(out, "div", "adamw-lr-"+strconv.FormatFloat(lrAdamW, 'g', -1, 64))
	before := map[string][]byte{}
	for _, dir := range []string{filepath.Join(pack, "seed-1"), filepath.Join(other, "seed-1"), filepath.Join(other, "seed-2")} {
		data, err := os.ReadFile(runs.MetricsPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		before[dir] = data
	}
	for _, f := range []string{runs.ModelFile, runs.CurvesFile} {
		if err := os.Remove(filepath.Join(other, "seed-2", f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(filepath.Join(pack, "seed-2")); err != nil {
		t.Fatal(err)
	}
	log := runScript(t, "reproduce-optimizers.sh", env, out)
	trained := 0
	for _, l := range strings.Split(log, "\n") {
		if strings.HasPrefix(l, "reproduce-optimizers: ") && (strings.Contains(l, "training") || strings.Contains(l, "continuing")) {
			trained++
		}
	}
	if trained != 2 || !strings.Contains(log, "add egd lr "+strconv.FormatFloat(lr, 'g', -1, 64)+": training 2 runs packed") ||
		!strings.Contains(log, "div adamw lr "+strconv.FormatFloat(lrAdamW, 'g', -1, 64)+": continuing") {
		t.Errorf("second call: %d packs trained or continued, want the two touched:\n%s", trained, log)
	}
	for dir, data := range before {
		after, err := os.ReadFile(runs.MetricsPath(dir))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(after, data) {
			t.Errorf("%s: metrics.parquet changed on the second call", dir)
		}
	}
	for _, f := range []string{filepath.Join(pack, "seed-2", runs.ModelFile), filepath.Join(other, "seed-2", runs.CurvesFile)} {
		if _, err := os.Stat(f); err != nil {
			t.Error(err)
		}
	}
}

// swept is the rate the grid varies: Muon's own, else --lr.
func swept(cfg *runs.Config) float64 {
	if cfg.Train.Optimizer == "muon" {
		return cfg.Train.MuonLR
	}
	return cfg.Train.LR
}

// readChoice reads grokstep --choose's file: optimiser → its rate (Muon's own).
func readChoice(t *testing.T, path string) map[string]float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n")[1:] {
		f := strings.Split(l, "\t")
		lr, muon := num(t, f[3]), num(t, f[4])
		if muon != 0 {
			lr = muon
		}
		out[f[2]] = lr
	}
	return out
}
