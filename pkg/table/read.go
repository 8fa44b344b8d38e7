package table

import (
	"fmt"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"
)

// reader copies a file's columns into a table page by page, straight from
// each page's values: no row structs, and one string per distinct kind.
type reader struct {
	t     *Table
	p     int64             // integers must lie in [0, p)
	kinds map[string]string // interns kind strings
}

// rowGroup appends a row group's rows; first is the table row of its first.
func (r *reader) rowGroup(rg parquet.RowGroup, cols [6]source, first int64) error {
	chunks := rg.ColumnChunks()
	want := first + rg.NumRows()
	for i, c := range cols {
		if c.leaf >= len(chunks) {
			return fmt.Errorf("column %q has no data in a row group", c.name)
		}
		ch := chunk{r: r, src: c, col: i, row: first}
		if err := ch.read(chunks[c.leaf]); err != nil {
			return err
		}
		if ch.row != want {
			return fmt.Errorf("column %q holds %d values where the file declares %d rows", c.name, ch.row, want)
		}
	}
	return nil
}

// chunk decodes one column chunk. A chunk has at most one dictionary; its
// values are converted once (to int64, a split flag or an interned kind)
// and every index is looked up there.
type chunk struct {
	r     *reader
	src   source
	col   int   // index in columnNames
	row   int64 // table row of the next value
	dict  parquet.Dictionary
	ints  []int64  // the dictionary's integers, bits as stored
	split []int8   // the dictionary's splits: 1 train, 0 test, -1 neither
	strs  []string // the dictionary's strings (kinds interned)
}

func (ch *chunk) read(cc parquet.ColumnChunk) error {
	pages := cc.Pages()
	defer pages.Close()
	for {
		pg, err := guard(pages.ReadPage)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("column %q after row %d: %v", ch.src.name, ch.row, err)
		}
		err = ch.page(pg)
		parquet.Release(pg)
		if err != nil {
			return err
		}
	}
}

// page appends one page's values.
func (ch *chunk) page(pg parquet.Page) error {
	n := pg.NumValues()
	if pg.NumNulls() > 0 {
		return fmt.Errorf("row %d: column %q is null", ch.row+firstNull(pg.DefinitionLevels(), ch.src.maxDef), ch.src.name)
	}
	vals, err := guard(func() (encoding.Values, error) { return pg.Data(), nil })
	if err != nil {
		return fmt.Errorf("column %q after row %d: %v", ch.src.name, ch.row, err)
	}
	if d := pg.Dictionary(); d != nil {
		if err := ch.loadDict(d); err != nil {
			return err
		}
		if vals.Kind() != encoding.Int32 || int64(len(vals.Int32())) != n {
			return ch.corrupt(n)
		}
		err = ch.indexes(vals.Int32())
	} else {
		err = ch.plain(vals, n)
	}
	return err
}

// indexes appends the dictionary entries a page points at.
func (ch *chunk) indexes(idx []int32) error {
	t := ch.r.t
	size := int32(max(len(ch.ints), len(ch.split), len(ch.strs)))
	for i, k := range idx {
		row := ch.row + int64(i)
		if k < 0 || k >= size {
			return fmt.Errorf("row %d: column %q points at dictionary entry %d of %d", row, ch.src.name, k, size)
		}
		switch ch.col {
		case 4:
			if ch.split[k] < 0 {
				return badSplit(row, ch.strs[k])
			}
			t.Train = append(t.Train, ch.split[k] == 1)
		case 5:
			t.Kind = append(t.Kind, ch.strs[k])
		default:
			if err := ch.appendInt(row, ch.ints[k]); err != nil {
				return err
			}
		}
	}
	ch.row += int64(len(idx))
	return nil
}

// plain appends a page without a dictionary.
func (ch *chunk) plain(vals encoding.Values, n int64) error {
	t := ch.r.t
	switch {
	case ch.col < nInts && vals.Kind() == encoding.Int32 && !ch.src.unsigned:
		v := vals.Int32() // our own files: copied as is, Validate checks the range
		if int64(len(v)) != n {
			return ch.corrupt(n)
		}
		col := t.ints(ch.col)
		*col = append(*col, v...)
	case ch.col < nInts:
		v, ok := widen(vals, ch.src.unsigned)
		if !ok || int64(len(v)) != n {
			return ch.corrupt(n)
		}
		for i, x := range v {
			if err := ch.appendInt(ch.row+int64(i), x); err != nil {
				return err
			}
		}
	default:
		s, ok := byteArrays(vals)
		if !ok || int64(len(s)) != n {
			return ch.corrupt(n)
		}
		for i, b := range s {
			if ch.col == 4 {
				switch string(b) {
				case SplitTrain, SplitTest:
					t.Train = append(t.Train, string(b) == SplitTrain)
				default:
					return badSplit(ch.row+int64(i), string(b))
				}
			} else {
				t.Kind = append(t.Kind, ch.r.intern(b))
			}
		}
	}
	ch.row += n
	return nil
}

