package model

// The safetensors format (https://github.com/huggingface/safetensors):
//
//	8 bytes     N, the header length, unsigned little-endian
//	N bytes     JSON header: {"__metadata__": {string: string},
//	            "<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}
//	rest        the tensors' raw little-endian bytes; offsets are relative to
//	            the start of this section
//
// Writing is deterministic: names sorted byte-wise, tensors stored in that
// order without gaps, the header padded with spaces to a multiple of 8 bytes
// (as the reference implementation does, so the data is 8-byte aligned).
//
// Integrity: every file written here carries, in its metadata, ChecksumKey:
// the SHA-256 of the whole file with that value's 64 hex digits written as
// zeros. A reader recomputes it the same way, so a flipped byte anywhere
// (header, metadata, tensor data) is found. Files without it (written by
// other tools) are read unchecked. Other readers ignore the extra metadata.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"

	gomlx "github.com/gomlx/gomlx/ml/model"

	"github.com/grokkit/grokkit/pkg/integrity"
	"github.com/grokkit/grokkit/pkg/outfile"
)

// maxSafetensorsHeader bounds the header a reader accepts (as the reference does).
const maxSafetensorsHeader = 100 << 20

// ChecksumKey is the metadata key of a file's own checksum (see above and
// pkg/integrity).
const ChecksumKey = "sha256"

