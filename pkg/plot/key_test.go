package plot

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// A comparison names its runs once, in a key under the header, not beside
// every panel: each name is written once however many panels there are,
// and the figure is no wider than its panels.
func TestKeyNamesSeriesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k.svg")
	x := []float64{0, 10, 100}
	lines := []Series{{X: x, Y: []float64{0, 0.5, 1}, Color: 1}, {X: x, Y: []float64{0, 0.2, 0.4}, Color: 2}}
	key := []Series{{Label: "(a+b) mod 23", Color: 1}, {Label: "(a*b) mod 29", Color: 2}}
	pn := Panel{Title: "test accuracy", StepX: true, Share: true, Lines: lines}
	if err := PanelsWithKey(path, "adamw; runs differ in operation, p", key, pn, pn, pn); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range key {
		if n := len(regexp.MustCompile(">"+regexp.QuoteMeta(k.Label)+"</text>").FindAll(data, -1)); n != 1 {
			t.Errorf("%q written %d times, want once", k.Label, n)
		}
	}
	// Three panels: two columns of 6 inches (432 points each), no legend strips.
	if m := regexp.MustCompile(`<svg[^>]*width="([0-9.]+)pt"`).FindSubmatch(data); m == nil || string(m[1]) != "864" {
		t.Errorf("width %q, want 864pt: two 6-inch columns and nothing beside them", m)
	}
}
