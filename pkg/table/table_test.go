package table

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func gen(t testing.TB, s Spec) *Table {
	t.Helper()
	tb, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func encode(t testing.TB, tb *Table) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, tb); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The whole table of a+b mod 5 and a/b mod 5, written out by hand.
func TestHandWrittenTables(t *testing.T) {
	add := [5][5]int32{
		{0, 1, 2, 3, 4},
		{1, 2, 3, 4, 0},
		{2, 3, 4, 0, 1},
		{3, 4, 0, 1, 2},
		{4, 0, 1, 2, 3},
	}
	tb := gen(t, Spec{P: 5, Op: "add", TrainFraction: 0.3, Seed: 1})
	if tb.Len() != 25 {
		t.Fatalf("rows = %d", tb.Len())
	}
	for i := 0; i < 25; i++ {
		a, b := tb.A[i], tb.B[i]
		if a != int32(i/5) || b != int32(i%5) {
			t.Fatalf("row %d is (%d,%d): want a-major order", i, a, b)
		}
		if tb.Label[i] != add[a][b] || tb.Clean[i] != add[a][b] || tb.Kind[i] != KindClean {
			t.Fatalf("row %d: %d+%d gave label %d clean %d kind %s", i, a, b, tb.Label[i], tb.Clean[i], tb.Kind[i])
		}
	}
	// a/b mod 5 for b = 1..4: inverses 1, 3, 2, 4.
	div := [5][4]int32{
		{0, 0, 0, 0},
		{1, 3, 2, 4},
		{2, 1, 4, 3},
		{3, 4, 1, 2},
		{4, 2, 3, 1},
	}
	tb = gen(t, Spec{P: 5, Op: "a/b", TrainFraction: 0.5, Seed: 1})
	if tb.Len() != 20 {
		t.Fatalf("a/b mod 5 has %d rows, want 20 (no b = 0)", tb.Len())
	}
	for i := 0; i < 20; i++ {
		if want := div[tb.A[i]][tb.B[i]-1]; tb.Label[i] != want {
			t.Fatalf("%d/%d mod 5 = %d, want %d", tb.A[i], tb.B[i], tb.Label[i], want)
		}
	}
}

