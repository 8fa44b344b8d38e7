package tasks

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// scored is one external detector's results on every task.
type scored struct {
	name    string
	results []Result
}

var detectorName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// Score scores the external detector NAME on the suite at root: its scores
// folder dir holds a file per task (see readScores). Its results are kept
// as scored/NAME.parquet (replacing an earlier scoring under that name) and
// the leaderboard is written again with every detector scored so far.
// Every input is checked before anything is written.
func Score(root, dir, name string) error {
	if !detectorName.MatchString(name) {
		return fmt.Errorf("--name %q: use letters, digits, '.', '_' and '-' (it names a file)", name)
	}
	if slices.Contains(builtinOrder, name) {
		return fmt.Errorf("--name %s: the name of a built-in score; choose another", name)
	}
	if fi, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%s: %w", dir, outfile.UnwrapPath(err))
	} else if !fi.IsDir() {
		return fmt.Errorf("%s: not a folder (--scores names a folder of one file per task)", dir)
	}
	s, err := openSuite(root)
	if err != nil {
		return err
	}
	values, err := s.readScores(dir)
	if err != nil {
		return err
	}
	ext := &scored{name: name}
	for _, t := range s.tasks {
		ext.results = append(ext.results, evaluate(t, name, TypeExternal, values[t.info.Task])...)
	}
	return s.writeLeaderboard(ext)
}

// writeLeaderboard writes the built-in scores' results, those of every
// detector in scored/ and add's (if not nil, stored first in scored/), and
// their aggregates: results.parquet, leaderboard.parquet, winrates.parquet,
// summary.md and leaderboard.md. Everything is read and computed before
// the first file is written.
func (s *suite) writeLeaderboard(add *scored) error {
	results := s.builtinResults()
	var builtins, externals []string
	for _, b := range s.builtins {
		builtins = append(builtins, b.name)
	}
	others, err := s.readScored(add)
	if err != nil {
		return err
	}
	for _, o := range others {
		externals = append(externals, o.name)
		results = append(results, o.results...)
	}
	var models []string
	for _, t := range s.tasks {
		if !slices.Contains(models, t.info.Model) {
			models = append(models, t.info.Model)
		}
	}
	bs := boards(results, append(slices.Clone(builtins), externals...), models)
	ws := winRates(results, externals, builtins)
	summary, board := s.summary(bs, ws, models, externals)
	bench := parquet.KeyValueMetadata(benchKey, s.m.Benchmark)
	if add != nil {
		if err := os.MkdirAll(filepath.Join(s.root, ScoredDir), 0o755); err != nil {
			return err
		}
		if err := outfile.Write(filepath.Join(s.root, ScoredDir, add.name+".parquet"), nil, func(w io.Writer) error {
			return writeParquet(w, add.results, bench)
		}); err != nil {
			return err
		}
	}
	for name, fill := range map[string]func(io.Writer) error{
		ResultsFile:     func(w io.Writer) error { return writeParquet(w, results, bench) },
		LeaderboardFile: func(w io.Writer) error { return writeParquet(w, bs, bench) },
		WinRatesFile:    func(w io.Writer) error { return writeParquet(w, ws, bench) },
		SummaryFile:     func(w io.Writer) error { _, err := io.WriteString(w, summary); return err },
		LeaderboardMD:   func(w io.Writer) error { _, err := io.WriteString(w, board); return err },
	} {
		if err := outfile.Write(filepath.Join(s.root, name), nil, fill); err != nil {
			return err
		}
	}
	return nil
}

// readScored reads the detectors scored so far, replacing add's earlier
// scoring by add, sorted by name.
func (s *suite) readScored(add *scored) ([]*scored, error) {
	var out []*scored
	if add != nil {
		out = append(out, add)
	}
	entries, err := os.ReadDir(filepath.Join(s.root, ScoredDir))
	if err != nil && !os.IsNotExist(err) {
		return nil, pathErr(filepath.Join(s.root, ScoredDir), err)
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".parquet")
		if !ok || e.IsDir() || add != nil && name == add.name {
			continue
		}
		path := filepath.Join(s.root, ScoredDir, e.Name())
		rows, meta, err := readParquet[Result](path)
		if err != nil {
			return nil, err
		}
		if meta[benchKey] != s.m.Benchmark {
			return nil, fmt.Errorf("%s: results of benchmark %q, not of this suite's %s", path, meta[benchKey], s.m.Benchmark)
		}
		out = append(out, &scored{name: name, results: rows})
	}
	slices.SortFunc(out, func(a, b *scored) int { return strings.Compare(a.name, b.name) })
	return out, nil
}
