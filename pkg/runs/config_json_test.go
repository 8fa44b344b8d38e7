package runs

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/grokkit/grokkit/pkg/integrity"
	"github.com/grokkit/grokkit/pkg/table"
)

// snake is a JSON key in snake_case.
var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// fill sets every field reachable from v to a value that is not zero, so
// that omitempty leaves no key out: one element in each slice.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint64:
		v.SetUint(1)
	case reflect.Float64:
		v.SetFloat(0.5)
	default:
		panic("fill: add " + v.Kind().String())
	}
}

// keys lists every object key in a JSON value, with its path.
func keys(path string, v any, out *[]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			*out = append(*out, path+"."+k)
			keys(path+"."+k, x, out)
		}
	case []any:
		for _, x := range v {
			keys(path+"[]", x, out)
		}
	}
}

// Every key of config.json is snake_case, with every field set (so that
// a field added later without a json tag fails here too).
func TestConfigKeysSnakeCase(t *testing.T) {
	var c Config
	fill(reflect.ValueOf(&c).Elem())
	c.Tool = "fit" // ReadConfig wants a fit run
	dir := t.TempDir()
	if err := WriteConfig(dir, &c); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var all []string
	keys("", v, &all)
	sort.Strings(all)
	if len(all) < 60 {
		t.Fatalf("only %d keys: %v", len(all), all)
	}
	for _, k := range all {
		if !snake.MatchString(k[strings.LastIndex(k, ".")+1:]) {
			t.Errorf("config.json key %s is not snake_case", k)
		}
	}
	meta := v.(map[string]any)["data"].(map[string]any)["meta"].(map[string]any)
	var got []string
	for k := range meta {
		got = append(got, k)
	}
	sort.Strings(got)
	if want := []string{"equals", "history", "op", "p", "seed", "train_fraction", "version"}; !reflect.DeepEqual(got, want) {
		t.Errorf("data.meta keys %v, want %v", got, want)
	}
	back, err := ReadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Checksum = ""; !reflect.DeepEqual(*back, c) {
		t.Errorf("read back\n%+v\nwant\n%+v", *back, c)
	}
}

// A run folder written before data.meta was snake_case (a config.json of
// fit 0.1.0, with Go's field names "P", "TrainFraction", … and the checksum
// of its own bytes) is still read, field for field; written again, it is
// snake_case and reads back the same.
func TestReadGoNamedMeta(t *testing.T) {
	old := filepath.Join("testdata", "go-named-meta")
	data, err := os.ReadFile(filepath.Join(old, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"TrainFraction": 0.3`) || integrity.Verify(data, len(data), checksumKey) != nil {
		t.Fatal("the fixture is not an old, sealed config.json")
	}
	c, err := ReadConfig(old)
	if err != nil {
		t.Fatal(err)
	}
	seed := uint64(23093)
	want := table.Meta{P: 113, Op: "add", Seed: 23093, TrainFraction: 0.3, Equals: true, Version: "0.1.0", History: []table.Step{
		{Tool: "moddata", Version: "0.1.0", Args: []string{"--p", "113", "--train-fraction", "0.3", "--equals", "-o", "out/detect-nanda/clean.parquet"}, Seed: &seed},
		{Tool: "mutate", Version: "0.1.0", Args: []string{"rule", "--when", "(a + 2 * b) % p < 3", "--then", "0", "--held-out",
			"out/detect-nanda/clean.parquet", "-o", "out/detect-nanda/data.parquet"}},
	}}
	if !reflect.DeepEqual(c.Data.Meta, want) {
		t.Errorf("meta %+v\nwant %+v", c.Data.Meta, want)
	}
	if c.Model.P != 113 || c.Model.DModel != 64 || c.Train.Steps != 8000 || c.Data.Train != 3830 {
		t.Errorf("config %+v", c)
	}

	dir := t.TempDir()
	if err := WriteConfig(dir, c); err != nil {
		t.Fatal(err)
	}
	now, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	for _, k := range []string{`"P"`, `"Op"`, `"TrainFraction"`, `"History"`} {
		if strings.Contains(string(now), k) {
			t.Errorf("rewritten config.json still has %s", k)
		}
	}
	back, err := ReadConfig(dir)
	if err != nil || !reflect.DeepEqual(back, c) {
		t.Errorf("rewritten: %v\n%+v\nwant %+v", err, back, c)
	}
}

// A data.meta with a field under both names is refused, naming the file.
func TestMetaBothNames(t *testing.T) {
	dir := t.TempDir()
	data := `{"tool": "fit", "model": {"name": "nanda"}, "data": {"meta": {"p": 5, "P": 7}}}`
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadConfig(dir)
	if want := filepath.Join(dir, ConfigFile) + `: metadata has both "P" and "p"`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}