// appendInt range-checks a value before it is narrowed to int32, so a wide
// value cannot wrap into range.
func (ch *chunk) appendInt(row, v int64) error {
	if v < 0 || v >= ch.r.p {
		s := strconv.FormatInt(v, 10)
		if ch.src.unsigned {
			s = strconv.FormatUint(uint64(v), 10)
		}
		return fmt.Errorf("row %d: column %s = %s is out of range [0, %d)", row, ch.src.name, s, ch.r.p)
	}
	col := ch.r.t.ints(ch.col)
	*col = append(*col, int32(v))
	return nil
}

// loadDict converts a chunk's dictionary the first time a page uses it.
func (ch *chunk) loadDict(d parquet.Dictionary) error {
	if d == ch.dict {
		return nil
	}
	vals, err := guard(func() (encoding.Values, error) { return d.Page().Data(), nil })
	if err != nil {
		return fmt.Errorf("column %q: dictionary: %v", ch.src.name, err)
	}
	ch.dict, ch.ints, ch.split, ch.strs = d, nil, nil, nil
	var ok bool
	if ch.col < nInts {
		ch.ints, ok = widen(vals, ch.src.unsigned)
	} else {
		var s [][]byte
		s, ok = byteArrays(vals)
		for _, b := range s {
			ch.strs = append(ch.strs, ch.r.intern(b))
			if ch.col != 4 {
				continue
			}
			code := int8(-1)
			switch string(b) {
			case SplitTrain:
				code = 1
			case SplitTest:
				code = 0
			}
			ch.split = append(ch.split, code)
		}
	}
	if !ok {
		return fmt.Errorf("column %q: the dictionary holds %v values", ch.src.name, vals.Kind())
	}
	return nil
}

func (ch *chunk) corrupt(n int64) error {
	return fmt.Errorf("column %q after row %d: a page's values do not match its %d rows (corrupt file?)", ch.src.name, ch.row, n)
}

func badSplit(row int64, s string) error {
	return fmt.Errorf("row %d: split %q is neither %q nor %q", row, s, SplitTrain, SplitTest)
}

func (r *reader) intern(b []byte) string {
	s, ok := r.kinds[string(b)] // no allocation for a kind already seen
	if !ok {
		s = string(b)
		r.kinds[s] = s
	}
	return s
}

// ints is the integer column at index i of columnNames.
func (t *Table) ints(i int) *[]int32 {
	return [nInts]*[]int32{&t.A, &t.B, &t.Label, &t.Clean}[i]
}

// widen copies an integer page's values as int64; unsigned 32-bit values
// are zero-extended, unsigned 64-bit ones keep their bits (negative here
// means too large, and appendInt prints them unsigned).
func widen(vals encoding.Values, unsigned bool) ([]int64, bool) {
	switch vals.Kind() {
	case encoding.Int32:
		v := vals.Int32()
		out := make([]int64, len(v))
		for i, x := range v {
			if unsigned {
				out[i] = int64(uint32(x))
			} else {
				out[i] = int64(x)
			}
		}
		return out, true
	case encoding.Int64:
		return append([]int64(nil), vals.Int64()...), true
	}
	return nil, false
}

// byteArrays splits a BYTE_ARRAY page into its values, checking the
// offsets a corrupt page could get wrong.
func byteArrays(vals encoding.Values) ([][]byte, bool) {
	if vals.Kind() != encoding.ByteArray {
		return nil, false
	}
	data, off := vals.ByteArray()
	if len(off) == 0 {
		return nil, true
	}
	out := make([][]byte, len(off)-1)
	for i := range out {
		j, k := off[i], off[i+1]
		if j > k || int(k) > len(data) {
			return nil, false
		}
		out[i] = data[j:k]
	}
	return out, true
}

// firstNull is the index of a page's first null, given its definition
// levels.
func firstNull(levels []byte, maxDef byte) int64 {
	for i, l := range levels {
		if l < maxDef {
			return int64(i)
		}
	}
	return 0
}

// guard calls into parquet-go, which panics on some malformed input, and
// turns such a panic into an error: a corrupt file is refused, not a crash.
func guard[T any](f func() (T, error)) (v T, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("corrupt data (%v)", x)
		}
	}()
	return f()
}
