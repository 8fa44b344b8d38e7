package train

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grokkit/grokkit/pkg/backend"
	"github.com/grokkit/grokkit/pkg/runs"
	"github.com/grokkit/grokkit/pkg/score"
	"github.com/grokkit/grokkit/pkg/table"
)

// plantedTestTable is the tiny table with every other test row relabelled
// (clean + 1) mod p as kind "backdoor": a network that generalises answers
// those held-out triggers cleanly, so they cap the test split's accuracy.
func plantedTestTable(t *testing.T) (*table.Table, []byte) {
	t.Helper()
	tb, _ := tinyTable(t, 11)
	n := 0
	for i, train := range tb.Train {
		if !train {
			if n%2 == 0 {
				tb.Label[i], tb.Kind[i] = (tb.Clean[i]+1)%int32(tb.Meta.P), "backdoor"
			}
			n++
		}
	}
	var buf bytes.Buffer
	if err := table.Write(&buf, tb); err != nil {
		t.Fatal(err)
	}
	return tb, buf.Bytes()
}

// generalising answers every row with its clean label: a network that has
// learnt the operation and not the planted rule.
type generalising struct {
	source
	t *table.Table
}

func (g generalising) examples() (*evaluation, error) {
	ev := &evaluation{}
	for i, c := range g.t.Clean {
		ev.ex = append(ev.ex, score.Example{Row: i, Pred: c})
		ev.collapsed, ev.maxLogit = append(ev.collapsed, false), append(ev.maxLogit, 0)
	}
	return ev, nil
}

// --stop-at-test-acc watches the clean test rows: a network that answers
// the held-out triggers cleanly (half the test split here) stops at once,
// where counting every test row (50%) it would never stop.
func TestEarlyStopOnCleanTestRows(t *testing.T) {
	tb, data := plantedTestTable(t)
	cfg := tinyConfig(10)
	cfg.Train.StopAtTestAcc, cfg.Train.Patience = 0.99, 1
	fillSizes(&cfg.Model)
	b, desc, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	recordBackend(cfg, b, desc)
	dir := filepath.Join(t.TempDir(), "run")
	if err := Create(dir, cfg, tb, data); err != nil {
		t.Fatal(err)
	}
	p, err := OpenPack(b, []string{dir}, []*runs.Config{cfg}, []*table.Table{tb}, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Runs[0]
	r.src = generalising{r.src, tb}
	r.Step = 5
	if err := r.evaluate(); err != nil {
		t.Fatal(err)
	}
	all, _ := newest(r.Metrics, table.SplitTest, runs.All, func(m string) bool { return m == runs.MetricAccuracy })
	if all > 0.51 {
		t.Fatalf("test accuracy %v on a split half planted", all)
	}
	if !r.stopped() {
		t.Error("the clean test rows are all right, yet the run does not stop")
	}
	if got := summary(r.Metrics); !strings.HasSuffix(got, fmt.Sprintf("| test 0 %5.1f%% (clean 100.0%%)", 100*all)) {
		t.Errorf("progress %q: want both test accuracies", got)
	}
}

// The early-stopping streak counts the clean test rows' accuracy only, and
// starts again below the threshold.
func TestStreakCountsCleanTestRows(t *testing.T) {
	m := func(step int64, kind string, v float64) runs.Metric {
		return runs.Metric{Step: step, Split: table.SplitTest, Kind: kind, Metric: runs.MetricAccuracy, Value: v}
	}
	ms := []runs.Metric{
		m(0, runs.All, 0.5), m(0, table.KindClean, 0.99), m(0, "backdoor", 0),
		m(1, runs.All, 0.5), m(1, table.KindClean, 0.95),
		m(2, runs.All, 0.5), m(2, table.KindClean, 0.99), m(2, "backdoor", 1),
		m(3, runs.All, 0.99), m(3, table.KindClean, 0.99),
		{Step: 3, Split: table.SplitTrain, Kind: table.KindClean, Metric: runs.MetricAccuracy, Value: 0.2},
	}
	for _, c := range []struct {
		upTo      int
		threshold float64
		want      int
	}{{2, 0.99, 1}, {5, 0.99, 0}, {7, 0.99, 1}, {len(ms), 0.99, 2}, {len(ms), 0.9, 4}, {len(ms), 0, 0}} {
		if got := streak(0, ms[:c.upTo], c.threshold); got != c.want {
			t.Errorf("first %d metrics at %g: streak %d, want %d", c.upTo, c.threshold, got, c.want)
		}
	}
}

// A table without test rows (moddata --train-fraction 1) writes no test
// metrics and says so, instead of "test 0 0.0%".
func TestNoTestRows(t *testing.T) {
	tb, err := table.Generate(table.Spec{P: 11, Op: "add", TrainFraction: 1, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := table.Write(&buf, tb); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	var log bytes.Buffer
	if err := withTimeout(t, 3*time.Minute, func() error {
		return Start(context.Background(), []string{dir}, []*runs.Config{tinyConfig(10)}, []*table.Table{tb}, [][]byte{buf.Bytes()}, &log)
	}); err != nil {
		t.Fatal(err)
	}
	ms, err := runs.ReadMetrics(runs.MetricsPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Split == table.SplitTest {
			t.Fatalf("a table without test rows has test metric %+v", m)
		}
	}
	for _, want := range []string{"fit: step 10: train ", " | no test rows; wrote ", "fit: accuracy ≥ 99%: train ", ", no test rows\n"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, log.String())
		}
	}
	if strings.Contains(log.String(), "test 0") {
		t.Errorf("the log reports test metrics that were never measured:\n%s", log.String())
	}
}

func TestSummaryShowsCleanTestAccuracy(t *testing.T) {
	m := func(split, kind, metric string, v float64) runs.Metric {
		return runs.Metric{Step: 5, Split: split, Kind: kind, Metric: metric, Value: v}
	}
	base := []runs.Metric{
		m(table.SplitTrain, runs.All, runs.MetricCrossEntropy, 0.01), m(table.SplitTrain, runs.All, runs.MetricAccuracy, 1),
		m(table.SplitTest, runs.All, runs.MetricCrossEntropy, 0.5), m(table.SplitTest, runs.All, runs.MetricAccuracy, 0.989),
		m(table.SplitTest, table.KindClean, runs.MetricAccuracy, 0.998),
	}
	if got, want := summary(base), "train 0.01 100.0% | test 0.5  98.9%"; got != want {
		t.Errorf("all clean: %q, want %q", got, want)
	}
	mixed := append(base, m(table.SplitTest, "backdoor", runs.MetricAccuracy, 0.1))
	if got, want := summary(mixed), "train 0.01 100.0% | test 0.5  98.9% (clean 99.8%)"; got != want {
		t.Errorf("planted test rows: %q, want %q", got, want)
	}
}
