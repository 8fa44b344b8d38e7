package table

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"
)

// row is the on-disk schema. Strings are dictionary-encoded: two distinct
// splits and a handful of kinds cost next to nothing per row.
type row struct {
	A     int32  `parquet:"a"`
	B     int32  `parquet:"b"`
	Label int32  `parquet:"label"`
	Clean int32  `parquet:"clean"`
	Split string `parquet:"split,dict"`
	Kind  string `parquet:"kind,dict"`
}

// batchRows bounds the rows held as structs at once while writing.
const batchRows = 1 << 14

// Write encodes the table as Parquet (Snappy pages, one row group per
// million rows). The bytes depend only on the table, so the same inputs and
// seed give the same file.
func Write(w io.Writer, t *Table) error {
	opts := []parquet.WriterOption{
		parquet.Compression(&snappy.Codec{}),
		parquet.CreatedBy("grokkit", t.Meta.Version, ""),
	}
	for _, kv := range t.Meta.pairs() {
		opts = append(opts, parquet.KeyValueMetadata(kv[0], kv[1]))
	}
	pw := parquet.NewGenericWriter[row](w, opts...)
	buf := make([]row, 0, batchRows)
	inGroup := 0
	for i := 0; i < t.Len(); i++ {
		buf = append(buf, row{t.A[i], t.B[i], t.Label[i], t.Clean[i], t.SplitName(i), t.Kind[i]})
		if len(buf) == cap(buf) || i == t.Len()-1 {
			if _, err := pw.Write(buf); err != nil {
				return err
			}
			inGroup += len(buf)
			buf = buf[:0]
			if inGroup >= 1<<20 {
				if err := pw.Flush(); err != nil {
					return err
				}
				inGroup = 0
			}
		}
	}
	return pw.Close()
}

// ReadFile reads and validates a table from path, or from stdin for "-".
// Every error names the file.
func ReadFile(path string, stdin io.Reader) (*Table, error) {
	t, _, err := Load(path, stdin)
	return t, err
}

// Load is ReadFile that also returns the file's bytes (fit keeps a copy).
func Load(path string, stdin io.Reader) (*Table, []byte, error) {
	name := path
	var data []byte
	var err error
	if path == "-" || path == "" {
		name = "<stdin>"
		data, err = io.ReadAll(stdin)
	} else {
		data, err = os.ReadFile(path)
	}
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	t, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	return t, data, nil
}

// Read decodes and validates a table.
func Read(r io.ReaderAt, size int64) (*Table, error) {
	if size == 0 {
		return nil, errors.New("empty input, not a Parquet file")
	}
	f, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %v", err)
	}
	if err := checkSchema(f.Schema()); err != nil {
		return nil, err
	}
	meta, err := parseMeta(f.Lookup)
	if err != nil {
		return nil, err
	}
	n := int(f.NumRows())
	t := &Table{Meta: meta,
		A: make([]int32, 0, n), B: make([]int32, 0, n), Label: make([]int32, 0, n),
		Clean: make([]int32, 0, n), Train: make([]bool, 0, n), Kind: make([]string, 0, n)}
	pr := parquet.NewGenericReader[row](r)
	defer pr.Close()
	buf := make([]row, batchRows)
	kinds := map[string]string{} // interns kind strings: one copy per distinct kind
	for {
		k, err := pr.Read(buf)
		for _, x := range buf[:k] {
			t.A = append(t.A, x.A)
			t.B = append(t.B, x.B)
			t.Label = append(t.Label, x.Label)
			t.Clean = append(t.Clean, x.Clean)
			switch x.Split {
			case SplitTrain:
				t.Train = append(t.Train, true)
			case SplitTest:
				t.Train = append(t.Train, false)
			default:
				return nil, fmt.Errorf("row %d: split %q is neither %q nor %q", t.Len(), x.Split, SplitTrain, SplitTest)
			}
			kind, ok := kinds[x.Kind]
			if !ok {
				kind = x.Kind
				kinds[kind] = kind
			}
			t.Kind = append(t.Kind, kind)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading rows: %v", err)
		}
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// checkSchema insists on exactly our columns with our types, so a file from
// elsewhere fails here with a message instead of later with nonsense.
func checkSchema(s *parquet.Schema) error {
	want := map[string]parquet.Kind{"a": parquet.Int32, "b": parquet.Int32, "label": parquet.Int32,
		"clean": parquet.Int32, "split": parquet.ByteArray, "kind": parquet.ByteArray}
	have := map[string]bool{}
	for _, field := range s.Fields() {
		name := field.Name()
		have[name] = true
		k, ok := want[name]
		if !ok {
			return fmt.Errorf("unexpected column %q (a grokkit table has a, b, label, clean, split, kind)", name)
		}
		if !field.Leaf() || field.Type().Kind() != k || field.Optional() || field.Repeated() {
			return fmt.Errorf("column %q has type %v, want required %v", name, field.Type(), k)
		}
	}
	for _, name := range []string{"a", "b", "label", "clean", "split", "kind"} {
		if !have[name] {
			return fmt.Errorf("column %q is missing (not a grokkit table?)", name)
		}
	}
	return nil
}
