package tools_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/grokkit/grokkit/pkg/kernels"
)

// The recipes of the docs' marked blocks (TestReadmeBlocks runs them; make
// docs rewrites the blocks). Each shows the commands it ran, so that the
// commands on the page are the ones that gave the output under them.
var docBlocks = []docBlock{
	{name: "quickstart", gen: func(w *docsWork) string {
		m := regexp.MustCompile(`fit: accuracy ≥ 99%: train at step (\d+), test at step (\d+)`).FindStringSubmatch(w.qsOut)
		stop := regexp.MustCompile(`fit: step (\d+): `).FindStringSubmatch(w.qsOut)
		if m == nil || stop == nil {
			w.t.Fatalf("the quickstart did not memorise and grok:\n%s", w.qsOut)
		}
		return fmt.Sprintf("On this recipe's seed it memorises by step %s, reaches 99%% test accuracy at\nstep %s and stops at step %s, after 5 evaluations in a row at ≥ 99%%\n(%s kernels, the default: the same steps on every x86-64 CPU).\n",
			m[1], m[2], stop[1], readmeKernels)
	}},
	{name: "quickstart-time", costly: true, gen: func(w *docsWork) string {
		return fmt.Sprintf("The whole recipe took %.0f s here (`make docs`, %s).\n", w.qsTook.Seconds(), time.Now().Format("2006-01-02"))
	}},
	{name: "mutate-error", gen: func(w *docsWork) string {
		return w.session(true, nil, "moddata --p 31 -o clean.parquet", "mutate rule --when 'b % 17 =' --then b clean.parquet")
	}},
	{name: "evalsplit-quickstart", gen: func(w *docsWork) string {
		return w.session(false, nil, "evalsplit out/quickstart/run --format table")
	}},
	{name: "fourier-quickstart", gen: func(w *docsWork) string {
		return w.session(false, map[int]func(string) string{0: fourierExcerpt}, "fourier out/quickstart/run --over-checkpoints --format table")
	}},
	{name: "fourier-story", gen: fourierStory},
	{name: "fourier-htsr", gen: func(w *docsWork) string {
		return w.session(false, map[int]func(string) string{0: htsrExcerpt}, "fourier out/quickstart/run --over-checkpoints --format table")
	}},
	{name: "fourier-sq", gen: func(w *docsWork) string {
		return w.session(true, nil,
			"moddata --p 23 --op sq_sum --equals -o sq.parquet",
			"fit sq.parquet -o sq --steps 10 --d-model 16 --n-heads 2 --d-head 8 --d-mlp 32 2>/dev/null",
			"fourier sq")
	}},
	{name: "fourier-mul", gen: func(w *docsWork) string {
		return w.session(false, map[int]func(string) string{2: untilHTSR},
			"moddata --p 23 --op mul --train-fraction 0.8 --equals -o mul.parquet",
			"fit mul.parquet -o mul --d-model 32 --n-heads 4 --d-head 8 --d-mlp 128 --lr 5e-3 --weight-decay 2 --steps 3000 --eval-every 10 --checkpoint-every 100 --stop-at-test-acc 0.99 --patience 3 2>/dev/null",
			"fourier mul --over-checkpoints --format table")
	}},
	{name: "detect-mul", gen: func(w *docsWork) string {
		return w.session(false, map[int]func(string) string{2: detectExcerpt},
			"moddata --p 23 --op mul --train-fraction 0.6 | mutate n-fixed --n 7 > gm.parquet",
			"fit gm.parquet -o gm --model gromov --width 256 --loss mse --lr 0.01 --weight-decay 0.3 --steps 1500 --eval-every 100 --checkpoint-every 1500 2>/dev/null",
			"evalsplit gm --detect --format table")
	}},
	{name: "curves-compare", gen: func(w *docsWork) string {
		small := " --d-model 32 --n-heads 4 --d-head 8 --d-mlp 128 --lr 3e-3 --weight-decay 1 --steps 400 --eval-every 10 --checkpoint-every 400"
		return w.session(false, nil,
			"moddata --p 23 --train-fraction 0.5 --equals -o add23.parquet",
			"moddata --p 29 --op mul --train-fraction 0.5 --equals -o mul29.parquet",
			"moddata --p 29 --op mul --train-fraction 0.5 -o mul29-ab.parquet",
			"fit add23.parquet -o cmp/a"+small+" 2>/dev/null",
			"fit mul29.parquet -o cmp/b"+small+" --loss mse 2>/dev/null",
			"fit mul29-ab.parquet -o cmp/c --model mlp --lr 3e-3 --weight-decay 1 --steps 400 --eval-every 10 --checkpoint-every 400 2>/dev/null",
			"curves cmp/a cmp/b cmp/c --metric test/accuracy,train/accuracy,train/cross_entropy,all/weight_norm -o compare.png")
	}},
	{name: "slurmgen-spec", gen: func(w *docsWork) string {
		spec, err := os.ReadFile(filepath.Join(w.dir, "sweeps", "example.yaml"))
		if err != nil {
			w.t.Fatal(err)
		}
		return "```yaml\n" + string(spec) + "```\n"
	}},
	{name: "slurmgen-sbatch", gen: func(w *docsWork) string {
		return w.session(false, nil, "slurmgen new sweeps/example.yaml -o out/sbatch-example", "cat out/sbatch-example/sweep.sbatch")
	}},
	{name: "sweep-grids", costly: true, gen: func(w *docsWork) string {
		return sweepGrids(w, "sweeps/example.yaml")
	}, shape: func(w *docsWork, got string) {
		// The example's sweep at a toy size: the same parameters and
		// grids, other numbers.
		spec, err := os.ReadFile(filepath.Join(w.dir, "sweeps", "example.yaml"))
		if err != nil {
			w.t.Fatal(err)
		}
		tiny := regexp.MustCompile(`(?m)^(  p|  d-model|  d-mlp|  steps|  eval-every|  checkpoint-every): .*$`).ReplaceAllStringFunc(string(spec), func(l string) string {
			k, _, _ := strings.Cut(l, ":")
			return k + ": " + map[string]string{"  p": "7", "  d-model": "16", "  d-mlp": "32", "  steps": "20", "  eval-every": "10", "  checkpoint-every": "20"}[k]
		})
		tiny = regexp.MustCompile(`(?m)^analyse: .*$`).ReplaceAllString(tiny, "analyse: []")
		if err := os.WriteFile(filepath.Join(w.dir, "sweeps", "tiny.yaml"), []byte(tiny), 0o644); err != nil {
			w.t.Fatal(err)
		}
		if g, s := gridShape(got), gridShape(sweepGrids(w, "sweeps/tiny.yaml")); g != s {
			w.t.Errorf("docs' sweep-grids block no longer has the shape of slurmgen collect's output (make docs reruns the sweep):\n%s\nthe tool now prints:\n%s", g, s)
		}
	}},
	{name: "python-load-run", gen: func(w *docsWork) string {
		if !w.python("numpy") {
			return ""
		}
		return w.session(false, nil, "python3 scripts/load_run.py out/quickstart/run")
	}},
	{name: "python-tlens", gen: func(w *docsWork) string { return pythonBlockOutput(w, "tlens_reference", "numpy, torch") }},
	{name: "python-pandas", gen: func(w *docsWork) string { return pythonBlockOutput(w, "pd.DataFrame(run.metrics)", "numpy, pandas") }},
	{name: "kernels-refusal", gen: func(w *docsWork) string {
		if !kernels.Has(kernels.AVX512) {
			return "" // the refusal is of a run computed with AVX-512
		}
		return w.session(true, nil,
			"moddata --p 11 --train-fraction 0.5 --equals -o k.parquet",
			"fit k.parquet -o run --kernels avx512 --steps 20 --d-model 16 --n-heads 2 --d-head 8 --d-mlp 32 2>/dev/null",
			"fit --resume run --steps 40 --kernels avx2")
	}},
	{name: "backend-error", gen: func(w *docsWork) string {
		return w.session(true, nil, "moddata --p 11 -o t.parquet", "GOMLX_BACKEND=xla:cuda fit t.parquet -o gpu-run")
	}},
	// make detect-bench and make detect-tasks take hours: make docs copies
	// the leaderboard they left in out/ (nothing where they have not run).
	{name: "detect-leaderboard", costly: true, gen: func(w *docsWork) string {
		b, err := os.ReadFile("../out/detect-bench-tasks/leaderboard.md")
		if err != nil {
			return ""
		}
		return strings.TrimRight(string(b), "\n") + "\n"
	}},
}

