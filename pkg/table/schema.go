package table

import (
	"fmt"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// columnNames are a table's columns in the order of source arrays below.
var columnNames = [6]string{"a", "b", "label", "clean", "split", "kind"}

// nInts is how many of columnNames hold integers; the rest hold strings.
const nInts = 4

// source is where one of our columns lies in a file and how it is stored.
// Other writers (DuckDB, pandas, polars) make OPTIONAL columns and pick
// their own integer widths, so any integer and either string encoding is
// read; a value that does not fit or a null is refused row by row.
type source struct {
	name     string
	leaf     int          // the leaf column's index in the file
	kind     parquet.Kind // Int32, Int64 or ByteArray
	unsigned bool         // an unsigned integer: read the bits as such
	maxDef   byte         // 1 for an OPTIONAL column: level 0 is a null
}

// checkSchema finds our six columns and insists on nothing else, so a file
// from elsewhere fails here with a message instead of later with nonsense.
func checkSchema(s *parquet.Schema) ([6]source, error) {
	var cols [6]source
	var have [6]bool
	for _, field := range s.Fields() {
		name := field.Name()
		i := index(name)
		if i < 0 {
			return cols, fmt.Errorf("unexpected column %q (a grokkit table has a, b, label, clean, split, kind)", name)
		}
		if have[i] {
			return cols, fmt.Errorf("column %q appears twice", name)
		}
		have[i] = true
		want, ok := "a string", isString(field)
		if i < nInts {
			want, ok = "an integer", isInteger(field)
		}
		if !ok {
			return cols, fmt.Errorf("column %q has type %s, want %s", name, describe(field), want)
		}
		leaf, _ := s.Lookup(name)
		cols[i] = source{name: name, leaf: leaf.ColumnIndex, kind: field.Type().Kind(),
			unsigned: isUnsigned(field.Type()), maxDef: byte(leaf.MaxDefinitionLevel)}
	}
	for i, name := range columnNames {
		if !have[i] {
			return cols, fmt.Errorf("column %q is missing (not a grokkit table?)", name)
		}
	}
	return cols, nil
}

func index(name string) int {
	for i, n := range columnNames {
		if n == name {
			return i
		}
	}
	return -1
}

// isInteger accepts INT32 or INT64 with no logical type or an integer one
// of any width (INT(8…64), signed or not); dates, decimals and times are
// not operands.
func isInteger(f parquet.Field) bool {
	if !f.Leaf() || f.Repeated() {
		return false
	}
	t := f.Type()
	if k := t.Kind(); k != parquet.Int32 && k != parquet.Int64 {
		return false
	}
	switch logical(t).(type) {
	case nil, *format.IntType:
		return true
	}
	return false
}

// isString accepts BYTE_ARRAY plain or as STRING or ENUM.
func isString(f parquet.Field) bool {
	if !f.Leaf() || f.Repeated() || f.Type().Kind() != parquet.ByteArray {
		return false
	}
	switch logical(f.Type()).(type) {
	case nil, *format.StringType, *format.EnumType:
		return true
	}
	return false
}

func isUnsigned(t parquet.Type) bool {
	it, ok := logical(t).(*format.IntType)
	return ok && !it.IsSigned
}

func logical(t parquet.Type) format.LogicalTypeValue {
	if lt := t.LogicalType(); lt != nil {
		return lt.Value
	}
	return nil
}

// describe names a field's type the way the error messages want it.
func describe(f parquet.Field) string {
	switch {
	case !f.Leaf():
		return "group"
	case f.Repeated():
		return "repeated " + f.Type().String()
	}
	return f.Type().String()
}
