package sweep

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	Runs  []Point
	Pack  int     // runs per fit (1: unpacked)
	Tasks [][]int // the array tasks: the runs each one trains
}

// Create writes a sweep folder for the spec at specPath once every value
// has passed the tools' checks (Spec.Check), so that a bad value fails here
// and not in every task: the manifest, the sbatch script and a copy of the
// spec, written last since it is what makes the folder a sweep. A folder Create made itself is removed again
// if writing fails. tools is the folder holding the binaries (slurmgen,
// moddata, mutate, fit, …) the tasks will run. pack > 1 trains up to pack
// runs that differ only in packable parameters (seeds, learning rate,
// weight decay) as one fit per array task.
func Create(dir, specPath, tools string, pack int) (*Folder, error) {
	s, err := Load(specPath)
	if err != nil {
		return nil, err
	}
	if err := s.Check(); err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	pack = max(pack, 1)
	f := &Folder{Dir: dir, Spec: s, Runs: s.Runs(), Pack: pack}
	f.Tasks = groupTasks(s, f.Runs, pack)
	if err := checkUnique(f.Runs); err != nil {
		return nil, fmt.Errorf("%s: %w", specPath, err)
	}
	if err := f.checkExisting(); err != nil {
		return nil, err
	}
	_, statErr := os.Stat(dir)
	if err := f.write(specPath, tools); err != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			os.RemoveAll(dir)
		}
		return nil, err
	}
	return f, nil
}

// checkExisting refuses a folder that holds another sweep, or one whose
// spec no longer loads.
func (f *Folder) checkExisting() error {
	if matches, _ := filepath.Glob(filepath.Join(f.Dir, SpecPrefix+".*")); len(matches) == 0 {
		return nil
	}
	existing, err := Open(f.Dir)
	if err != nil {
		return err
	}
	if !sameRuns(existing.Runs, f.Runs) || existing.Pack != f.Pack {
		return fmt.Errorf("%s: already holds a different sweep", f.Dir)
	}
	return nil
}

// write writes the folder's files, the spec copy last.
func (f *Folder) write(specPath, tools string) error {
	for _, d := range []string{DataDir, RunsDir, LogsDir} {
		if err := os.MkdirAll(filepath.Join(f.Dir, d), 0o755); err != nil {
			return fileErr(filepath.Join(f.Dir, d), err)
		}
	}
	spec, err := os.ReadFile(specPath)
	if err != nil {
		return fileErr(specPath, err)
	}
	if err := writeFile(filepath.Join(f.Dir, ManifestFile), []byte(f.Manifest())); err != nil {
		return err
	}
	if f.Pack > 1 {
		if err := writeFile(filepath.Join(f.Dir, PackFile), []byte(fmt.Sprintln(f.Pack))); err != nil {
			return err
		}
	}
	abs, err := filepath.Abs(f.Dir)
	if err != nil {
		return fileErr(f.Dir, err)
	}
	script := filepath.Join(f.Dir, ScriptFile)
	if err := writeFile(script, []byte(Script(f.Spec, len(f.Tasks), abs, tools))); err != nil {
		return err
	}
	if err := os.Chmod(script, 0o755); err != nil {
		return fileErr(script, err)
	}
	return writeFile(filepath.Join(f.Dir, SpecPrefix+strings.ToLower(filepath.Ext(specPath))), spec)
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

func checkUnique(rs []Point) error {
	seen := map[string]int{}
	for _, r := range rs {
		if j, ok := seen[r.Name]; ok {
			return fmt.Errorf("runs %d and %d would share the folder %q: make the values distinct after sanitising", j, r.Index, r.Name)
		}
		seen[r.Name] = r.Index
	}
	return nil
}

func sameRuns(a, b []Point) bool {
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

// writeFile writes a file atomically; outfile names path in its own errors.
func writeFile(path string, data []byte) error {
	return outfile.Write(path, nil, func(w io.Writer) error {
		if _, err := w.Write(data); err != nil {
			return fileErr(path, err)
		}
		return nil
	})
}

// fileErr is err as "path: problem", the file named once: an *fs.PathError
// or *os.LinkError inside gives only its problem.
func fileErr(path string, err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("%s: %w", path, err)
}

// namedErr gives an *fs.PathError as "path: problem"; other errors, which
// name their file already, are returned as they are.
func namedErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fileErr(pe.Path, pe.Err)
	}
	return err
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
func (f *Folder) RunDir(r Point) string   { return filepath.Join(f.Dir, RunsDir, r.Name) }
func (f *Folder) DataPath(r Point) string { return filepath.Join(f.Dir, DataDir, r.Data) }

// Analysis outputs inside a run folder.
func analysisFile(step string) string { return step + ".parquet" }

// Done reports whether a run has finished, its analyses included.
func (f *Folder) Done(r Point) bool {
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

// Pending lists the array tasks with a run that has not ended: not done,
// and not diverged (which training again would not change).
func (f *Folder) Pending() []int {
	var out []int
	for t, members := range f.Tasks {
		for _, i := range members {
			if !f.ended(f.Runs[i]) {
				out = append(out, t)
				break
			}
		}
	}
	return out
}
