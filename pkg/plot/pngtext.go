package plot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
)

// withTitle inserts a tEXt chunk "Title" (PNG's predefined keyword) right
// after the IHDR chunk of a PNG: image/png writes no text chunks, and a
// figure should say what it shows to a reader that does not look at it.
// The text is Latin-1 in the PNG standard; runes outside it become "?".
func withTitle(png []byte, title string) ([]byte, error) {
	const signature, ihdr = 8, 8 + 13 + 4 // the signature; IHDR's length, type, data and CRC
	if len(png) < signature+ihdr || string(png[12:16]) != "IHDR" {
		return nil, errors.New("plot: not a PNG with an IHDR chunk")
	}
	text := []byte("Title\x00")
	for _, r := range title {
		if r > 0xff {
			r = '?'
		}
		text = append(text, byte(r))
	}
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(text)))
	chunk.WriteString("tEXt")
	chunk.Write(text)
	crc := crc32.NewIEEE()
	crc.Write([]byte("tEXt"))
	crc.Write(text)
	binary.Write(&chunk, binary.BigEndian, crc.Sum32())
	at := signature + ihdr
	out := append(append(append([]byte{}, png[:at]...), chunk.Bytes()...), png[at:]...)
	return out, nil
}

// Title reads the tEXt "Title" chunk of a PNG ("" if none).
func Title(png []byte) string {
	for i := 8; i+12 <= len(png); {
		n := int(binary.BigEndian.Uint32(png[i:]))
		if i+12+n > len(png) {
			return ""
		}
		if string(png[i+4:i+8]) == "tEXt" {
			if k, v, ok := bytes.Cut(png[i+8:i+8+n], []byte{0}); ok && string(k) == "Title" {
				r := make([]rune, len(v)) // Latin-1
				for j, b := range v {
					r[j] = rune(b)
				}
				return string(r)
			}
		}
		i += 12 + n
	}
	return ""
}
