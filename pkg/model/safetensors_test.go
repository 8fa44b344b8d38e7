package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gomlx "github.com/gomlx/gomlx/ml/model"
)

// TestSafetensorsBytes checks the exact bytes written for a small file.
func TestSafetensorsBytes(t *testing.T) {
	params := map[string]Array{
		"b.x":    {Shape: []int{2}, Data: []float32{1, -2}},
		"a":      {Shape: []int{1, 1}, Data: []float32{0.5}},
		"scalar": {Shape: []int{}, Data: []float32{3}},
	}
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, params, map[string]string{"p": "5", "model": "nanda"}); err != nil {
		t.Fatal(err)
	}
	// The checksum is the SHA-256 of the file with its own value as zeros.
	file := func(sum string) []byte {
		header := `{"__metadata__":{"model":"nanda","p":"5","sha256":"` + sum + `"},` +
			`"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},` +
			`"b.x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},` +
			`"scalar":{"dtype":"F32","shape":[],"data_offsets":[12,16]}}`
		for len(header)%8 != 0 {
			header += " "
		}
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint64(len(header)))
		b.WriteString(header)
		for _, x := range []float32{0.5, 1, -2, 3} {
			binary.Write(&b, binary.LittleEndian, math.Float32bits(x))
		}
		return b.Bytes()
	}
	sum := sha256.Sum256(file(strings.Repeat("0", 64)))
	want := bytes.NewBuffer(file(hex.EncodeToString(sum[:])))
	header := string(want.Bytes()[8 : 8+binary.LittleEndian.Uint64(want.Bytes())])
	if !bytes.Equal(buf.Bytes(), want.Bytes()) {
		t.Fatalf("bytes differ:\n got %q\nwant %q", buf.Bytes(), want.Bytes())
	}
	// The header is valid JSON and the data 8-byte aligned.
	var v map[string]any
	if err := json.Unmarshal(buf.Bytes()[8:8+len(header)], &v); err != nil {
		t.Fatal(err)
	}
	if (8+len(header))%8 != 0 {
		t.Fatal("data not aligned")
	}
	// Deterministic: the same input gives the same bytes.
	var again bytes.Buffer
	WriteSafetensors(&again, params, map[string]string{"model": "nanda", "p": "5"})
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("not deterministic")
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	m, _ := ByName("nanda", Config{P: 7, DModel: 8, NHeads: 2, DHead: 4, DMLP: 16})
	store := gomlx.NewStore()
	if err := InitParams(store.RootScope(), m, 5); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "model.safetensors")
	md := map[string]string{"model": "nanda", "p": "7"}
	if err := ExportSafetensors(path, store.RootScope(), m, md); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	params, gotMD, err := LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := GetParams(store.RootScope(), m)
	if !equalParams(params, want) {
		t.Fatal("round trip changed the weights")
	}
	if gotMD["model"] != "nanda" || gotMD["p"] != "7" || len(gotMD) != 2 {
		t.Fatalf("metadata %v", gotMD)
	}
	// Load into a fresh store: same weights.
	fresh := gomlx.NewStore()
	if err := ImportSafetensors(path, fresh.RootScope(), m); err != nil {
		t.Fatal(err)
	}
	again, _ := GetParams(fresh.RootScope(), m)
	if !equalParams(again, want) {
		t.Fatal("ImportSafetensors changed the weights")
	}
}

// TestSafetensorsReadsOtherDTypes: F64, F16 and BF16 tensors written by
// other tools are read as float32.
func TestSafetensorsReadsOtherDTypes(t *testing.T) {
	header := `{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},` +
		`"h":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},` +
		`"bf":{"dtype":"BF16","shape":[1],"data_offsets":[22,24]}}`
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, uint64(len(header)))
	buf.WriteString(header)
	binary.Write(&buf, binary.LittleEndian, []float64{0.25, -1e10})
	binary.Write(&buf, binary.LittleEndian, []uint16{0x3c00, 0xc000, 0x0001}) // 1, −2, smallest subnormal 2⁻²⁴
	binary.Write(&buf, binary.LittleEndian, uint16(0x3fc0))                   // bf16 1.5
	p, md, err := ReadSafetensors(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if md != nil {
		t.Errorf("metadata %v", md)
	}
	check := func(name string, want ...float32) {
		if got := p[name].Data; len(got) != len(want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		} else {
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %v, want %v", name, got, want)
				}
			}
		}
	}
	check("d", 0.25, -1e10)
	check("h", 1, -2, float32(math.Ldexp(1, -24)))
	check("bf", 1.5)
}

