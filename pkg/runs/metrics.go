package runs

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"

	"github.com/grokkit/grokkit/pkg/outfile"
)

// Metric is one row of metrics.parquet, in long format. Split and Kind are
// "all" for a measure over every row of the split (or of the model, such as
// the sum of squared weights).
type Metric struct {
	Step   int64   `parquet:"step"`
	Split  string  `parquet:"split,dict"`
	Kind   string  `parquet:"kind,dict"`
	Metric string  `parquet:"metric,dict"`
	Value  float64 `parquet:"value"`
}

// Names of the metrics fit writes.
const (
	MetricLoss     = "loss"
	MetricAccuracy = "accuracy"
	MetricWeightSq = "weight_norm_sq" // Σ w² over every parameter
	All            = "all"
)

// WriteMetrics replaces path with the given rows, atomically: a reader sees
// the previous file or the new one, never a half-written one, so the file is
// readable while training runs.
func WriteMetrics(path string, rows []Metric) error {
	return outfile.Write(path, nil, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[Metric](w, parquet.Compression(&snappy.Codec{}))
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	})
}

// ReadMetrics reads a metrics file.
func ReadMetrics(path string) ([]Metric, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	rows, err := parquet.Read[Metric](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return rows, nil
}

// Series extracts (step, value) pairs of one (split, kind, metric), in
// file order.
func Series(rows []Metric, split, kind, metric string) (steps []int64, values []float64) {
	for _, r := range rows {
		if r.Split == split && r.Kind == kind && r.Metric == metric {
			steps = append(steps, r.Step)
			values = append(values, r.Value)
		}
	}
	return steps, values
}
