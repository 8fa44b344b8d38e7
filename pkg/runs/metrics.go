package runs

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/parquet-go/parquet-go"

	"github.com/grokkit/grokkit/pkg/integrity"
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

// Names of the metrics fit writes. The loss is named after the training
// objective (cross_entropy or mse, as --loss), never a bare "loss", so the
// same name means the same quantity in every file (evalsplit's
// cross_entropy is the same measure as a cross-entropy run's).
const (
	MetricCrossEntropy = "cross_entropy"
	MetricMSE          = "mse"
	MetricStableMax    = "stablemax_cross_entropy"
	MetricAccuracy     = "accuracy"
	MetricWeightSq     = "weight_norm_sq" // Σ w² over every parameter
	MetricWeightNorm   = "weight_norm"    // ‖w‖ = √Σ w² (Omnigrok's scale)
	// MetricMaxLogit is the mean over a split's rows of the largest logit:
	// the logit scale whose growth delays grokking.
	MetricMaxLogit = "mean_max_logit"
	// MetricCollapse is the share of a split's rows whose softmax, in the
	// logits' own precision, is exactly one-hot (Σ exp(z − max z) == 1):
	// Prieto et al.'s softmax collapse.
	MetricCollapse = "softmax_collapse"
	// MetricStableCollapse is the same for StableMax (float64, as its loss),
	// logged by StableMax runs: the collapse StableMax avoids.
	MetricStableCollapse = "stablemax_collapse"
	All                  = "all"
)

// LossMetric is the metric name of a training objective (--loss).
func LossMetric(loss string) string {
	switch loss {
	case MetricMSE:
		return MetricMSE
	case "stablemax":
		return MetricStableMax
	}
	return MetricCrossEntropy
}

// IsLoss reports whether metric is a loss (any objective).
func IsLoss(metric string) bool {
	return metric == MetricCrossEntropy || metric == MetricMSE || metric == MetricStableMax
}

// rowsSumKey is the key-value metadata entry holding the SHA-256 of the
// rows (rowsSum), checked when fit reads the file back to resume.
const rowsSumKey = "rows_sha256"

// rowsSum hashes the rows' values in a fixed binary form.
func rowsSum(rows []Metric) string {
	h := sha256.New()
	var b [8]byte
	for _, r := range rows {
		binary.LittleEndian.PutUint64(b[:], uint64(r.Step))
		h.Write(b[:])
		for _, s := range []string{r.Split, r.Kind, r.Metric} {
			binary.LittleEndian.PutUint64(b[:], uint64(len(s)))
			h.Write(b[:])
			h.Write([]byte(s))
		}
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(r.Value))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// WriteMetrics replaces path with the given rows, atomically: a reader sees
// the previous file or the new one, never a half-written one, so the file is
// readable while training runs.
func WriteMetrics(path string, rows []Metric) error {
	return outfile.Write(path, nil, func(w io.Writer) error {
		pw := parquet.NewGenericWriter[Metric](w, outfile.ParquetCompression(), parquet.KeyValueMetadata(rowsSumKey, rowsSum(rows)))
		if _, err := pw.Write(rows); err != nil {
			return err
		}
		return pw.Close()
	})
}

// ReadMetrics reads a metrics file and checks its rows' checksum.
func ReadMetrics(path string) ([]Metric, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	rows, err := parquet.Read[Metric](bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	switch want, ok := f.Lookup(rowsSumKey); {
	case !ok:
		return nil, fmt.Errorf("%s: %w", path, integrity.ErrMissing)
	case want != rowsSum(rows):
		return nil, fmt.Errorf("%s: the rows do not match their checksum: the file is corrupt", path)
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
