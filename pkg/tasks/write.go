package tasks

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// Input is one row of inputs.parquet (row a·p+b).
type Input struct {
	A     int32  `parquet:"a"`
	B     int32  `parquet:"b"`
	Label int32  `parquet:"label"`      // the training label; -1 where not trained on
	Split string `parquet:"split,dict"` // SplitNames
}

// writeTask writes what a detector reads into root/tasks/NAME, and the
// truth and built-in scores into root/truth and root/builtin.
func writeTask(root string, task *Task) error {
	dir := filepath.Join(root, TasksDir, task.Info.Task)
	for _, d := range []string{filepath.Join(dir, NPYDir), filepath.Join(root, TruthDir), filepath.Join(root, BuiltinDir)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	info, err := json.MarshalIndent(task.Info, "", "  ")
	if err != nil {
		return err
	}
	p := task.Info.P
	n := p * p
	a, b := make([]int32, n), make([]int32, n)
	inputs := make([]Input, n)
	for r := range n {
		a[r], b[r] = int32(r/p), int32(r%p)
		inputs[r] = Input{A: a[r], B: b[r], Label: task.Label[r], Split: SplitNames[task.Split[r]]}
	}
	bench := parquet.KeyValueMetadata(benchKey, task.Info.Benchmark)
	files := map[string]func(io.Writer) error{
		TaskFile:        func(w io.Writer) error { _, err := w.Write(append(info, '\n')); return err },
		ModelFile:       func(w io.Writer) error { _, err := w.Write(task.Weights); return err },
		ConfigFile:      func(w io.Writer) error { _, err := w.Write(task.Config); return err },
		InputsFile:      func(w io.Writer) error { return writeParquet(w, inputs, bench) },
		"npy/a.npy":     func(w io.Writer) error { return writeNPY(w, []int{n}, a) },
		"npy/b.npy":     func(w io.Writer) error { return writeNPY(w, []int{n}, b) },
		"npy/label.npy": func(w io.Writer) error { return writeNPY(w, []int{n}, task.Label) },
		"npy/split.npy": func(w io.Writer) error { return writeNPY(w, []int{n}, task.Split) },
		ActivationsFile: func(w io.Writer) error { return writeActivations(w, task, bench) },
	}
	for _, act := range task.Acts {
		files[act.File] = func(w io.Writer) error { return writeNPY(w, append([]int{n}, act.Shape...), act.Data) }
	}
	for name, fill := range files {
		if err := outfile.Write(filepath.Join(dir, name), nil, fill); err != nil {
			return err
		}
	}
	if err := outfile.Write(filepath.Join(root, TruthDir, task.Info.Task+".parquet"), nil, func(w io.Writer) error {
		return writeParquet(w, task.Truth, bench, parquet.KeyValueMetadata(roleKey, roleTruth), parquet.KeyValueMetadata("task", task.Info.Task))
	}); err != nil {
		return err
	}
	return outfile.Write(filepath.Join(root, BuiltinDir, task.Info.Task+".parquet"), nil, func(w io.Writer) error {
		return writeParquet(w, task.Builtin, bench, parquet.KeyValueMetadata("task", task.Info.Task))
	})
}

// writeParquet writes rows with the tools' compression and the options.
func writeParquet[T any](w io.Writer, rows []T, opts ...parquet.WriterOption) error {
	pw := parquet.NewGenericWriter[T](w, append([]parquet.WriterOption{outfile.ParquetCompression()}, opts...)...)
	if _, err := pw.Write(rows); err != nil {
		return err
	}
	return pw.Close()
}

// writeActivations writes activations.parquet: a row per input with its
// row number and, per hook, a list<float> column of its values flattened
// in C order (the shapes are in task.json and the "shapes" metadata).
func writeActivations(w io.Writer, task *Task, opts ...parquet.WriterOption) error {
	fields := []reflect.StructField{{Name: "Row", Type: reflect.TypeFor[int32](), Tag: `parquet:"row"`}}
	shapes := map[string][]int{}
	for k, act := range task.Acts {
		fields = append(fields, reflect.StructField{Name: "H" + strconv.Itoa(k), Type: reflect.TypeFor[[]float32](),
			Tag: reflect.StructTag(`parquet:"` + act.Name + `,list"`)})
		shapes[act.Name] = act.Shape
	}
	typ := reflect.StructOf(fields)
	meta, err := json.Marshal(shapes)
	if err != nil {
		return err
	}
	pw := parquet.NewWriter(w, append([]parquet.WriterOption{parquet.SchemaOf(reflect.New(typ).Interface()),
		outfile.ParquetCompression(), parquet.KeyValueMetadata("shapes", string(meta))}, opts...)...)
	row := reflect.New(typ)
	for r := range task.Info.Inputs {
		v := row.Elem()
		v.Field(0).SetInt(int64(r))
		for k, act := range task.Acts {
			width := len(act.Data) / task.Info.Inputs
			v.Field(k + 1).Set(reflect.ValueOf(act.Data[r*width : (r+1)*width]))
		}
		if err := pw.Write(row.Interface()); err != nil {
			return err
		}
	}
	return pw.Close()
}
