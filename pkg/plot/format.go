package plot

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"html"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf16"

	"codeberg.org/go-pdf/fpdf"
	"github.com/grokkit/grokkit/pkg/plot/internal/vgpdf"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Format is a figure's file format: PNG (the default, 96 dpi), or SVG and
// PDF (vector, for papers). A figure's format follows its file's
// extension (FormatOf); tools that name their figures themselves take
// --figure-format and name them with Ext.
type Format string

// The formats, as --figure-format spells them.
const (
	PNG Format = "png"
	SVG Format = "svg"
	PDF Format = "pdf"
)

// Formats lists the formats, for a flag's choices.
var Formats = []string{string(PNG), string(SVG), string(PDF)}

// FormatOf is the format a figure written to path gets: SVG for .svg, PDF
// for .pdf (either case), PNG for anything else.
func FormatOf(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".svg":
		return SVG
	case ".pdf":
		return PDF
	}
	return PNG
}

// ParseFormat reads a --figure-format value ("" is PNG).
func ParseFormat(s string) (Format, error) {
	switch f := Format(strings.ToLower(s)); f {
	case "":
		return PNG, nil
	case PNG, SVG, PDF:
		return f, nil
	}
	return "", fmt.Errorf("unknown figure format %q (known: %s)", s, strings.Join(Formats, ", "))
}

// Ext is the extension of the format's files: ".png", ".svg", ".pdf".
func (f Format) Ext() string {
	if f == "" {
		return ".png"
	}
	return "." + string(f)
}

// Named gives a figure's file name (with or without a folder, e.g.
// "progress.png") the format's extension: Named("progress.png", SVG) is
// "progress.svg".
func Named(name string, f Format) string {
	return strings.TrimSuffix(name, filepath.Ext(name)) + f.Ext()
}

// CheckPath refuses a figure path whose extension names one format while
// --figure-format (given) asks for another: "--figure-format svg --png
// map.png" would otherwise write one or the other silently.
func CheckPath(path string, f Format) error {
	if f == "" || FormatOf(path) == f {
		return nil
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".png" || ext == ".svg" || ext == ".pdf" {
		return fmt.Errorf("%s: a %s figure, not %s (--figure-format %s): name it %s", path, strings.TrimPrefix(ext, "."), f, f, Named(path, f))
	}
	return fmt.Errorf("%s: the figure's format follows its extension: name it %s for --figure-format %s", path, Named(path, f), f)
}

// render draws a w × h figure with paint on the canvas of path's format
// and returns the file's bytes, with title as its metadata: a PNG tEXt (or
// iTXt) chunk "Title", an SVG <title> element, a PDF /Title entry. The
// same drawing gives the same bytes (PDF's dates are fixed).
func render(path string, w, h vg.Length, title string, paint func(draw.Canvas)) ([]byte, error) {
	var buf bytes.Buffer
	switch FormatOf(path) {
	case SVG:
		c := vgsvg.New(w, h) // fonts by name (svgFonts): a tenth of the size
		paint(draw.New(c))
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, err
		}
		return svgWithTitle(buf.Bytes(), title)
	case PDF:
		pdfDefaults.Do(func() {
			// Reproducible files: fixed dates (SOURCE_DATE_EPOCH's 0), resources in a fixed order.
			epoch := time.Unix(0, 0).UTC()
			fpdf.SetDefaultCreationDate(epoch)
			fpdf.SetDefaultModificationDate(epoch)
			fpdf.SetDefaultCatalogSort(true)
		})
		c := vgpdf.New(w, h)
		paint(draw.New(c))
		if _, err := c.WriteTo(&buf); err != nil {
			return nil, err
		}
		return pdfWithTitle(buf.Bytes(), title)
	}
	c := vgimg.New(w, h)
	paint(draw.New(c))
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return withTitle(buf.Bytes(), title)
}

var pdfDefaults sync.Once

// svgFonts: gonum names its Liberation fonts, which many machines lack;
// Liberation Serif has the metrics of Times New Roman, so a viewer without
// it keeps the layout with Times.
var svgFonts = [][2]string{
	{"font-family:Liberation Serif;", "font-family:'Liberation Serif','Times New Roman',Times,serif;"},
	{"font-family:Liberation Sans;", "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"},
	{"font-family:Liberation Mono;", "font-family:'Liberation Mono','Courier New',monospace;"},
}

