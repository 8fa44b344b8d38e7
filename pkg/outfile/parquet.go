package outfile

import (
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/gzip"
)

// ParquetCompression is the page codec of every Parquet file the tools
// write. Gzip (klauspost's flate, Go but for a match-length helper whose
// result is the same) gives the same bytes on every architecture, so a
// table or a run's metrics made on arm64 are byte for byte an x86-64
// machine's. Snappy, used before, does not: its amd64 assembly encoder
// finds other matches than its Go encoder elsewhere. At the default level
// gzip's files are a third of Snappy's (the table at p = 2003: 1.7 against
// 5.2 MB) and as quick to write. Every Parquet reader reads it.
func ParquetCompression() parquet.WriterOption {
	return parquet.Compression(&gzip.Codec{Level: gzip.DefaultCompression})
}
