package table

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// withMeta writes tb with its metadata changed: key → value, or the key
// left out where value is "-".
func withMeta(t *testing.T, tb *Table, change map[string]string) []byte {
	t.Helper()
	var kv [][2]string
	for _, p := range tb.Meta.pairs() {
		if v, ok := change[p[0]]; ok {
			p[1] = v
		}
		if p[1] != "-" {
			kv = append(kv, p)
		}
	}
	if kv == nil {
		kv = [][2]string{}
	}
	return foreign{nodes: nodes(parquet.Leaf(parquet.Int32Type), dictString), kv: kv}.write(t, tb)
}

// Every key is held to what moddata's flags allow, with one line naming it.
func TestRefusesBadMetadata(t *testing.T) {
	tb := gen(t, Spec{P: 11, Op: "add", TrainFraction: 0.5, Seed: 3}) // 60 of 121 rows train
	for _, c := range []struct {
		change map[string]string
		want   string
	}{
		{map[string]string{"train_fraction": "7"}, "metadata train_fraction 7 is outside (0, 1]"},
		{map[string]string{"train_fraction": "0"}, "metadata train_fraction 0 is outside (0, 1]"},
		{map[string]string{"train_fraction": "NaN"}, "metadata train_fraction NaN is outside (0, 1]"},
		{map[string]string{"train_fraction": "half"}, `metadata train_fraction = "half" is not a number`},
		{map[string]string{"p": "1"}, "metadata: p = 1 is out of range [2, 5000]"},
		{map[string]string{"p": "5001"}, "metadata: p = 5001 is out of range [2, 5000]"},
		{map[string]string{"p": "eleven"}, `metadata p = "eleven" is not an integer`},
		{map[string]string{"p": "13"}, "row 21: clean = 0, but a+b at a = 1, b = 10 is 11 mod 13"},
		{map[string]string{"op": "pow"}, `metadata op: unknown operation "pow"`},
		{map[string]string{"op": "a+b"}, `metadata op = "a+b": write the canonical name "add"`},
		{map[string]string{"op": "div"}, `row 0: (a, b) = (0, 0) is outside the domain of a/b`},
		{map[string]string{"seed": "-1"}, `metadata seed = "-1" is not an unsigned integer`},
		{map[string]string{"seed": "18446744073709551616"}, `metadata seed = "18446744073709551616" is not an unsigned integer`},
		{map[string]string{"equals_token": "12"}, `metadata equals_token = "12": want 11 (p) or none`},
		{map[string]string{"history": "null"}, "metadata history is null, want a JSON list of steps"},
		{map[string]string{"history": `{"tool": "moddata"}`}, "metadata history is not a JSON list of steps"},
		{map[string]string{"history": `[{"args": []}]`}, "metadata history step 1 has no tool"},
		{map[string]string{"history": `[] x`}, "metadata history is not a JSON list of steps"},
		{map[string]string{"seed": "-"}, `metadata key "seed" is missing: whatever wrote the file dropped grokkit's key-value metadata; copy it from the source table (DuckDB: COPY ... TO ... (KV_METADATA {...}), as scripts/duckdb-copy.mjs does; pyarrow: keep the schema's metadata)`},
		{map[string]string{"p": "-", "op": "-", "seed": "-", "train_fraction": "-", "equals_token": "-", "grokkit_version": "-", "history": "-"},
			"metadata keys p, op, seed, train_fraction, equals_token, grokkit_version, history are missing: whatever wrote the file dropped"},
	} {
		data := withMeta(t, tb, c.change)
		_, err := Read(bytes.NewReader(data), int64(len(data)))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want %q", c.change, err, c.want)
		}
	}
	// Our own writer with a fraction moddata would refuse: refused on read.
	tb.Meta.TrainFraction = 7
	data := encode(t, tb)
	if _, err := Read(bytes.NewReader(data), int64(len(data))); err == nil || err.Error() != "metadata train_fraction 7 is outside (0, 1]" {
		t.Errorf("train_fraction 7 written by Write: err = %v", err)
	}
}