// WriteSafetensors writes params (stored as F32) and optional string metadata
// in the safetensors format, with the file's checksum under ChecksumKey.
func WriteSafetensors(w io.Writer, params map[string]Array, metadata map[string]string) error {
	if _, ok := metadata[ChecksumKey]; ok {
		return fmt.Errorf("safetensors: metadata key %q is reserved for the checksum", ChecksumKey)
	}
	md := map[string]string{ChecksumKey: integrity.Zero}
	for k, v := range metadata {
		md[k] = v
	}
	metadata = md
	names := make([]string, 0, len(params))
	for name := range params {
		if name == "" || name == "__metadata__" {
			return fmt.Errorf("safetensors: invalid tensor name %q", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)

	// The header is built by hand so that key order is fixed and visible.
	var hdr bytes.Buffer
	hdr.WriteByte('{')
	first := true
	comma := func() {
		if !first {
			hdr.WriteByte(',')
		}
		first = false
	}
	if len(metadata) > 0 {
		md, err := json.Marshal(metadata) // encoding/json sorts map keys
		if err != nil {
			return fmt.Errorf("safetensors: metadata: %w", err)
		}
		comma()
		hdr.WriteString(`"__metadata__":`)
		hdr.Write(md)
	}
	offset := 0
	for _, name := range names {
		a := params[name]
		if len(a.Data) != a.Size() {
			return fmt.Errorf("safetensors: %q has shape %v but %d values", name, a.Shape, len(a.Data))
		}
		key, _ := json.Marshal(name)
		comma()
		hdr.Write(key)
		hdr.WriteString(`:{"dtype":"F32","shape":[`)
		for i, d := range a.Shape {
			if i > 0 {
				hdr.WriteByte(',')
			}
			hdr.WriteString(strconv.Itoa(d))
		}
		end := offset + 4*len(a.Data)
		fmt.Fprintf(&hdr, `],"data_offsets":[%d,%d]}`, offset, end)
		offset = end
	}
	hdr.WriteByte('}')
	for hdr.Len()%8 != 0 {
		hdr.WriteByte(' ')
	}

	file := make([]byte, 8, 8+hdr.Len()+offset)
	binary.LittleEndian.PutUint64(file, uint64(hdr.Len()))
	file = append(file, hdr.Bytes()...)
	for _, name := range names {
		for _, x := range params[name].Data {
			file = binary.LittleEndian.AppendUint32(file, math.Float32bits(x))
		}
	}
	if err := integrity.Seal(file, 8+hdr.Len(), ChecksumKey); err != nil {
		return err
	}
	_, err := w.Write(file)
	return err
}

// safetensorsEntry is one tensor's header entry.
type safetensorsEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int   `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// ReadSafetensors reads a safetensors stream. F32 tensors are read as they
// are; F64 and F16/BF16 are converted to float32. It checks that offsets are
// in bounds, match the shapes, and do not overlap, and the file's checksum
// when it has one (files from other tools need not).
func ReadSafetensors(r io.Reader) (params map[string]Array, metadata map[string]string, err error) {
	return readSafetensors(r, false)
}

func readSafetensors(r io.Reader, needSum bool) (params map[string]Array, metadata map[string]string, err error) {
	var n [8]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, nil, fmt.Errorf("safetensors: reading header length: %w", outfile.UnwrapPath(err))
	}
	hlen := binary.LittleEndian.Uint64(n[:])
	if hlen < 2 || hlen > maxSafetensorsHeader {
		return nil, nil, fmt.Errorf("safetensors: invalid header length %d", hlen)
	}
	hdr := make([]byte, hlen)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, nil, fmt.Errorf("safetensors: reading header: %w", outfile.UnwrapPath(err))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, nil, fmt.Errorf("safetensors: header is not a JSON object: %w", err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("safetensors: reading data: %w", outfile.UnwrapPath(err))
	}
	file := append(append(append(make([]byte, 0, 8+len(hdr)+len(data)), n[:]...), hdr...), data...)
	switch err := integrity.Verify(file, 8+len(hdr), ChecksumKey); {
	case errors.Is(err, integrity.ErrMissing) && !needSum:
	case err != nil:
		return nil, nil, fmt.Errorf("safetensors: %w", err)
	}
	defer func() { delete(metadata, ChecksumKey) }() // checked; not the caller's metadata

	type span struct {
		name       string
		begin, end int64
	}
	var spans []span
	params = make(map[string]Array)
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &metadata); err != nil {
				return nil, nil, fmt.Errorf("safetensors: __metadata__ must map strings to strings: %w", err)
			}
			continue
		}
		var e safetensorsEntry
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %w", name, err)
		}
		if len(e.DataOffsets) != 2 || e.DataOffsets[0] < 0 || e.DataOffsets[1] < e.DataOffsets[0] ||
			e.DataOffsets[1] > int64(len(data)) {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: data_offsets %v out of bounds (%d data bytes)",
				name, e.DataOffsets, len(data))
		}
		a := Array{Shape: e.Shape}
		if !shapeFits(e.Shape, int64(len(data))) {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: shape %v does not fit in %d data bytes", name, e.Shape, len(data))
		}
		b := data[e.DataOffsets[0]:e.DataOffsets[1]]
		var width int
		switch e.DType {
		case "F32":
			width = 4
		case "F64":
			width = 8
		case "F16", "BF16":
			width = 2
		default:
			return nil, nil, fmt.Errorf("safetensors: tensor %q: unsupported dtype %q", name, e.DType)
		}
		if len(b) != width*a.Size() {
			return nil, nil, fmt.Errorf("safetensors: tensor %q: %d bytes for shape %v of %s", name, len(b), e.Shape, e.DType)
		}
		a.Data = make([]float32, a.Size())
		for i := range a.Data {
			switch e.DType {
			case "F32":
				a.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
			case "F64":
				a.Data[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])))
			case "F16":
				a.Data[i] = float16ToFloat32(binary.LittleEndian.Uint16(b[2*i:]))
			case "BF16":
				a.Data[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(b[2*i:])) << 16)
			}
		}
		params[name] = a
		spans = append(spans, span{name, e.DataOffsets[0], e.DataOffsets[1]})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].begin < spans[j].begin })
	for i := 1; i < len(spans); i++ {
		if spans[i].begin < spans[i-1].end {
			return nil, nil, fmt.Errorf("safetensors: tensors %q and %q overlap", spans[i-1].name, spans[i].name)
		}
	}
	return params, metadata, nil
}

// shapeFits reports whether a shape's dimensions are ≥ 0 and its number of
// elements is at most limit, computed without overflow: a corrupt header
// cannot make a size that wraps around to match its bytes.
func shapeFits(shape []int, limit int64) bool {
	n := int64(1)
	zero := false
	for _, d := range shape {
		switch {
		case d < 0:
			return false
		case d == 0:
			zero = true
		case !zero && n > limit/int64(d):
			return false
		case !zero:
			n *= int64(d)
		}
	}
	return true
}

// float16ToFloat32 converts an IEEE 754 half-precision value.
func float16ToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0 && frac == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: frac · 2⁻²⁴
		v := float32(frac) / (1 << 24)
		if sign != 0 {
			v = -v
		}
		return v
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}

// SaveSafetensors writes a safetensors file atomically (pkg/outfile).
func SaveSafetensors(path string, params map[string]Array, metadata map[string]string) error {
	return outfile.Write(path, nil, func(w io.Writer) error {
		if err := WriteSafetensors(w, params, metadata); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		return nil
	})
}

// LoadSafetensors reads a safetensors file of a run folder: it must carry
// its checksum, and the checksum must hold. Every error names path, once, at
// its start ("PATH: problem"): callers pass it on as it is.
func LoadSafetensors(path string) (map[string]Array, map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, outfile.UnwrapPath(err))
	}
	defer f.Close()
	p, md, err := readSafetensors(f, true)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, md, nil
}

// ExportSafetensors writes the parameters of m from the Store under scope to
// a safetensors file (F32, TransformerLens names for the transformer).
func ExportSafetensors(path string, scope *gomlx.Scope, m Model, metadata map[string]string) error {
	params, err := GetParams(scope, m)
	if err != nil {
		return err
	}
	return SaveSafetensors(path, params, metadata)
}

// ImportSafetensors sets the parameters of m in the Store under scope from a
// safetensors file, which must hold every parameter of m with its shape.
func ImportSafetensors(path string, scope *gomlx.Scope, m Model) error {
	params, _, err := LoadSafetensors(path)
	if err != nil {
		return err
	}
	for _, s := range m.Params() {
		if _, ok := params[s.Name]; !ok {
			return fmt.Errorf("%s: no tensor %q for model %s", path, s.Name, m.Name())
		}
	}
	own := make(map[string]Array)
	for _, s := range m.Params() {
		own[s.Name] = params[s.Name]
	}
	if err := SetParams(scope, m, own); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