func TestSplitSizes(t *testing.T) {
	for _, c := range []struct {
		p      int
		op     string
		frac   float64
		nTrain int
	}{
		{113, "add", 0.3, 3830}, // Nanda et al.: 30% of 12,769 pairs
		{97, "add", 0.5, 4704},
		{97, "div", 0.5, 97 * 96 / 2},
		{10, "mul", 1, 100},
		{7, "sub", 0.01, 0}, // floor(0.49) = 0: an error
	} {
		tb, err := Generate(Spec{P: c.p, Op: c.op, TrainFraction: c.frac, Seed: 23093})
		if c.nTrain == 0 {
			if err == nil || !strings.Contains(err.Error(), "selects no training row") {
				t.Errorf("p=%d frac=%g: err = %v", c.p, c.frac, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := tb.CountTrain(); got != c.nTrain {
			t.Errorf("p=%d %s frac=%g: %d training rows, want %d", c.p, c.op, c.frac, got, c.nTrain)
		}
	}
}

func TestRoundTripAndDeterminism(t *testing.T) {
	s := Spec{P: 31, Op: "cube_ab", TrainFraction: 0.4, Seed: 5, Equals: true}
	tb := gen(t, s)
	tb.Meta.History = append(tb.Meta.History, Step{Tool: "moddata", Version: "x", Args: []string{"--p", "31"}, Seed: &s.Seed})
	tb.Kind[3] = "backdoor"
	tb.Label[3] = (tb.Label[3] + 1) % 31
	data := encode(t, tb)
	back, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if back.Meta.P != 31 || back.Meta.Op != "cube_ab" || !back.Meta.Equals || back.Meta.EqualsToken() != 31 ||
		back.Meta.TrainFraction != 0.4 || back.Meta.Seed != 5 || len(back.Meta.History) != 1 || *back.Meta.History[0].Seed != 5 {
		t.Fatalf("metadata lost: %+v", back.Meta)
	}
	for i := 0; i < tb.Len(); i++ {
		if back.A[i] != tb.A[i] || back.B[i] != tb.B[i] || back.Label[i] != tb.Label[i] ||
			back.Clean[i] != tb.Clean[i] || back.Train[i] != tb.Train[i] || back.Kind[i] != tb.Kind[i] {
			t.Fatalf("row %d differs after a round trip", i)
		}
	}
	if again := encode(t, back); !bytes.Equal(again, data) {
		t.Fatal("re-encoding the decoded table changed the bytes")
	}
	if !bytes.Equal(encode(t, gen(t, Spec{P: 31, Op: "add", TrainFraction: 0.4, Seed: 5})),
		encode(t, gen(t, Spec{P: 31, Op: "add", TrainFraction: 0.4, Seed: 5}))) {
		t.Fatal("same seed, different bytes")
	}
	a, b := gen(t, Spec{P: 31, Op: "add", TrainFraction: 0.4, Seed: 5}), gen(t, Spec{P: 31, Op: "add", TrainFraction: 0.4, Seed: 6})
	same := 0
	for i := range a.Train {
		if a.Train[i] == b.Train[i] {
			same++
		}
	}
	if same == a.Len() {
		t.Fatal("different seeds gave the same split")
	}
}

func TestRejectsBadTables(t *testing.T) {
	good := gen(t, Spec{P: 7, Op: "add", TrainFraction: 0.5, Seed: 1})
	cases := []struct {
		name   string
		break_ func(tb *Table)
		want   string
	}{
		{"label out of range", func(tb *Table) { tb.Label[4] = 7 }, "column label = 7 is out of range [0, 7)"},
		{"clean wrong", func(tb *Table) { tb.Clean[8] = (tb.Clean[8] + 1) % 7 }, "row 8: clean ="},
		{"duplicate pair", func(tb *Table) { tb.A[1], tb.B[1] = 0, 0; tb.Clean[1], tb.Label[1] = 0, 0 }, "appears twice"},
		{"unknown op", func(tb *Table) { tb.Meta.Op = "pow" }, "unknown operation"},
		{"p too large", func(tb *Table) { tb.Meta.P = 6000 }, "out of range"},
		{"empty kind", func(tb *Table) { tb.Kind[2] = "" }, "empty kind"},
	}
	for _, c := range cases {
		tb := gen(t, Spec{P: 7, Op: "add", TrainFraction: 0.5, Seed: 1})
		c.break_(tb)
		data := encode(t, tb)
		_, err := Read(bytes.NewReader(data), int64(len(data)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	data := encode(t, good)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "empty input"},
		{"text", []byte("a,b,label\n1,2,3\n"), "not a readable Parquet file"},
		{"truncated", data[:len(data)/2], "not a complete Parquet table"},
	} {
		_, err := Read(bytes.NewReader(c.data), int64(len(c.data)))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if _, err := ReadFile("/nonexistent/x.parquet", nil); err == nil || !strings.HasPrefix(err.Error(), "/nonexistent/x.parquet: ") {
		t.Errorf("missing file: %v", err)
	}
}

// A table cut short at any length (an interrupted pipe, head -c) is "not a
// complete Parquet table", from a file or from stdin, never the Parquet
// reader's confusion at offsets before the start of the input.
func TestReadTruncated(t *testing.T) {
	data := encode(t, gen(t, Spec{P: 7, Op: "add", TrainFraction: 0.5, Seed: 1}))
	n := len(data)
	dir := t.TempDir()
	for _, k := range []int{0, 1, 2, 3, 4, 5, 8, 11, 12, 13, n / 2, n - 12, n - 8, n - 5, n - 4, n - 1} {
		cut := data[:k]
		_, err := Read(bytes.NewReader(cut), int64(k))
		if err == nil || !strings.Contains(err.Error(), "not a complete Parquet table") || strings.Contains(err.Error(), "offset") {
			t.Errorf("%d of %d bytes: err = %v, want \"not a complete Parquet table\"", k, n, err)
		}
		_, err = ReadFile("-", bytes.NewReader(cut))
		if err == nil || !strings.HasPrefix(err.Error(), "<stdin>: ") || strings.Count(err.Error(), "\n") > 0 {
			t.Errorf("%d of %d bytes on stdin: err = %v, want one line naming <stdin>", k, n, err)
		}
		path := filepath.Join(dir, "cut.parquet")
		if err := os.WriteFile(path, cut, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err = ReadFile(path, nil); err == nil || !strings.HasPrefix(err.Error(), path+": not a complete Parquet table") &&
			!strings.HasPrefix(err.Error(), path+": empty input") {
			t.Errorf("%d of %d bytes in a file: err = %v", k, n, err)
		}
	}
	// Not Parquet at all, at any length: not readable, said so.
	for _, s := range []string{"a", "ab,", "a,b,label", "PAR0 and more than twelve bytes PAR1"} {
		_, err := Read(strings.NewReader(s), int64(len(s)))
		if err == nil || !strings.Contains(err.Error(), "not a readable Parquet file: it does not begin with PAR1") {
			t.Errorf("%q: err = %v", s, err)
		}
	}
}
