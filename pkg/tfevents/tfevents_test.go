package tfevents

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// crc32cBitwise is CRC-32C bit by bit from its definition (reflected
// polynomial 0x82F63B78), independent of hash/crc32's tables.
func crc32cBitwise(b []byte) uint32 {
	c := ^uint32(0)
	for _, x := range b {
		c ^= uint32(x)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0x82F63B78
			} else {
				c >>= 1
			}
		}
	}
	return ^c
}

func TestMaskedCRC(t *testing.T) {
	if c := crc32.Checksum([]byte("123456789"), castagnoli); c != 0xE3069283 {
		t.Fatalf("CRC-32C check value %#x, want 0xE3069283", c)
	}
	for _, c := range []struct {
		data []byte
		want uint32
	}{
		// The CRC of nothing is 0; rotated, still 0; masked, the constant.
		{nil, 0xa282ead8},
		// The check value 0xE3069283 rotated right by 15 is 0x2507C60D;
		// plus 0xa282ead8, 0xC78AB0E5.
		{[]byte("123456789"), 0xC78AB0E5},
		// iSCSI's test vector (RFC 3720 B.4): 32 zero bytes have CRC-32C
		// 0x8A9136AA, rotated 0x6D551522, masked 0x0FD7FFFA.
		{make([]byte, 32), 0x0FD7FFFA},
	} {
		if got := MaskedCRC(c.data); got != c.want {
			t.Errorf("MaskedCRC(%q) = %#x, want %#x", c.data, got, c.want)
		}
	}
	for _, b := range [][]byte{nil, []byte("123456789"), make([]byte, 8), []byte("brain.Event:2")} {
		c := crc32cBitwise(b)
		if want := (c>>15 | c<<17) + 0xa282ead8; MaskedCRC(b) != want {
			t.Errorf("MaskedCRC(%q) = %#x, the bitwise CRC gives %#x", b, MaskedCRC(b), want)
		}
	}
}

// An empty Event has no fields, so its record is the length 0, that
// length's masked CRC, no data and the masked CRC of nothing.
func TestEmptyEventRecord(t *testing.T) {
	if data := (Event{}).Marshal(); len(data) != 0 {
		t.Fatalf("empty event = %x, want no bytes", data)
	}
	want := make([]byte, 8)
	want = binary.LittleEndian.AppendUint32(want, 0x07980329) // 8 zero bytes: CRC-32C 0x8C28B28A, rotated 0x65151851
	want = binary.LittleEndian.AppendUint32(want, 0xa282ead8)
	if got := AppendRecord(nil, Event{}.Marshal()); !bytes.Equal(got, want) {
		t.Fatalf("record %x, want %x", got, want)
	}
}

// The wire bytes, written out by hand from event.proto and summary.proto.
func TestEventBytes(t *testing.T) {
	version := append([]byte{0x1a, 13}, "brain.Event:2"...) // field 3, length-delimited
	if got := (Event{FileVersion: FileVersion}).Marshal(); !bytes.Equal(got, version) {
		t.Errorf("file version event %x, want %x", got, version)
	}
	value := func(tag string, v float32) []byte {
		b := append([]byte{0x0a, byte(len(tag))}, tag...) // tag: field 1
		b = append(b, 0x15)                               // simple_value: field 2, fixed32
		return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	v1, v2 := value("train/lr", 0.5), value("test/accuracy", 0) // a zero oneof member is still written
	summary := append(append([]byte{0x0a, byte(len(v1))}, v1...), append([]byte{0x0a, byte(len(v2))}, v2...)...)
	want := append([]byte{0x09}, binary.LittleEndian.AppendUint64(nil, math.Float64bits(300))...) // wall_time: field 1, fixed64
	want = append(want, 0x10, 0xac, 0x02)                                                         // step 300: field 2, varint
	want = append(want, 0x2a, byte(len(summary)))                                                 // summary: field 5
	want = append(want, summary...)
	e := Event{WallTime: 300, Step: 300, Scalars: []Scalar{{"train/lr", 0.5}, {"test/accuracy", 0}}}
	if got := e.Marshal(); !bytes.Equal(got, want) {
		t.Errorf("scalar event\n%x, want\n%x", got, want)
	}
}

// readEvents is a small reader: it checks each record's framing and CRCs
// and decodes the events; a record cut short at the end is an error.
func readEvents(b []byte) ([]Event, error) {
	var out []Event
	for len(b) > 0 {
		if len(b) < 12 {
			return out, errors.New("torn record header")
		}
		n := binary.LittleEndian.Uint64(b)
		if binary.LittleEndian.Uint32(b[8:]) != MaskedCRC(b[:8]) {
			return out, errors.New("bad length CRC")
		}
		if uint64(len(b)-12) < n+4 {
			return out, errors.New("torn record")
		}
		data := b[12 : 12+n]
		if binary.LittleEndian.Uint32(b[12+n:]) != MaskedCRC(data) {
			return out, errors.New("bad data CRC")
		}
		e, err := decodeEvent(data)
		if err != nil {
			return out, err
		}
		out, b = append(out, e), b[16+n:]
	}
	return out, nil
}

func decodeEvent(b []byte) (Event, error) {
	var e Event
	err := fields(b, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
		switch {
		case num == 1 && typ == protowire.Fixed64Type:
			e.WallTime = math.Float64frombits(x)
		case num == 2 && typ == protowire.VarintType:
			e.Step = int64(x)
		case num == 3 && typ == protowire.BytesType:
			e.FileVersion = string(v)
		case num == 5 && typ == protowire.BytesType:
			e.Scalars = []Scalar{}
			return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
				if num != 1 || typ != protowire.BytesType {
					return fmt.Errorf("summary field %d", num)
				}
				var s Scalar
				err := fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error {
					switch {
					case num == 1 && typ == protowire.BytesType:
						s.Tag = string(v)
					case num == 2 && typ == protowire.Fixed32Type:
						s.Value = math.Float32frombits(uint32(x))
					default:
						return fmt.Errorf("value field %d", num)
					}
					return nil
				})
				e.Scalars = append(e.Scalars, s)
				return err
			})
		default:
			return fmt.Errorf("event field %d type %d", num, typ)
		}
		return nil
	})
	return e, err
}