// The figures of docs/ that the recipes above draw.
var docFigures = []docFigure{
	{dst: "quickstart-curves.png", src: "out/quickstart/run/curves.png"},
	{dst: "quickstart-progress.png", src: "out/quickstart/progress.png"},
	{dst: "curves-compare.png", src: "compare.png"},
	{dst: "sweep-heatmap.png", src: "out/sweep/heatmap.png", costly: true},
	{dst: "sweep-heatmap-accuracy.png", src: "out/sweep/heatmap-accuracy.png", costly: true},
}

// sweepGrids runs a sweep spec here, packed into one fit (the same bytes
// as its runs alone), and shows its grids of grok_step and test accuracy.
func sweepGrids(w *docsWork, spec string) string {
	w.t.Helper()
	if out, ok := w.sh("rm -rf out/sweep && slurmgen new " + spec + " -o out/sweep --pack 6 && slurmgen local out/sweep"); !ok {
		w.t.Fatalf("the sweep failed:\n%s", out)
	}
	return w.session(false, nil,
		"slurmgen collect out/sweep --x weight-decay --y seed --z grok_step",
		"slurmgen collect out/sweep --x weight-decay --y seed --z test_accuracy --png out/sweep/heatmap-accuracy.png")
}

// gridShape keeps a grid's commands, headers and row names, not its values
// or the widths of its columns.
func gridShape(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		f := strings.Fields(l)
		if len(f) > 1 && regexp.MustCompile(`^[0-9.]+$`).MatchString(f[0]) {
			f = []string{f[0], "…"}
		}
		b.WriteString(strings.Join(f, " ") + "\n")
	}
	return b.String()
}

