package table

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/grokkit/grokkit/pkg/outfile"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
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

// Write encodes the table as Parquet (gzip pages, one row group per
// million rows). The bytes depend only on the table, so the same inputs and
// seed give the same file.
func Write(w io.Writer, t *Table) error {
	opts := []parquet.WriterOption{
		outfile.ParquetCompression(),
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

// Read decodes and validates a table. Any writer's file is read if its
// columns hold the right values (see checkSchema); its metadata must be
// ours (see parseMeta).
func Read(r io.ReaderAt, size int64) (*Table, error) {
	if err := checkFrame(r, size); err != nil {
		return nil, err
	}
	f, err := guard(func() (*parquet.File, error) {
		return parquet.OpenFile(r, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	})
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %v", err)
	}
	cols, err := checkSchema(f.Schema())
	if err != nil {
		return nil, err
	}
	meta, err := parseMeta(f.Lookup)
	if err != nil {
		return nil, err
	}
	if err := meta.check(); err != nil {
		return nil, err
	}
	// No pair twice: more than p² rows cannot be a table, and a corrupt
	// count must not size the allocation below.
	n, most := f.NumRows(), int64(meta.P)*int64(meta.P)
	if n < 0 || n > most {
		return nil, fmt.Errorf("the file declares %d rows; a table at p = %d has at most %d", n, meta.P, most)
	}
	t := &Table{Meta: meta,
		A: make([]int32, 0, n), B: make([]int32, 0, n), Label: make([]int32, 0, n),
		Clean: make([]int32, 0, n), Train: make([]bool, 0, n), Kind: make([]string, 0, n)}
	rd := reader{t: t, p: int64(meta.P), kinds: map[string]string{}}
	var row int64
	for _, rg := range f.RowGroups() {
		if rg.NumRows() < 0 || rg.NumRows() > n-row {
			return nil, fmt.Errorf("a row group declares %d rows, more than the file's %d", rg.NumRows(), n)
		}
		if err := rd.rowGroup(rg, cols, row); err != nil {
			return nil, err
		}
		row += rg.NumRows()
	}
	if row != n {
		return nil, fmt.Errorf("the file declares %d rows but its row groups hold %d", n, row)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// parquetMagic opens and closes every Parquet file; the footer's length
// (4 bytes, little-endian) comes just before the closing one.
const parquetMagic = "PAR1"

// checkFrame refuses, before the Parquet reader sees it, an input that is
// not framed as a Parquet file: a cut-short one (an interrupted copy or
// pipe, head -c) is "not a complete Parquet table", whatever its length,
// rather than the reader's own confusion at a footer before the start.
func checkFrame(r io.ReaderAt, size int64) error {
	const frame = 2*len(parquetMagic) + 4 // PAR1, footer length, PAR1
	if size == 0 {
		return errors.New("empty input (0 bytes), not a complete Parquet table")
	}
	head := make([]byte, min(size, int64(len(parquetMagic))))
	if _, err := r.ReadAt(head, 0); err != nil && !(errors.Is(err, io.EOF) && len(head) > 0) {
		return fmt.Errorf("not a readable Parquet file: %v", err)
	}
	if !bytes.HasPrefix([]byte(parquetMagic), head) {
		return fmt.Errorf("not a readable Parquet file: it does not begin with %s (it begins %q)", parquetMagic, head)
	}
	if size < int64(frame)+1 {
		unit := "bytes"
		if size == 1 {
			unit = "byte"
		}
		return fmt.Errorf("not a complete Parquet table: it ends after %d %s, before its footer (cut short?)", size, unit)
	}
	tail := make([]byte, 8)
	if _, err := r.ReadAt(tail, size-8); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("not a readable Parquet file: %v", err)
	}
	if string(tail[4:]) != parquetMagic {
		return fmt.Errorf("not a complete Parquet table: its %d bytes do not end with %s, the end of a footer (cut short?)", size, parquetMagic)
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-int64(frame) {
		return fmt.Errorf("not a readable Parquet file: its footer is said to take %d bytes, but only %d come before it (corrupt, or cut short?)", n, size-int64(frame))
	}
	return nil
}
