package table

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzRead: whatever the bytes, Read returns a table or an error and never
// panics; a table it returns is valid and comes back the same through our
// writer. The seeds (testdata/fuzz/FuzzRead) are tables of ours, other
// writers' (DuckDB's with and without our metadata, optional columns, other
// widths, a null) and truncated or corrupted files.
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if tb != nil {
				t.Fatalf("a table and an error (%v)", err)
			}
			return
		}
		if err := tb.Validate(); err != nil {
			t.Fatalf("Read returned a table that fails Validate: %v", err)
		}
		again := encode(t, tb)
		back, err := Read(bytes.NewReader(again), int64(len(again)))
		if err != nil {
			t.Fatalf("our writer's copy of an accepted table is refused: %v", err)
		}
		if !reflect.DeepEqual(back, tb) {
			t.Fatal("our writer's copy of an accepted table reads differently")
		}
	})
}

// The seeds are files in their own right, two of them written by DuckDB
// (scripts/duckdb-copy.mjs from ours-div-p5-poisoned): those read exactly
// as ours, and every other seed is refused for the reason its name gives.
func TestFuzzSeeds(t *testing.T) {
	want := map[string]string{ // "": accepted, equal to ours-div-p5-poisoned where marked "="
		"ours-add-p3":                       "",
		"ours-sq-sum-p7":                    "",
		"ours-div-p5-poisoned":              "=",
		"duckdb-copy-with-metadata":         "=",
		"duckdb-v2-other-widths":            "=",
		"optional-int64-plain-strings":      "=",
		"optional-dictionary-v1-row-groups": "=",
		"unsigned-widths":                   "=",
		"duckdb-copy-without-metadata":      "metadata keys p, op, seed, train_fraction, equals_token, grokkit_version, history are missing: ",
		"null-label-row-3":                  `row 3: column "label" is null`,
		"truncated-half":                    "not a complete Parquet table: ",
		"truncated-footer":                  "not a complete Parquet table: ",
		"corrupt-footer-length":             "not a readable Parquet file: ",
		"corrupt-first-page":                `column "a" after row 0: `,
		"not-parquet":                       "not a readable Parquet file: ",
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	ours := seed(t, filepath.Join(dir, "ours-div-p5-poisoned"))
	ref, err := Read(bytes.NewReader(ours), int64(len(ours)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		w, ok := want[f.Name()]
		if !ok {
			continue // a crasher the fuzzer found: FuzzRead runs it
		}
		data := seed(t, filepath.Join(dir, f.Name()))
		tb, err := Read(bytes.NewReader(data), int64(len(data)))
		switch {
		case w == "" || w == "=":
			if err != nil {
				t.Errorf("%s: %v", f.Name(), err)
			} else if w == "=" && !reflect.DeepEqual(tb, ref) {
				t.Errorf("%s reads differently from ours-div-p5-poisoned", f.Name())
			}
		case err == nil || !strings.HasPrefix(err.Error(), w):
			t.Errorf("%s: err = %v, want %q…", f.Name(), err, w)
		}
		delete(want, f.Name())
	}
	for name := range want {
		t.Errorf("seed %s is missing", name)
	}
}

// seed decodes a corpus file ("go test fuzz v1" and one []byte literal).
func seed(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
