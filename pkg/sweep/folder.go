package sweep

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/grokkit/grokkit/pkg/outfile"
	"github.com/grokkit/grokkit/pkg/runs"
)

// Files of a sweep folder.
const (
	ManifestFile = "manifest.tsv"
	ScriptFile   = "sweep.sbatch"
	SpecPrefix   = "spec" // spec.yaml or spec.toml: the copy the tasks read
	DataDir      = "data"
	RunsDir      = "runs"
	LogsDir      = "logs"
)

// Folder is a sweep on disk.
type Folder struct {
	Dir   string
	Spec  *Spec
	Runs  []Run
	Pack  int     // runs per fit (1: unpacked)
	Tasks [][]int // the array tasks: the runs each one trains
}

// Create writes a sweep folder for the spec at specPath: a copy of the
// spec, the manifest and the sbatch script. tools is the folder holding
// the binaries (slurmgen, moddata, mutate, fit, …) the tasks will run.
// pack > 1 trains up to pack runs that differ only in packable parameters
// (seeds, learning rate, weight decay) as one fit per array task.
func Create(dir, specPath, tools string, pack int) (*Folder, error) {
	s, err := Load(specPath)
	if err != nil {
		return nil, err
	}
	pack = max(pack, 1)
	f := &Folder{Dir: dir, Spec: s, Runs: s.Runs(), Pack: pack}
	f.Tasks = groupTasks(s, f.Runs, pack)
	if err := checkUnique(f.Runs); err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	if existing, err := Open(dir); err == nil {
		if !sameRuns(existing.Runs, f.Runs) || existing.Pack != pack {
			return nil, fmt.Errorf("%s already holds a different sweep", dir)
		}
	}
	for _, d := range []string{DataDir, RunsDir, LogsDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return nil, err
	}
	copyPath := filepath.Join(dir, SpecPrefix+strings.ToLower(filepath.Ext(specPath)))
	if err := writeFile(copyPath, spec); err != nil {
		return nil, err
	}
	if err := writeFile(filepath.Join(dir, ManifestFile), []byte(f.Manifest())); err != nil {
		return nil, err
	}
	if pack > 1 {
		if err := writeFile(filepath.Join(dir, PackFile), []byte(fmt.Sprintln(pack))); err != nil {
			return nil, err
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	script := Script(s, len(f.Tasks), abs, tools)
	if err := writeFile(filepath.Join(dir, ScriptFile), []byte(script)); err != nil {
		return nil, err
	}
	return f, os.Chmod(filepath.Join(dir, ScriptFile), 0o755)
}

// Open reads a sweep folder back (its spec copy, expanded again).
func Open(dir string) (*Folder, error) {
	matches, _ := filepath.Glob(filepath.Join(dir, SpecPrefix+".*"))
	if len(matches) == 0 {
		return nil, fmt.Errorf("%s: not a sweep folder (no %s.yaml or %s.toml)", dir, SpecPrefix, SpecPrefix)
	}
	s, err := Load(matches[0])
	if err != nil {
		return nil, err
	}
	pack, err := readPack(dir)
	if err != nil {
		return nil, err
	}
	f := &Folder{Dir: dir, Spec: s, Runs: s.Runs(), Pack: pack}
	f.Tasks = groupTasks(s, f.Runs, pack)
	return f, nil
}

func checkUnique(rs []Run) error {
	seen := map[string]int{}
	for _, r := range rs {
		if j, ok := seen[r.Name]; ok {
			return fmt.Errorf("runs %d and %d would share the folder %q: make the values distinct after sanitising", j, r.Index, r.Name)
		}
		seen[r.Name] = r.Index
	}
	return nil
}

func sameRuns(a, b []Run) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name {
			return false
		}
	}
	return true
}

func writeFile(path string, data []byte) error {
	return outfile.Write(path, nil, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// Manifest is one TSV row per run: index, run folder, data file, then every
// parameter's value, and for a packed sweep the array task that trains it.
func (f *Folder) Manifest() string {
	task := map[int]int{}
	for t, members := range f.Tasks {
		for _, i := range members {
			task[i] = t
		}
	}
	var b strings.Builder
	b.WriteString("index\trun\tdata")
	for _, p := range f.Spec.Params {
		b.WriteString("\t" + p.Key())
	}
	if f.Pack > 1 {
		b.WriteString("\ttask")
	}
	b.WriteString("\n")
	for _, r := range f.Runs {
		fmt.Fprintf(&b, "%d\t%s\t%s", r.Index, filepath.Join(RunsDir, r.Name), filepath.Join(DataDir, r.Data))
		for _, p := range f.Spec.Params {
			b.WriteString("\t" + r.Values[p.Key()])
		}
		if f.Pack > 1 {
			fmt.Fprintf(&b, "\t%d", task[r.Index])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// RunDir and DataPath locate a run's files.
func (f *Folder) RunDir(r Run) string   { return filepath.Join(f.Dir, RunsDir, r.Name) }
func (f *Folder) DataPath(r Run) string { return filepath.Join(f.Dir, DataDir, r.Data) }

// Analysis outputs inside a run folder.
func analysisFile(step string) string { return step + ".parquet" }

// Done reports whether a run has finished, its analyses included.
func (f *Folder) Done(r Run) bool {
	if _, err := os.Stat(runs.ModelPath(f.RunDir(r))); err != nil {
		return false
	}
	for _, a := range f.Spec.Analyse {
		if _, err := os.Stat(filepath.Join(f.RunDir(r), analysisFile(a))); err != nil {
			return false
		}
	}
	return true
}

// Pending lists the array tasks with a run not done.
func (f *Folder) Pending() []int {
	var out []int
	for t, members := range f.Tasks {
		for _, i := range members {
			if !f.Done(f.Runs[i]) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}