// python puts on the work folder's PATH, as python3, a Python that
// imports modules, if there is one.
func (w *docsWork) python(modules string) bool {
	py := pythonWith(modules)
	if py == "" {
		return false
	}
	link := filepath.Join(w.dir, ".python", "python3")
	os.Remove(link)
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		w.t.Fatal(err)
	}
	if err := os.Symlink(py, link); err != nil {
		w.t.Fatal(err)
	}
	return true
}

// pythonBlockOutput runs the docs' Python block that contains marker on the
// quickstart's run, with the repository's scripts, and shows its output.
func pythonBlockOutput(w *docsWork, marker, modules string) string {
	w.t.Helper()
	if !w.python(modules) {
		return ""
	}
	doc, err := os.ReadFile(filepath.Join("..", "docs", "python.md"))
	if err != nil {
		w.t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("(?s)```python\n(.*?)```").FindAllStringSubmatch(string(doc), -1) {
		if !strings.Contains(m[1], marker) {
			continue
		}
		if err := os.WriteFile(filepath.Join(w.dir, "example.py"), []byte(m[1]), 0o644); err != nil {
			w.t.Fatal(err)
		}
		out, ok := w.sh("python3 example.py")
		if !ok {
			w.t.Fatalf("docs/python.md's block with %s failed:\n%s", marker, out)
		}
		return "```\n" + w.anonymous(out) + "```\n"
	}
	w.t.Fatalf("docs/python.md has no Python block with %s", marker)
	return ""
}

// fourierRows parses fourier's first table: its header and rows by step.
func fourierRows(out string) (header []string, rows [][]string) {
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) > 0 && f[0] == "step" && header == nil:
			header = f
		case header != nil && len(f) == len(header) && regexp.MustCompile(`^\d+$`).MatchString(f[0]):
			rows = append(rows, f)
		case header != nil && len(rows) > 0:
			return header, rows
		}
	}
	return header, rows
}

