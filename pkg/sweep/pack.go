package sweep

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/grokkit/grokkit/pkg/runs"
)

// PackFile records a packed sweep's pack size K (absent: one run per task).
const PackFile = "pack.txt"

// packable says whether runs may differ in this parameter and still be
// trained as one fit (fit packs models that differ in seed, learning
// rate, weight decay and table, as long as the tables have the same size:
// moddata's split seed and every mutate option change labels, never rows).
func packable(p Param) bool {
	switch {
	case p.Tool == "fit":
		return runs.PerRun(p.Name)
	case p.Tool == "moddata":
		return p.Name == "seed"
	}
	return strings.HasPrefix(p.Tool, "mutate.")
}

// groupTasks makes the array tasks: one run each when pack ≤ 1; else the
// runs whose other parameters agree, in index order, pack at a time.
func groupTasks(s *Spec, rs []Point, pack int) [][]int {
	var tasks [][]int
	if pack <= 1 {
		for _, r := range rs {
			tasks = append(tasks, []int{r.Index})
		}
		return tasks
	}
	open := map[string]int{} // group key → its task still filling
	for _, r := range rs {
		var key []string
		for _, p := range s.Params {
			if !packable(p) {
				key = append(key, p.Key()+"="+r.Values[p.Key()])
			}
		}
		k := strings.Join(key, "\x00")
		if t, ok := open[k]; ok && len(tasks[t]) < pack {
			tasks[t] = append(tasks[t], r.Index)
			continue
		}
		open[k] = len(tasks)
		tasks = append(tasks, []int{r.Index})
	}
	return tasks
}

func readPack(dir string) (int, error) {
	b, err := os.ReadFile(filepath.Join(dir, PackFile))
	if os.IsNotExist(err) {
		return 1, nil
	}
	if err != nil {
		return 0, fileErr(filepath.Join(dir, PackFile), err)
	}
	k, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || k < 1 {
		return 0, fmt.Errorf("%s: bad pack size %q", filepath.Join(dir, PackFile), strings.TrimSpace(string(b)))
	}
	return k, nil
}

// TaskName names a task's runs for logs.
func (f *Folder) TaskName(task int) string {
	var names []string
	for _, i := range f.Tasks[task] {
		names = append(names, f.Runs[i].Name)
	}
	return strings.Join(names, " + ")
}

// packFitArgs is the one fit command of packed runs rs (all fresh): a data
// file per run, an -o per run, the shared options once and the packable
// ones as per-run lists.
func (f *Folder) packFitArgs(rs []Point) []string {
	var args []string
	for _, r := range rs {
		args = append(args, f.DataPath(r))
	}
	for _, r := range rs {
		args = append(args, "-o", f.RunDir(r))
	}
	for _, p := range f.Spec.Params {
		if p.Tool != "fit" {
			continue
		}
		if !packable(p) {
			args = append(args, flagArgs(p.Name, rs[0].Values[p.Key()])...)
			continue
		}
		var vs []string
		for _, r := range rs {
			vs = append(vs, r.Values[p.Key()])
		}
		if slices.Equal(vs, slices.Repeat(vs[:1], len(vs))) {
			vs = vs[:1]
		}
		args = append(args, "--"+p.Name, strings.Join(vs, ","))
	}
	return args
}

// runState is where a run stands: trained, checkpointed, or not started.
func runState(dir string) string {
	if _, err := os.Stat(runs.ModelPath(dir)); err == nil {
		return "trained"
	}
	if _, err := os.Stat(runs.ResumePath(dir)); err == nil {
		return "checkpointed"
	}
	return "fresh"
}
