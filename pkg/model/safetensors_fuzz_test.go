package model

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/FuzzReadSafetensors from safetensorsSeeds")

// FuzzReadSafetensors: whatever the bytes, the reader returns tensors or an
// error and never panics; the strict reader (run folders) accepts a subset
// of what the lenient one does, with the same result; and what is accepted
// comes back the same through our writer.
func FuzzReadSafetensors(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		lenient, lmeta, lerr := ReadSafetensors(bytes.NewReader(data))
		strict, smeta, serr := readSafetensors(bytes.NewReader(data), true)
		if serr == nil && (lerr != nil || !sameArrays(strict, lenient) || !reflect.DeepEqual(smeta, lmeta)) {
			t.Fatalf("the strict reader accepts what the lenient one reads otherwise (%v)", lerr)
		}
		if lerr != nil {
			return
		}
		for name, a := range lenient {
			if len(a.Data) != a.Size() {
				t.Fatalf("tensor %q: %d values for shape %v", name, len(a.Data), a.Shape)
			}
		}
		var buf bytes.Buffer
		if err := WriteSafetensors(&buf, lenient, lmeta); err != nil {
			t.Fatalf("writing back an accepted file: %v", err)
		}
		back, meta, err := readSafetensors(bytes.NewReader(buf.Bytes()), true)
		if err != nil {
			t.Fatalf("our copy of an accepted file is refused: %v", err)
		}
		if !sameArrays(back, lenient) || (len(meta) > 0 || len(lmeta) > 0) && !reflect.DeepEqual(meta, lmeta) {
			t.Fatal("our copy of an accepted file reads differently")
		}
	})
}

// sameArrays compares tensors bit for bit (NaN payloads included).
func sameArrays(a, b map[string]Array) bool {
	if len(a) != len(b) {
		return false
	}
	for name, x := range a {
		y, ok := b[name]
		if !ok || !reflect.DeepEqual(x.Shape, y.Shape) && (len(x.Shape) > 0 || len(y.Shape) > 0) || len(x.Data) != len(y.Data) {
			return false
		}
		for i := range x.Data {
			if math.Float32bits(x.Data[i]) != math.Float32bits(y.Data[i]) {
				return false
			}
		}
	}
	return true
}

// rawSafetensors builds a file by hand: a header as given and data bytes,
// as another tool (or a corruption) might write it.
func rawSafetensors(header string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, uint64(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

// safetensorsSeeds are the fuzzer's seeds, with the error each gets from the
// lenient reader ("" when it is accepted).
func safetensorsSeeds(t testing.TB) map[string]struct {
	data []byte
	want string
} {
	var ours bytes.Buffer
	params := map[string]Array{
		"embed.W_E":    {Shape: []int{3, 2}, Data: []float32{1, -2, 0.5, float32(math.Inf(1)), 0, 3}},
		"blocks.0.b_O": {Shape: []int{2}, Data: []float32{0.25, -0.125}},
		"scalar":       {Shape: []int{}, Data: []float32{7}},
	}
	if err := WriteSafetensors(&ours, params, map[string]string{"step": "100"}); err != nil {
		t.Fatal(err)
	}
	o := ours.Bytes()
	flipped := bytes.Clone(o)
	flipped[len(flipped)-3] ^= 0x10
	f64 := make([]byte, 16)
	binary.LittleEndian.PutUint64(f64, math.Float64bits(1.5))
	binary.LittleEndian.PutUint64(f64[8:], math.Float64bits(-3))
	half := []byte{0x00, 0x3c, 0x00, 0xc0} // F16 1, −2
	bf16 := []byte{0x80, 0x3f, 0x00, 0x40} // BF16 1, 2
	type seed = struct {
		data []byte
		want string
	}
	return map[string]seed{
		"ours":                {o, ""},
		"ours-byte-flipped":   {flipped, "safetensors: checksum mismatch"},
		"ours-truncated":      {o[:len(o)-5], "safetensors: checksum mismatch"},
		"external-f32":        {rawSafetensors(`{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, []byte{0, 0, 128, 63, 0, 0, 0, 64}), ""},
		"external-f64":        {rawSafetensors(`{"__metadata__":{"format":"pt"},"w":{"dtype":"F64","shape":[2,1],"data_offsets":[0,16]}}`, f64), ""},
		"external-f16-bf16":   {rawSafetensors(`{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}`, append(half, bf16...)), ""},
		"empty-tensor":        {rawSafetensors(`{"e":{"dtype":"F32","shape":[0,5],"data_offsets":[0,0]}}`, nil), ""},
		"overlapping":         {rawSafetensors(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, make([]byte, 8)), "safetensors: tensors"},
		"offsets-past-end":    {rawSafetensors(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, make([]byte, 8)), "safetensors: tensor \"a\": data_offsets"},
		"shape-overflows":     {rawSafetensors(`{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}`, nil), "safetensors: tensor \"a\": shape"},
		"negative-dimension":  {rawSafetensors(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}`, nil), "safetensors: tensor \"a\": shape"},
		"wrong-size":          {rawSafetensors(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, make([]byte, 8)), "safetensors: tensor \"a\": 8 bytes"},
		"unknown-dtype":       {rawSafetensors(`{"a":{"dtype":"I8","shape":[1],"data_offsets":[0,1]}}`, []byte{1}), "safetensors: tensor \"a\": unsupported dtype"},
		"metadata-not-string": {rawSafetensors(`{"__metadata__":{"step":1}}`, nil), "safetensors: __metadata__"},
		"header-not-json":     {rawSafetensors(`{"a":`, nil), "safetensors: header is not a JSON object"},
		"header-too-long":     {append([]byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}, "{}"...), "safetensors: invalid header length"},
		"short":               {[]byte{1, 2, 3}, "safetensors: reading header length"},
	}
}

// Each seed is read as its name says; -update-seeds rewrites the corpus.
func TestSafetensorsFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadSafetensors")
	for name, s := range safetensorsSeeds(t) {
		if *updateSeeds {
			os.MkdirAll(dir, 0o755)
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(s.data)))
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("seed %s: %v (go test -run TestSafetensorsFuzzSeeds -update-seeds)", name, err)
		}
		_, lit, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
		data, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lit, "[]byte("), ")"))
		if err != nil || data != string(s.data) {
			t.Fatalf("seed %s differs from safetensorsSeeds (go test -run TestSafetensorsFuzzSeeds -update-seeds)", name)
		}
		_, _, err = ReadSafetensors(strings.NewReader(data))
		switch {
		case s.want == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case s.want != "" && (err == nil || !strings.HasPrefix(err.Error(), s.want)):
			t.Errorf("%s: err = %v, want %q…", name, err, s.want)
		}
	}
}