// fields walks a message's fields: v for length-delimited ones, x for the
// others.
func fields(b []byte, f func(protowire.Number, protowire.Type, []byte, uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed32Type:
			var y uint32
			y, n = protowire.ConsumeFixed32(b)
			x = uint64(y)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(b)
		default:
			return fmt.Errorf("wire type %d", typ)
		}
		if n < 0 {
			return protowire.ParseError(n)
		}
		if err := f(num, typ, v, x); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

func TestWriteAppendRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.out.tfevents.0.test")
	first := []Event{{Step: 0, Scalars: []Scalar{{"train/accuracy", 0.25}, {"train/lr", 0}}}}
	if err := WriteFile(path, first); err != nil {
		t.Fatal(err)
	}
	more := Event{WallTime: 10, Step: 10, Scalars: []Scalar{{"train/accuracy", 1}, {"all/weight_norm", float32(math.Inf(1))}, {"train/lr", 1e-3}}}
	if err := Append(path, more); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	got, err := readEvents(b)
	if err != nil {
		t.Fatal(err)
	}
	want := append([]Event{{FileVersion: FileVersion}}, append(first, more)...)
	if !slices.EqualFunc(got, want, func(a, b Event) bool {
		return a.WallTime == b.WallTime && a.Step == b.Step && a.FileVersion == b.FileVersion && slices.Equal(a.Scalars, b.Scalars)
	}) {
		t.Fatalf("read back %+v, want %+v", got, want)
	}

	// A crash inside an append leaves the last record torn; WriteFile
	// starts the file again whole.
	if err := os.WriteFile(path, b[:len(b)-3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := readEvents(b[:len(b)-3]); err == nil {
		t.Fatal("a torn record read without error")
	}
	if err := WriteFile(path, first); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, AppendRecord(nil, Event{FileVersion: FileVersion}.Marshal())) {
		t.Fatal("the rewritten file does not start with the file version")
	} else if evs, err := readEvents(b); err != nil || len(evs) != 2 {
		t.Fatalf("rewritten file: %d events, %v", len(evs), err)
	}
}

// Append never creates a file: one without its file-version record is not
// an event file.
func TestAppendNeedsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "none")
	err := Append(path, Event{Step: 1})
	if err == nil || !strings.HasPrefix(err.Error(), path+": ") || strings.Count(err.Error(), path) != 1 {
		t.Fatalf("err = %v, want one line naming %s once", err, path)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("Append created the file")
	}
}

// Reset keeps a file that begins with the events (the same inode, so a
// reader holding it open reads on), cutting what follows, and replaces
// any other.
func TestReset(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.out.tfevents.0.test")
	kept := []Event{{Step: 0, Scalars: []Scalar{{"train/accuracy", 0.25}}}}
	if err := Reset(path, kept); err != nil { // no file yet
		t.Fatal(err)
	}
	want, _ := os.ReadFile(path)
	before, _ := os.Stat(path)
	for _, later := range [][]byte{nil, AppendRecord(nil, Event{Step: 10}.Marshal()), {40, 0, 0}} {
		if err := os.WriteFile(path, append(slices.Clip(want), later...), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := Reset(path, kept); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		after, _ := os.Stat(path)
		if !bytes.Equal(got, want) || !os.SameFile(before, after) {
			t.Fatalf("after %x: %x (same file %v), want %x in place", later, got, os.SameFile(before, after), want)
		}
	}
	// Another run's file, or a damaged one: replaced whole.
	flipped := slices.Clone(want)
	flipped[len(want)/2] ^= 1
	for _, other := range [][]byte{{}, want[:len(want)-1], append(flipped, 'x')} {
		os.WriteFile(path, other, 0o644)
		if err := Reset(path, kept); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
			t.Fatalf("from %x: %x, want %x", other, got, want)
		}
	}
}
