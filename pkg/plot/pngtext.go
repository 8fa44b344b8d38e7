package plot

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"html"
	"unicode/utf16"
)

// withTitle inserts a text chunk "Title" (PNG's predefined keyword) right
// after the IHDR chunk of a PNG: image/png writes no text chunks, and a
// figure should say what it shows to a reader that does not look at it.
// A Latin-1 title goes in a tEXt chunk (the PNG standard's encoding of
// tEXt); one with other runes ("‖w‖", "φ") in an iTXt chunk, UTF-8.
func withTitle(png []byte, title string) ([]byte, error) {
	const signature, ihdr = 8, 8 + 13 + 4 // the signature; IHDR's length, type, data and CRC
	if len(png) < signature+ihdr || string(png[12:16]) != "IHDR" {
		return nil, errors.New("plot: not a PNG with an IHDR chunk")
	}
	kind, text := "tEXt", []byte("Title\x00")
	latin1 := true
	for _, r := range title {
		latin1 = latin1 && r <= 0xff
	}
	if latin1 {
		for _, r := range title {
			text = append(text, byte(r))
		}
	} else {
		// Keyword, compression flag and method (none), language and
		// translated keyword (none), then the UTF-8 text.
		kind = "iTXt"
		text = append(append(text, 0, 0, 0, 0), title...)
	}
	var chunk bytes.Buffer
	binary.Write(&chunk, binary.BigEndian, uint32(len(text)))
	chunk.WriteString(kind)
	chunk.Write(text)
	crc := crc32.NewIEEE()
	crc.Write([]byte(kind))
	crc.Write(text)
	binary.Write(&chunk, binary.BigEndian, crc.Sum32())
	at := signature + ihdr
	out := append(append(append([]byte{}, png[:at]...), chunk.Bytes()...), png[at:]...)
	return out, nil
}

// Title reads the title of a figure this package wrote: a PNG's tEXt or
// iTXt chunk "Title", an SVG's <title> element or a PDF's /Title ("" if
// none).
func Title(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF")):
		return pdfTitle(data)
	case bytes.HasPrefix(data, []byte("<?xml")) || bytes.HasPrefix(data, []byte("<svg")):
		_, rest, ok := bytes.Cut(data, []byte("<title>"))
		if !ok {
			return ""
		}
		text, _, ok := bytes.Cut(rest, []byte("</title>"))
		if !ok {
			return ""
		}
		return html.UnescapeString(string(text))
	}
	for i := 8; i+12 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[i:]))
		if i+12+n > len(data) {
			return ""
		}
		body := data[i+8 : i+8+n]
		switch string(data[i+4 : i+8]) {
		case "tEXt":
			if k, v, ok := bytes.Cut(body, []byte{0}); ok && string(k) == "Title" {
				r := make([]rune, len(v)) // Latin-1
				for j, b := range v {
					r[j] = rune(b)
				}
				return string(r)
			}
		case "iTXt":
			// keyword\0, compression flag and method, language\0, translated keyword\0, text
			if k, v, ok := bytes.Cut(body, []byte{0}); ok && string(k) == "Title" && len(v) >= 2 && v[0] == 0 {
				if _, v, ok = bytes.Cut(v[2:], []byte{0}); ok {
					if _, v, ok = bytes.Cut(v, []byte{0}); ok {
						return string(v)
					}
				}
			}
		}
		i += 12 + n
	}
	return ""
}

// pdfTitle decodes the /Title <FEFF…> entry pdfWithTitle writes.
func pdfTitle(data []byte) string {
	_, rest, ok := bytes.Cut(data, []byte("/Title <"))
	if !ok {
		return ""
	}
	h, _, ok := bytes.Cut(rest, []byte(">"))
	if !ok {
		return ""
	}
	raw, err := hex.DecodeString(string(h))
	if err != nil || len(raw) < 2 || raw[0] != 0xfe || raw[1] != 0xff || len(raw)%2 != 0 {
		return ""
	}
	units := make([]uint16, 0, len(raw)/2-1)
	for i := 2; i < len(raw); i += 2 {
		units = append(units, uint16(raw[i])<<8|uint16(raw[i+1]))
	}
	return string(utf16.Decode(units))
}
