package plot

import (
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// SVG and PDF figures, for papers: the SVG is well-formed XML, the PDF is
// read by an independent reader (poppler's pdftotext, where installed)
// with its text outside Latin-1 intact (‖w‖, ≥, −, φ: the PDF embeds a
// UTF-8 font), each carries its title, and the same figure gives the same
// bytes (no dates, no map order).
func TestVectorFormats(t *testing.T) {
	dir := t.TempDir()
	title := "‖w‖ ≥ 1 − φ"
	panel := Panel{Title: title, XLabel: "step", YLabel: "‖w‖", StepX: true,
		Lines: []Series{{Label: "test ≥ 99%", X: []float64{0, 10, 100}, Y: []float64{3, 2, 1}}}}
	for _, ext := range []string{".svg", ".pdf"} {
		var files [2][]byte
		for i := range files {
			path := filepath.Join(dir, "f"+string(rune('a'+i))+ext)
			if err := Panels(path, panel); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files[i] = data
			if got := Title(data); got != title {
				t.Errorf("%s: title %q, want %q", ext, got, title)
			}
		}
		if !bytes.Equal(files[0], files[1]) {
			t.Errorf("%s: two drawings of one figure differ", ext)
		}
		switch ext {
		case ".svg":
			d := xml.NewDecoder(bytes.NewReader(files[0]))
			for {
				if _, err := d.Token(); err == io.EOF {
					break
				} else if err != nil {
					t.Fatalf("SVG: %v", err)
				}
			}
			if !bytes.Contains(files[0], []byte(">"+title+"</text>")) {
				t.Error("SVG: the panel's title is not among its texts")
			}
		case ".pdf":
			pdftotext, err := exec.LookPath("pdftotext")
			if err != nil {
				t.Log("no pdftotext: the PDF's text is not checked by a second reader")
				continue
			}
			text, err := exec.Command(pdftotext, filepath.Join(dir, "fa.pdf"), "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			for _, want := range []string{title, "test ≥ 99%", "step"} {
				if !strings.Contains(string(text), want) {
					t.Errorf("pdftotext reads %q, without %q", text, want)
				}
			}
		}
	}
}

// --figure-format names and checks: the extension follows the format, and
// a path whose extension names another format is refused.
func TestFigureNames(t *testing.T) {
	if got := Named("out/progress.png", PDF); got != "out/progress.pdf" {
		t.Errorf("Named: %q", got)
	}
	if FormatOf("a.SVG") != SVG || FormatOf("a.pdf") != PDF || FormatOf("a.png") != PNG || FormatOf("a") != PNG {
		t.Error("FormatOf: wrong format for an extension")
	}
	if err := CheckPath("map.png", SVG); err == nil || !strings.Contains(err.Error(), "map.svg") {
		t.Errorf("CheckPath(map.png, svg): %v, want a refusal naming map.svg", err)
	}
	if err := CheckPath("map.svg", SVG); err != nil {
		t.Errorf("CheckPath(map.svg, svg): %v", err)
	}
	if _, err := ParseFormat("jpeg"); err == nil {
		t.Error("ParseFormat(jpeg): no error")
	}
}