// fourierExcerpt keeps the Fourier table's first two and last four rows and
// the lines after it, up to the HTSR blocks.
func fourierExcerpt(out string) string {
	lines := strings.Split(untilHTSR(out), "\n")
	var b strings.Builder
	rows := 0
	total := 0
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 5 && regexp.MustCompile(`^\d+$`).MatchString(f[0]) {
			total++
		}
	}
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 5 && regexp.MustCompile(`^\d+$`).MatchString(f[0]) {
			rows++
			if rows > 2 && rows <= total-4 {
				if rows == 3 {
					b.WriteString("   ...\n")
				}
				continue
			}
		}
		b.WriteString(l + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// untilHTSR cuts fourier's table before its HTSR blocks.
func untilHTSR(out string) string {
	if i := strings.Index(out, "HTSR α"); i >= 0 {
		return out[:i] + "...\n"
	}
	return out
}

// htsrExcerpt keeps fourier's HTSR blocks, with their first two and last
// two rows, and the summary lines.
func htsrExcerpt(out string) string {
	i := strings.Index(out, "HTSR α")
	if i < 0 {
		return out
	}
	var b strings.Builder
	b.WriteString("...\n")
	var table []string
	flush := func() {
		for k, l := range table {
			if k == 2 && len(table) > 4 {
				b.WriteString("...\n")
			}
			if k < 2 || k >= len(table)-2 {
				b.WriteString(l + "\n")
			}
		}
		table = nil
	}
	for _, l := range strings.Split(strings.TrimSuffix(out[i:], "\n"), "\n") {
		if regexp.MustCompile(`^\d+ `).MatchString(l) {
			table = append(table, l)
			continue
		}
		flush()
		b.WriteString(l + "\n")
	}
	flush()
	return b.String()
}

// detectExcerpt keeps --detect's first lines, its rule and its repairs.
func detectExcerpt(out string) string {
	lines := strings.Split(out, "\n")
	var b strings.Builder
	for _, l := range lines[:min(5, len(lines))] {
		b.WriteString(l + "\n")
	}
	b.WriteString("...\n")
	in := false
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "flagged:"):
			in = true
		case strings.HasPrefix(l, "mechanism:"):
			in = false
		}
		if in {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("...\n")
	return b.String()
}

// fourierStory tells Nanda et al.'s story with the quickstart's own
// numbers: memorisation, the restricted loss falling while the test loss is
// still high, the excluded loss rising, sparser spectra, smaller weights,
// then the test loss's collapse.
func fourierStory(w *docsWork) string {
	out, ok := w.sh("cat out/quickstart/fourier.txt")
	if !ok {
		w.t.Fatal(out)
	}
	header, rows := fourierRows(out)
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		w.t.Fatalf("fourier's table has no column %s: %v", name, header)
		return 0
	}
	val := func(r []string, name string) float64 {
		v, err := strconv.ParseFloat(r[col(name)], 64)
		if err != nil {
			w.t.Fatal(err)
		}
		return v
	}
	if len(rows) < 4 {
		w.t.Fatalf("fourier's table has %d rows", len(rows))
	}
	mem := regexp.MustCompile(`train at step (\d+)`).FindStringSubmatch(w.qsOut)
	// still: the last checkpoint at which the test loss is still ≥ 1.
	still, peak, heavy := rows[1], rows[1], rows[0]
	for _, r := range rows[1:] {
		if val(r, "cross_entropy_test") >= 1 {
			still = r
		}
		if val(r, "excluded_loss") > val(peak, "excluded_loss") {
			peak = r
		}
		if val(r, "weight_norm_sq") > val(heavy, "weight_norm_sq") {
			heavy = r
		}
	}
	first, second, last := rows[0], rows[1], rows[len(rows)-1]
	c := func(r []string, name string) string { return r[col(name)] }
	return fmt.Sprintf("Nanda et al.'s story on the quickstart's run (generated by `make docs`):\n"+
		"it memorises by step %s (at step %s: train cross-entropy %s, test %s);\n"+
		"the restricted loss falls from %s at step %s to %s at step %s, while the\n"+
		"test loss is still %s; the excluded loss rises from %s to %s (step %s);\n"+
		"the spectra sparsify (W_L's Gini coefficient %s at step %s, %s at step %s);\n"+
		"the weights shrink (Σw² %s at step %s, %s at step %s); and the test loss\n"+
		"collapses, to %s at step %s.\n",
		mem[1], c(second, "step"), c(second, "cross_entropy_train"), c(second, "cross_entropy_test"),
		c(second, "restricted_loss"), c(second, "step"), c(still, "restricted_loss"), c(still, "step"),
		c(still, "cross_entropy_test"), c(second, "excluded_loss"), c(peak, "excluded_loss"), c(peak, "step"),
		c(first, "gini_wl"), c(first, "step"), c(last, "gini_wl"), c(last, "step"),
		c(heavy, "weight_norm_sq"), c(heavy, "step"), c(last, "weight_norm_sq"), c(last, "step"),
		c(last, "cross_entropy_test"), c(last, "step"))
}
