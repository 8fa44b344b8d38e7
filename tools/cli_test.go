// End-to-end tests of the built binaries: each script in testdata/script
// runs the real commands (pipes included) the way a person types them.
package tools_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/grokkit/grokkit/pkg/table"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "grokkit-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "./...")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the tools:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", binDir+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("DUCKDB_NODE_MODULES", os.Getenv("DUCKDB_NODE_MODULES"))
			wd, _ := os.Getwd()
			env.Setenv("SCRIPTS", filepath.Join(wd, "..", "scripts"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "slurm" { // a Slurm controller answers (scripts/slurm-local.sh start)
				ok := exec.Command("sinfo", "-h").Run() == nil
				if !ok && os.Getenv("REQUIRE_SLURM") != "" {
					return false, fmt.Errorf("REQUIRE_SLURM is set but no Slurm controller answers (sinfo)")
				}
				return ok, nil
			}
			if cond == "duckdb" { // DuckDB's node package is installed (scripts/duckdb-setup.sh)
				dir := os.Getenv("DUCKDB_NODE_MODULES")
				_, err := os.Stat(filepath.Join(dir, "@duckdb", "node-api"))
				if (dir == "" || err != nil) && os.Getenv("REQUIRE_DUCKDB") != "" {
					return false, fmt.Errorf("REQUIRE_DUCKDB is set but DUCKDB_NODE_MODULES=%q has no @duckdb/node-api", dir)
				}
				return dir != "" && err == nil, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"dumptable":   dumpTable,
			"parquetinfo": parquetInfo,
			"tableinfo":   tableInfo,
			"waitfile":    waitFile,
			"waitjob":     waitJob,
		},
	})
}

func readTable(ts *testscript.TestScript, args []string) *table.Table {
	if len(args) != 1 {
		ts.Fatalf("usage: dumptable|tableinfo FILE")
	}
	t, err := table.ReadFile(ts.MkAbs(args[0]), nil)
	ts.Check(err)
	return t
}

// dumpTable prints a table as CSV, so a script can compare it to a file.
func dumpTable(ts *testscript.TestScript, neg bool, args []string) {
	t := readTable(ts, args)
	var b strings.Builder
	b.WriteString("a,b,label,clean,split,kind\n")
	for i := range t.Len() {
		fmt.Fprintf(&b, "%d,%d,%d,%d,%s,%s\n", t.A[i], t.B[i], t.Label[i], t.Clean[i], t.SplitName(i), t.Kind[i])
	}
	ts.Stdout().Write([]byte(b.String()))
}

// parquetInfo prints any Parquet file's row count and column names, for
// outputs that are not tables (evalsplit's reports).
func parquetInfo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: parquetinfo FILE")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	st, err := f.Stat()
	ts.Check(err)
	pf, err := parquet.OpenFile(f, st.Size())
	ts.Check(err)
	var cols []string
	for _, c := range pf.Schema().Columns() {
		cols = append(cols, strings.Join(c, "."))
	}
	fmt.Fprintf(ts.Stdout(), "rows %d\ncolumns %s\n", pf.NumRows(), strings.Join(cols, " "))
}

// tableInfo prints the metadata and the row counts per (split, kind).
func tableInfo(ts *testscript.TestScript, neg bool, args []string) {
	t := readTable(ts, args)
	m := t.Meta
	eq := "none"
	if m.Equals {
		eq = fmt.Sprint(m.EqualsToken())
	}
	fmt.Fprintf(ts.Stdout(), "p=%d op=%s seed=%d train_fraction=%g equals_token=%s\n", m.P, m.Op, m.Seed, m.TrainFraction, eq)
	for _, s := range m.History {
		fmt.Fprintf(ts.Stdout(), "history: %s %s\n", s.Tool, strings.Join(s.Args, " "))
	}
	counts := map[string]int{}
	changed, checksum := 0, int64(0)
	for i := range t.Len() {
		counts[t.SplitName(i)+"/"+t.Kind[i]]++
		if t.Label[i] != t.Clean[i] {
			changed++
		}
		checksum += int64(t.Label[i]) * int64(int(t.A[i])*m.P+int(t.B[i])+1)
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(ts.Stdout(), "rows %s: %d\n", k, counts[k])
	}
	fmt.Fprintf(ts.Stdout(), "changed: %d\n", changed)
	fmt.Fprintf(ts.Stdout(), "checksum: %d\n", checksum)
}

// waitFile waits up to a minute for a file to appear (a background
// command's progress), failing the script otherwise.
func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitfile PATH")
	}
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear within a minute", args[0])
}

// waitJob waits up to five minutes for a Slurm job to leave the queue; the
// job id is read from the file given, or from the last command's stdout.
func waitJob(ts *testscript.TestScript, neg bool, args []string) {
	var id string
	if len(args) == 1 {
		id = strings.TrimSpace(ts.ReadFile(args[0]))
	} else {
		id = strings.TrimSpace(ts.ReadFile("stdout"))
	}
	if id == "" {
		ts.Fatalf("waitjob: no job id")
	}
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		out, err := exec.Command("squeue", "-h", "-j", id).Output()
		if err == nil && strings.TrimSpace(string(out)) == "" {
			return
		}
		time.Sleep(time.Second)
	}
	ts.Fatalf("Slurm job %s still queued after five minutes", id)
}
