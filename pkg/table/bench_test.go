package table

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

// BenchmarkGenerateWrite measures `moddata --p 2003` (4,012,009 rows): the
// table built and encoded as Parquet. The "raw" case writes the same four
// int32 columns as plain little-endian bytes: the floor any format pays, so
// the ratio of the two is what Parquet costs.
func BenchmarkGenerateWrite(b *testing.B) {
	s := Spec{P: 2003, Op: "add", TrainFraction: 0.3, Seed: 23093}
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			tb, err := Generate(s)
			if err != nil {
				b.Fatal(err)
			}
			for _, col := range [][]int32{tb.A, tb.B, tb.Label, tb.Clean} {
				binary.Write(io.Discard, binary.LittleEndian, col)
			}
		}
	})
	b.Run("parquet", func(b *testing.B) {
		for b.Loop() {
			tb, err := Generate(s)
			if err != nil {
				b.Fatal(err)
			}
			if err := Write(io.Discard, tb); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRead decodes and validates the p = 2003 table; the baseline is
// decoding the raw little-endian columns of the same size.
func BenchmarkRead(b *testing.B) {
	tb, err := Generate(Spec{P: 2003, Op: "add", TrainFraction: 0.3, Seed: 23093})
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, tb); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.Run("parquet", func(b *testing.B) {
		for b.Loop() {
			if _, err := Read(bytes.NewReader(data), int64(len(data))); err != nil {
				b.Fatal(err)
			}
		}
	})
}
