package table

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// foreign writes a table with a schema built by hand, the way DuckDB,
// pandas or polars would: other integer widths, OPTIONAL columns, plain
// strings, several row groups and small pages, and the columns in
// alphabetical order (parquet.Group sorts them), not ours.
type foreign struct {
	nodes parquet.Group
	kv    [][2]string // nil: the table's own metadata
	group int64       // rows per row group (0: one)
	v1    bool        // data pages v1 (DuckDB's default)
	// edit may replace a value before it is written (nil: a null).
	edit func(col string, row int, v *parquet.Value) bool
}

func (f foreign) write(t testing.TB, tb *Table) []byte {
	t.Helper()
	schema := parquet.NewSchema("foreign", f.nodes)
	opts := []parquet.WriterOption{schema, parquet.PageBufferSize(512)}
	if f.group > 0 {
		opts = append(opts, parquet.MaxRowsPerRowGroup(f.group))
	}
	if f.v1 {
		opts = append(opts, parquet.DataPageVersion(1))
	}
	kv := f.kv
	if kv == nil {
		kv = tb.Meta.pairs()
	}
	for _, p := range kv {
		opts = append(opts, parquet.KeyValueMetadata(p[0], p[1]))
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[any](&buf, opts...)
	cols := schema.Columns()
	for i := range tb.Len() {
		row := make(parquet.Row, len(cols))
		for c, path := range cols {
			leaf, _ := schema.Lookup(path...)
			v := f.value(tb, path[0], i, leaf.Node.Type().Kind())
			def := leaf.MaxDefinitionLevel
			if f.edit != nil && !f.edit(path[0], i, &v) {
				v, def = parquet.NullValue(), 0
			}
			row[c] = v.Level(0, def, c)
		}
		if _, err := w.WriteRows([]parquet.Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func (foreign) value(tb *Table, col string, i int, k parquet.Kind) parquet.Value {
	var n int32
	switch col {
	case "a":
		n = tb.A[i]
	case "b":
		n = tb.B[i]
	case "label":
		n = tb.Label[i]
	case "clean":
		n = tb.Clean[i]
	case "split":
		return parquet.ByteArrayValue([]byte(tb.SplitName(i)))
	case "kind":
		return parquet.ByteArrayValue([]byte(tb.Kind[i]))
	default:
		return parquet.Int32Value(1) // an extra column
	}
	if k == parquet.Int64 {
		return parquet.Int64Value(int64(n))
	}
	return parquet.Int32Value(n)
}

// nodes builds the four integer columns and the two string ones from a
// node each.
func nodes(ints, strs parquet.Node) parquet.Group {
	return parquet.Group{"a": ints, "b": ints, "label": ints, "clean": ints, "split": strs, "kind": strs}
}

var (
	dictString  = parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
	plainString = parquet.Encoded(parquet.String(), &parquet.Plain)
	deltaInt64  = parquet.Encoded(parquet.Int(64), &parquet.DeltaBinaryPacked)
)

// A poisoned table with history, as mutate leaves it.
func sample(t testing.TB) *Table {
	t.Helper()
	s := Spec{P: 23, Op: "sub", TrainFraction: 0.4, Seed: 9}
	tb := gen(t, s)
	tb.Meta.History = append(tb.Meta.History, Step{Tool: "moddata", Version: "x", Args: []string{"--p", "23"}, Seed: &s.Seed})
	for i := 0; i < tb.Len(); i += 17 {
		tb.Kind[i] = "backdoor"
		tb.Label[i] = (tb.Label[i] + 1) % 23
	}
	return tb
}

// Whatever the writer's widths, encodings and optionality, the table reads
// exactly as our own file of it: same metadata, same rows, and written
// back by us, the same bytes.
func TestReadsOtherWriters(t *testing.T) {
	orig := encode(t, sample(t))
	want, err := Read(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	opt := parquet.Optional
	for name, f := range map[string]foreign{
		"optional int64, plain strings (pandas, polars)":  {nodes: nodes(opt(parquet.Int(64)), opt(plainString))},
		"optional int32, dictionary strings, v1 (DuckDB)": {nodes: nodes(opt(parquet.Encoded(parquet.Int(32), &parquet.RLEDictionary)), opt(dictString)), v1: true},
		"required int64 without a logical type, binary":   {nodes: nodes(parquet.Leaf(parquet.Int64Type), parquet.Leaf(parquet.ByteArrayType))},
		"int16, enum, row groups of 100":                  {nodes: nodes(parquet.Int(16), parquet.Enum()), group: 100},
		"unsigned 8 bits, optional dictionary, groups":    {nodes: nodes(parquet.Uint(8), opt(dictString)), group: 128},
		"unsigned 32 and 64 bits":                         {nodes: parquet.Group{"a": parquet.Uint(32), "b": parquet.Uint(64), "label": parquet.Uint(16), "clean": parquet.Int(8), "split": parquet.String(), "kind": parquet.String()}},
		"delta-encoded int64, optional, v1, row groups":   {nodes: nodes(opt(deltaInt64), opt(parquet.String())), v1: true, group: 200},
		"plain int32 required, dictionary strings (ours)": {nodes: nodes(parquet.Leaf(parquet.Int32Type), dictString)},
		"optional int32, plain strings, v1, row groups":   {nodes: nodes(opt(parquet.Int(32)), opt(parquet.String())), v1: true, group: 64},
	} {
		data := f.write(t, want)
		got, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read differently from our own file", name)
		}
		if again := encode(t, got); !bytes.Equal(again, orig) {
			t.Errorf("%s: written back, the bytes differ from the original", name)
		}
	}
}

// A null anywhere is refused with the row and the column, across pages and
// row groups.
func TestRefusesNulls(t *testing.T) {
	tb := sample(t)
	for _, c := range []struct {
		col  string
		row  int
		f    foreign
		want string
	}{
		{"label", 17, foreign{nodes: nodes(parquet.Optional(parquet.Int(64)), parquet.Optional(plainString))}, `row 17: column "label" is null`},
		{"a", 0, foreign{nodes: nodes(parquet.Optional(parquet.Int(32)), parquet.Optional(dictString)), v1: true}, `row 0: column "a" is null`},
		{"split", 300, foreign{nodes: nodes(parquet.Optional(parquet.Int(32)), parquet.Optional(dictString)), group: 128}, `row 300: column "split" is null`},
		{"kind", 528, foreign{nodes: nodes(parquet.Optional(deltaInt64), parquet.Optional(parquet.String())), group: 100, v1: true}, `row 528: column "kind" is null`},
	} {
		c.f.edit = func(col string, row int, v *parquet.Value) bool { return col != c.col || row != c.row }
		data := c.f.write(t, tb)
		_, err := Read(bytes.NewReader(data), int64(len(data)))
		if err == nil || err.Error() != c.want {
			t.Errorf("null %s at row %d: err = %v, want %q", c.col, c.row, err, c.want)
		}
	}
}

// A value too wide for int32 is refused, not wrapped into range: 2³² + 3
// would read as 3 if narrowed first.
func TestRefusesWideValues(t *testing.T) {
	tb := sample(t)
	for _, c := range []struct {
		ints parquet.Node
		v    parquet.Value
		want string
	}{
		{parquet.Int(64), parquet.Int64Value(1<<32 + 3), "row 5: column a = 4294967299 is out of range [0, 23)"},
		{parquet.Int(64), parquet.Int64Value(-1), "row 5: column a = -1 is out of range [0, 23)"},
		{parquet.Uint(64), parquet.Int64Value(-1), "row 5: column a = 18446744073709551615 is out of range [0, 23)"},
		{parquet.Uint(32), parquet.Int32Value(-1), "row 5: column a = 4294967295 is out of range [0, 23)"},
		{parquet.Encoded(parquet.Int(64), &parquet.RLEDictionary), parquet.Int64Value(1<<40 + 2), "row 5: column a = 1099511627778 is out of range [0, 23)"},
	} {
		f := foreign{nodes: nodes(c.ints, parquet.String()), edit: func(col string, row int, v *parquet.Value) bool {
			if col == "a" && row == 5 {
				*v = c.v
			}
			return true
		}}
		data := f.write(t, tb)
		_, err := Read(bytes.NewReader(data), int64(len(data)))
		if err == nil || err.Error() != c.want {
			t.Errorf("%v: err = %v, want %q", c.ints.Type(), err, c.want)
		}
	}
}

// Columns of the wrong type, missing or extra are named.
func TestRefusesOtherSchemas(t *testing.T) {
	tb := sample(t)
	ok := nodes(parquet.Int(32), parquet.String())
	with := func(name string, n parquet.Node) parquet.Group {
		g := parquet.Group{}
		for k, v := range ok {
			g[k] = v
		}
		if n == nil {
			delete(g, name)
		} else {
			g[name] = n
		}
		return g
	}
	for _, c := range []struct {
		nodes parquet.Group
		want  string
	}{
		{with("label", parquet.Leaf(parquet.DoubleType)), `column "label" has type DOUBLE, want an integer`},
		{with("a", parquet.Date()), `column "a" has type DATE, want an integer`},
		{with("b", parquet.Decimal(0, 9, parquet.Int32Type)), `column "b" has type DECIMAL(9,0), want an integer`},
		{with("split", parquet.Int(32)), `column "split" has type INT(32,true), want a string`},
		{with("kind", parquet.Repeated(parquet.String())), `column "kind" has type repeated STRING, want a string`},
		{with("clean", nil), `column "clean" is missing (not a grokkit table?)`},
		{with("extra", parquet.Int(32)), `unexpected column "extra" (a grokkit table has a, b, label, clean, split, kind)`},
	} {
		data := foreign{nodes: c.nodes}.write(t, tb)
		_, err := Read(bytes.NewReader(data), int64(len(data)))
		if err == nil || err.Error() != c.want {
			t.Errorf("err = %v, want %q", err, c.want)
		}
	}
}