// svgWithTitle puts a <title> element first in the <svg> element (its
// accessible name and the title viewers show) and gives the fonts their
// metric-compatible fallbacks.
func svgWithTitle(svg []byte, title string) ([]byte, error) {
	start := bytes.Index(svg, []byte("<svg"))
	end := -1
	if start >= 0 {
		end = bytes.IndexByte(svg[start:], '>')
	}
	if end < 0 {
		return nil, fmt.Errorf("plot: no <svg> element in the SVG")
	}
	at := start + end + 1
	var out bytes.Buffer
	out.Write(svg[:at])
	if title != "" {
		out.WriteString("\n<title>" + html.EscapeString(title) + "</title>")
	}
	out.Write(svg[at:])
	data := out.Bytes()
	for _, f := range svgFonts {
		data = bytes.ReplaceAll(data, []byte(f[0]), []byte(f[1]))
	}
	return data, nil
}

// pdfWithTitle adds a /Title entry (UTF-16BE, so any text) to the document
// information dictionary that gonum's PDF canvas writes without one, and
// moves the cross-reference table's offsets after it by as many bytes.
func pdfWithTitle(pdf []byte, title string) ([]byte, error) {
	if title == "" {
		return pdf, nil
	}
	at := bytes.Index(pdf, []byte("\n/CreationDate "))
	xref := bytes.LastIndex(pdf, []byte("\nxref\n"))
	if at < 0 || xref < at {
		return nil, fmt.Errorf("plot: the PDF has no information dictionary before its cross-reference table")
	}
	units := utf16.Encode([]rune(title))
	text := make([]byte, 2, 2+2*len(units))
	text[0], text[1] = 0xfe, 0xff // byte-order mark: UTF-16BE
	for _, u := range units {
		text = append(text, byte(u>>8), byte(u))
	}
	entry := []byte("\n/Title <" + strings.ToUpper(hex.EncodeToString(text)) + ">")
	shift := len(entry)
	out := make([]byte, 0, len(pdf)+shift)
	out = append(out, pdf[:at]...)
	out = append(out, entry...)
	out = append(out, pdf[at:xref]...)
	// xref, "0 N", then N fixed-width entries "oooooooooo ggggg n \n".
	rest := pdf[xref:]
	lines := bytes.SplitAfter(rest, []byte("\n"))
	if len(lines) < 4 {
		return nil, fmt.Errorf("plot: a PDF cross-reference table too short")
	}
	var b bytes.Buffer
	b.Write(lines[0]) // "\n"
	b.Write(lines[1]) // "xref\n"
	b.Write(lines[2]) // "0 N\n"
	var first, n int
	if _, err := fmt.Sscanf(string(lines[2]), "%d %d", &first, &n); err != nil || len(lines) < 3+n {
		return nil, fmt.Errorf("plot: a PDF cross-reference table without its size")
	}
	for _, l := range lines[3 : 3+n] {
		if len(l) == 20 && l[17] == 'n' {
			off, err := strconv.Atoi(string(l[:10]))
			if err != nil {
				return nil, fmt.Errorf("plot: a PDF cross-reference entry %q", l)
			}
			if off > at {
				off += shift
			}
			fmt.Fprintf(&b, "%010d%s", off, l[10:])
			continue
		}
		b.Write(l)
	}
	tail := lines[3+n:]
	for i := 0; i < len(tail); i++ {
		b.Write(tail[i])
		if bytes.Equal(tail[i], []byte("startxref\n")) && i+1 < len(tail) {
			off, err := strconv.Atoi(strings.TrimSpace(string(tail[i+1])))
			if err != nil {
				return nil, fmt.Errorf("plot: a PDF without its cross-reference table's offset")
			}
			fmt.Fprintf(&b, "%d\n", off+shift)
			i++
		}
	}
	return append(out, b.Bytes()...), nil
}

// FigureFlag is the --figure-format flag of the tools that name their
// figures themselves (fit's curves, fourier's, slurmgen's heat map), to
// embed in their flags; a tool given a figure's path takes the format from
// its extension instead.
type FigureFlag struct {
	FigureFormat string `name:"figure-format" default:"png" enum:"png,svg,pdf" help:"Format of the figures: png (96 dpi), svg or pdf (vector, for papers; the PDF embeds its fonts). The figure's title is its metadata in each."`
}

// Figures is the format the flag asks for.
func (f FigureFlag) Figures() Format {
	format, err := ParseFormat(f.FigureFormat)
	if err != nil {
		return PNG // kong's enum refuses anything else
	}
	return format
}
