// End-to-end tests of the built binaries: each script in testdata/script
// runs the real commands (pipes included) the way a person types them.
package tools_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/grokkit/grokkit/pkg/kernels"
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
	// The kernel family the tools compute with is read by the binaries the
	// tests start; reading it here makes go test's cache key on it (and on
	// GoMLX's own switches).
	for _, v := range []string{kernels.EnvVar, "GOMLX_SIMD_AVX512", "GOMLX_SIMD_AVX2", "GOMLX_BACKEND"} {
		os.Getenv(v)
	}
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
			// The kernel family the suite was asked to run under (make
			// test-native); unset, the tools' default.
			env.Setenv(kernels.EnvVar, os.Getenv(kernels.EnvVar))
			wd, _ := os.Getwd()
			env.Setenv("SCRIPTS", filepath.Join(wd, "..", "scripts"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if f := kernels.Family(cond); f == kernels.AVX512 || f == kernels.AVX2 { // the CPU has this kernel family
				return kernels.Has(f), nil
			}
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
			"knownflags":  knownFlags,
			"parquetinfo": parquetInfo,
			"tableinfo":   tableInfo,
			"waitfile":    waitFile,
			"waitjob":     waitJob,
		},
	})
}

func readTable(ts *testscript.TestScript, neg bool, args []string) *table.Table {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] dumptable|tableinfo FILE")
	}
	t, err := table.ReadFile(ts.MkAbs(args[0]), nil)
	if !expectFailure(ts, neg, err, args[0]) {
		return nil
	}
	return t
}

// expectFailure applies a command's "!" to the error of its work: it
// reports whether the command should go on (no error, no "!"); a "!" wants
// an error, and then the command stops there, successfully.
func expectFailure(ts *testscript.TestScript, neg bool, err error, what string) bool {
	switch {
	case neg && err == nil:
		ts.Fatalf("%s: read without error, but ! expects a failure", what)
	case neg:
		ts.Logf("%s: %v (expected)", what, err)
		return false
	}
	ts.Check(err)
	return true
}

// dumpTable prints a table as CSV, so a script can compare it to a file.
// With !, the file must not be a readable table.
func dumpTable(ts *testscript.TestScript, neg bool, args []string) {
	t := readTable(ts, neg, args)
	if t == nil {
		return
	}
	var b strings.Builder
	b.WriteString("a,b,label,clean,split,kind\n")
	for i := range t.Len() {
		fmt.Fprintf(&b, "%d,%d,%d,%d,%s,%s\n", t.A[i], t.B[i], t.Label[i], t.Clean[i], t.SplitName(i), t.Kind[i])
	}
	ts.Stdout().Write([]byte(b.String()))
}

// parquetInfo prints any Parquet file's row count and column names, for
// outputs that are not tables (evalsplit's reports). With !, the file must
// not be readable Parquet.
func parquetInfo(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] parquetinfo FILE")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	var pf *parquet.File
	if err == nil {
		defer f.Close()
		var st os.FileInfo
		if st, err = f.Stat(); err == nil {
			pf, err = parquet.OpenFile(f, st.Size())
		}
	}
	if !expectFailure(ts, neg, err, args[0]) {
		return
	}
	var cols []string
	for _, c := range pf.Schema().Columns() {
		cols = append(cols, strings.Join(c, "."))
	}
	fmt.Fprintf(ts.Stdout(), "rows %d\ncolumns %s\n", pf.NumRows(), strings.Join(cols, " "))
}

// tableInfo prints the metadata and the row counts per (split, kind).
// With !, the file must not be a readable table.
func tableInfo(ts *testscript.TestScript, neg bool, args []string) {
	t := readTable(ts, neg, args)
	if t == nil {
		return
	}
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

// waitFile waits for a file to appear (a background command's progress),
// up to a minute or the DURATION given, failing the script otherwise. With
// !, the file must not appear in that time ("! waitfile PATH 200ms").
func waitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 && len(args) != 2 {
		ts.Fatalf("usage: [!] waitfile PATH [DURATION]")
	}
	wait := time.Minute
	if len(args) == 2 {
		d, err := time.ParseDuration(args[1])
		ts.Check(err)
		wait = d
	}
	deadline := time.Now().Add(wait)
	for {
		if _, err := os.Stat(ts.MkAbs(args[0])); err == nil {
			if neg {
				ts.Fatalf("%s appeared, but ! expects it not to within %s", args[0], wait)
			}
			return
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !neg {
		ts.Fatalf("%s did not appear within %s", args[0], wait)
	}
}

// waitJob waits up to five minutes for a Slurm job to leave the queue; the
// job id is read from the file given, or from the last command's stdout.
// A job that stays queued is no result a script could want: no !.
func waitJob(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("waitjob does not support !")
	}
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

// knownFlags checks that every option in the "(known: a, b, …)" list of a
// slurmgen error (the spec's options for one tool, as slurmgen itself knows
// them) is a flag in the --help output of that tool saved in the other
// files: "--name=…", "--name" or "--[no-]name". So neither list is copied
// into a script. With !, some option must be missing.
func knownFlags(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: [!] knownflags KNOWN HELP...")
	}
	m := regexp.MustCompile(`\(known: ([^)]*)\)`).FindStringSubmatch(ts.ReadFile(args[0]))
	if m == nil {
		ts.Fatalf("%s: no (known: …) list", args[0])
	}
	var help strings.Builder
	for _, f := range args[1:] {
		help.WriteString(ts.ReadFile(f))
	}
	var missing []string
	names := strings.Split(m[1], ", ")
	for _, name := range names {
		flag := regexp.MustCompile(`(?m)--(\[no-\])?` + regexp.QuoteMeta(name) + `([= ]|$)`)
		if !flag.MatchString(help.String()) {
			missing = append(missing, name)
		}
	}
	switch {
	case neg && len(missing) == 0:
		ts.Fatalf("all %d options are flags, but ! expects some not to be", len(names))
	case !neg && len(missing) > 0:
		ts.Fatalf("options that are no flag in %s: %s", strings.Join(args[1:], " "), strings.Join(missing, ", "))
	}
	ts.Logf("%d options checked: %s; not flags: %s", len(names), m[1], strings.Join(missing, ", "))
}
