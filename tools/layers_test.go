package tools_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// The README's Design table lists the packages in import order: each
// imports only packages above it (or on its own row), and every package is
// listed.
func TestPackagesImportOnlyUpwards(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, design, _ := strings.Cut(string(readme), "## Design")
	rank := map[string]int{}
	for i, row := range regexp.MustCompile("(?m)^\\| (`[a-z/]+`(?:, `[a-z/]+`)*) \\|").FindAllStringSubmatch(design, -1) {
		for _, name := range regexp.MustCompile("`([a-z/]+)`").FindAllStringSubmatch(row[1], -1) {
			rank[name[1]] = i
		}
	}
	const prefix = "github.com/grokkit/grokkit/pkg/"
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}:{{join .Imports \" \"}}", "../pkg/...").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		path, imports, _ := strings.Cut(line, ":")
		pkg := strings.TrimPrefix(path, prefix)
		r, ok := rank[pkg]
		if !ok {
			if pkg != "version" { // below everything: imports nothing
				t.Errorf("package %s is not in the README's Design table", pkg)
			}
			continue
		}
		for _, imp := range strings.Fields(imports) {
			dep, ok := strings.CutPrefix(imp, prefix)
			if !ok || dep == "version" {
				continue
			}
			if rank[dep] > r {
				t.Errorf("%s imports %s, which the README lists below it", pkg, dep)
			}
		}
	}
}