func TestSafetensorsRejectsBadFiles(t *testing.T) {
	file := func(header string, data int) []byte {
		var buf bytes.Buffer
		binary.Write(&buf, binary.LittleEndian, uint64(len(header)))
		buf.WriteString(header)
		buf.Write(make([]byte, data))
		return buf.Bytes()
	}
	for name, b := range map[string][]byte{
		"empty":         {},
		"short header":  {200, 0, 0, 0, 0, 0, 0, 0, '{', '}'},
		"not json":      file("[1,2]", 0),
		"out of bounds": file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, 4),
		"size mismatch": file(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}`, 8),
		"overlap": file(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},`+
			`"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8),
		"dtype": file(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, 8),
	} {
		if _, _, err := ReadSafetensors(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "safetensors:") {
			t.Errorf("%s: error %q", name, err)
		}
	}
}

// A byte flipped anywhere in a file we wrote, in the length, the header,
// the metadata or the tensors, is one clear error, never other weights.
func TestSafetensorsCorruptionIsFound(t *testing.T) {
	params := map[string]Array{"w": {Shape: []int{3, 4}, Data: []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}}
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, params, map[string]string{"step": "10"}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	for i := range good {
		for _, bit := range []byte{0x01, 0x80} {
			bad := bytes.Clone(good)
			bad[i] ^= bit
			got, md, err := readSafetensors(bytes.NewReader(bad), true) // as a run folder's files are read
			if err == nil {
				t.Fatalf("byte %d ^ %#x: read without error: %v %v", i, bit, got, md)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("byte %d: a multi-line error: %v", i, err)
			}
		}
	}
	// Truncated anywhere: an error too.
	for n := range len(good) {
		if _, _, err := readSafetensors(bytes.NewReader(good[:n]), true); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	// A file from another tool, without a checksum: read by ReadSafetensors,
	// refused where a run folder's file is expected.
	plain := []byte(`{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`)
	for len(plain)%8 != 0 {
		plain = append(plain, ' ')
	}
	var other bytes.Buffer
	binary.Write(&other, binary.LittleEndian, uint64(len(plain)))
	other.Write(plain)
	binary.Write(&other, binary.LittleEndian, math.Float32bits(2))
	if p, _, err := ReadSafetensors(bytes.NewReader(other.Bytes())); err != nil || p["w"].Data[0] != 2 {
		t.Fatalf("another tool's file: %v %v", p, err)
	}
	if _, _, err := readSafetensors(bytes.NewReader(other.Bytes()), true); err == nil || !strings.Contains(err.Error(), "no checksum") {
		t.Fatalf("another tool's file as a run file: %v", err)
	}
}

// LoadSafetensors names the file once, at the start of its one line,
// whatever is wrong with it: missing, a folder, cut short anywhere, a byte
// changed. Its callers pass the error on as it is.
func TestLoadSafetensorsNamesTheFileOnce(t *testing.T) {
	var buf bytes.Buffer
	params := map[string]Array{"w": {Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}
	if err := WriteSafetensors(&buf, params, map[string]string{"step": "1"}); err != nil {
		t.Fatal(err)
	}
	good := buf.Bytes()
	dir := t.TempDir()
	path := filepath.Join(dir, "model.safetensors")
	check := func(what string) {
		t.Helper()
		_, _, err := LoadSafetensors(path)
		switch {
		case err == nil:
			t.Errorf("%s: no error", what)
		case !strings.HasPrefix(err.Error(), path+": ") || strings.Count(err.Error(), path) != 1 || strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: %q, want one line naming %s once, at its start", what, err, path)
		}
	}
	check("missing")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	check("a folder")
	os.Remove(path)
	for _, n := range []int{0, 1, 7, 8, 9, len(good) / 2, len(good) - 1} {
		if err := os.WriteFile(path, good[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("cut to %d of %d bytes", n, len(good)))
	}
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	check("a byte changed")
}
