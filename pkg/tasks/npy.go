package tasks

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// NPY files, format version 1.0 (numpy.lib.format), written here so that a
// task needs numpy alone: the magic "\x93NUMPY", the version, a 2-byte
// little-endian header length, a Python dict literal padded with spaces
// and ended by '\n' so that the data starts at a multiple of 64, then the
// values, little-endian, in C order. The header is numpy's own, byte for
// byte (numpy 1.24 writes the same bytes for the same array).

// npyAlign is numpy's ARRAY_ALIGN; npyGrowth its GROWTH_AXIS_MAX_DIGITS
// (spare header room for the first axis to grow in place).
const (
	npyAlign  = 64
	npyGrowth = 21
)

var npyMagic = []byte("\x93NUMPY")

// npyHeader is the header of an array of dtype descr ('<f4', '<i4', '|u1')
// and shape.
func npyHeader(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	tuple := "(" + strings.Join(dims, ", ") + ")" // Python's repr of a tuple
	if len(shape) == 1 {
		tuple = "(" + dims[0] + ",)"
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, tuple)
	if len(shape) > 0 {
		dict += strings.Repeat(" ", max(npyGrowth-len(dims[0]), 0))
	}
	pad := npyAlign - (len(npyMagic)+2+2+len(dict)+1)%npyAlign // numpy's: a whole 64 when already aligned
	dict += strings.Repeat(" ", pad) + "\n"
	out := append([]byte(nil), npyMagic...)
	out = append(out, 1, 0)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(dict)))
	return append(out, dict...)
}

// writeNPY writes a float32, int32 or uint8 array of the given shape
// (len(data) = the product of shape).
func writeNPY[T float32 | int32 | uint8](w io.Writer, shape []int, data []T) error {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("npy: %d values for shape %v", len(data), shape)
	}
	var descr string
	var size int
	switch any(data).(type) {
	case []float32:
		descr, size = "<f4", 4
	case []int32:
		descr, size = "<i4", 4
	case []uint8:
		descr, size = "|u1", 1
	}
	buf := npyHeader(descr, shape)
	buf = append(make([]byte, 0, len(buf)+size*n), buf...)
	for _, v := range data {
		switch x := any(v).(type) {
		case float32:
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(x))
		case int32:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(x))
		case uint8:
			buf = append(buf, x)
		}
	}
	_, err := w.Write(buf)
	return err
}

var (
	npyDescr   = regexp.MustCompile(`'descr':\s*'([^']*)'`)
	npyFortran = regexp.MustCompile(`'fortran_order':\s*(True|False)`)
	npyShape   = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
)

// readNPYVector reads a one-dimensional float array (dtype '<f4' or '<f8',
// any format version) as float64: a detector's scores.
func readNPYVector(data []byte) ([]float64, error) {
	if len(data) < 10 || string(data[:6]) != string(npyMagic) {
		return nil, fmt.Errorf("not an NPY file (no \\x93NUMPY magic)")
	}
	var hlen, start int
	switch data[6] {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(data[8:10])), 10
	case 2, 3:
		if len(data) < 12 {
			return nil, fmt.Errorf("NPY header cut short")
		}
		hlen, start = int(binary.LittleEndian.Uint32(data[8:12])), 12
	default:
		return nil, fmt.Errorf("NPY format version %d.%d, want 1.0, 2.0 or 3.0", data[6], data[7])
	}
	if start+hlen > len(data) {
		return nil, fmt.Errorf("NPY header cut short")
	}
	header := string(data[start : start+hlen])
	body := data[start+hlen:]
	d, f, s := npyDescr.FindStringSubmatch(header), npyFortran.FindStringSubmatch(header), npyShape.FindStringSubmatch(header)
	if d == nil || f == nil || s == nil {
		return nil, fmt.Errorf("NPY header %q lacks descr, fortran_order or shape", strings.TrimSpace(header))
	}
	var dims []int
	for _, x := range strings.Split(s[1], ",") {
		if x = strings.TrimSpace(x); x != "" {
			n, err := strconv.Atoi(x)
			if err != nil {
				return nil, fmt.Errorf("NPY shape (%s) is not a tuple of integers", s[1])
			}
			dims = append(dims, n)
		}
	}
	if len(dims) != 1 {
		return nil, fmt.Errorf("NPY shape (%s): want one dimension, a score per input", s[1])
	}
	n := dims[0]
	var size int
	switch d[1] {
	case "<f4":
		size = 4
	case "<f8":
		size = 8
	default:
		return nil, fmt.Errorf("NPY dtype %s: want little-endian float32 or float64 ('<f4', '<f8')", d[1])
	}
	if len(body) != n*size {
		return nil, fmt.Errorf("NPY data holds %d bytes, its shape (%d,) of %s needs %d", len(body), n, d[1], n*size)
	}
	out := make([]float64, n)
	for i := range out {
		if size == 4 {
			out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(body[4*i:])))
		} else {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(body[8*i:]))
		}
	}
	return out, nil
}
