package tasks

import (
	"bytes"
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// numpyHeader is the header numpy 1.24's np.save writes: magic, version
// 1.0, the header length, the dict and pad spaces, '\n'. The dicts and pad
// counts below were read off np.save's output.
func numpyHeader(hlen uint16, dict string, pad int) []byte {
	out := []byte("\x93NUMPY\x01\x00")
	out = binary.LittleEndian.AppendUint16(out, hlen)
	return append(out, dict+strings.Repeat(" ", pad)+"\n"...)
}

// The NPY header is numpy's own, byte for byte: one-dimensional int32 and
// uint8, a three-dimensional float32 activation, and a header already at a
// multiple of 64 before padding, which numpy pads by a whole 64 more.
func TestNPYHeaderIsNumpys(t *testing.T) {
	for _, c := range []struct {
		descr string
		shape []int
		want  []byte
	}{
		{"<i4", []int{3}, numpyHeader(0x76, "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", 60)},
		{"|u1", []int{9}, numpyHeader(0x76, "{'descr': '|u1', 'fortran_order': False, 'shape': (9,), }", 60)},
		{"<f4", []int{529, 3, 64}, numpyHeader(0x76, "{'descr': '<f4', 'fortran_order': False, 'shape': (529, 3, 64), }", 52)},
		{"<f4", []int{0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100},
			numpyHeader(0xb6, "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 100), }", 84)},
	} {
		got := npyHeader(c.descr, c.shape)
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s %v:\n got %q\nwant %q", c.descr, c.shape, got, c.want)
		}
		if len(got)%npyAlign != 0 {
			t.Errorf("%s %v: header of %d bytes, not a multiple of 64", c.descr, c.shape, len(got))
		}
	}
}

// writeNPY's body: the values little-endian after the header, read back
// by hand; and a float32 vector read back by readNPYVector.
func TestWriteNPYValues(t *testing.T) {
	var buf bytes.Buffer
	if err := writeNPY(&buf, []int{2, 2}, []int32{1, -2, 3, math.MaxInt32}); err != nil {
		t.Fatal(err)
	}
	body := buf.Bytes()[len(npyHeader("<i4", []int{2, 2})):]
	want := []byte{1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 3, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f}
	if !bytes.Equal(body, want) {
		t.Errorf("int32 body % x, want % x", body, want)
	}
	buf.Reset()
	in := []float32{0.5, -1.25, float32(math.Inf(1)), 3e-40} // a subnormal too
	if err := writeNPY(&buf, []int{4}, in); err != nil {
		t.Fatal(err)
	}
	got, err := readNPYVector(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range in {
		if got[i] != float64(v) {
			t.Errorf("value %d: %g, want %g", i, got[i], v)
		}
	}
	if err := writeNPY(&buf, []int{3}, []uint8{1, 2}); err == nil {
		t.Error("2 values for shape (3,): no error")
	}
}

// readNPYVector reads what numpy writes for a float64 vector (bytes from
// np.save(f, np.array([1.5, -2.25, np.inf]))), and the same data under a
// version 2.0 header; it refuses what is not a float vector, each with
// its reason.
func TestReadNPYVector(t *testing.T) {
	numpy := append(numpyHeader(0x76, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 60),
		0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 0, 0, 0, 0, 0, 0, 0x02, 0xc0, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f)
	got, err := readNPYVector(numpy)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 1.5 || got[1] != -2.25 || !math.IsInf(got[2], 1) {
		t.Errorf("got %v, want [1.5 -2.25 +Inf]", got)
	}
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }\n"
	v2 := append([]byte("\x93NUMPY\x02\x00"), binary.LittleEndian.AppendUint32(nil, uint32(len(dict)))...)
	v2 = append(append(v2, dict...), numpy[128:]...)
	if got, err := readNPYVector(v2); err != nil || len(got) != 3 || got[1] != -2.25 {
		t.Errorf("version 2.0: %v, %v", got, err)
	}

	header := func(dict string) []byte {
		return append(numpyHeader(uint16(len(dict)+1), dict, 0), make([]byte, 24)...)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"not npy", []byte("PAR1 not an array at all"), "not an NPY file"},
		{"two dimensions", header("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }"), "want one dimension"},
		{"integers", header("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"), "NPY dtype <i8"},
		{"big-endian", header("{'descr': '>f8', 'fortran_order': False, 'shape': (3,), }"), "NPY dtype >f8"},
		{"too short", header("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }"), "holds 24 bytes"},
		{"no shape", header("{'descr': '<f8', 'fortran_order': False}"), "lacks descr, fortran_order or shape"},
		{"cut header", numpy[:50], "header cut short"},
		{"version 9", append([]byte("\x93NUMPY\x09\x00"), numpy[8:]...), "format version 9.0"},
	} {
		_, err := readNPYVector(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}
