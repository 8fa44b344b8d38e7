package tools_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Tables are the same bytes on arm64 as on x86-64: moddata and mutate built
// for arm64 and run under qemu-aarch64 (Debian's qemu-user; .ci/run installs
// it) write byte for byte what the same commands write here. Parquet's
// encoders differ by architecture in parquet-go's assembly and in Snappy's,
// so the tools write gzip pages with parquet-go's Go encoders (-tags purego,
// which the Makefile sets and this test uses for both builds).
func TestTablesSameOnArm64(t *testing.T) {
	t.Parallel() // trains or builds: overlaps the other slow tests on the second core
	qemu, err := exec.LookPath("qemu-aarch64")
	switch {
	case runtime.GOARCH != "amd64":
		t.Skip("compares an x86-64 build with an arm64 one")
	case err != nil && os.Getenv("REQUIRE_QEMU") != "":
		t.Fatal("REQUIRE_QEMU is set but qemu-aarch64 is not on PATH (apt-get install qemu-user)")
	case err != nil:
		t.Skip("qemu-aarch64 is not installed (apt-get install qemu-user)")
	}
	bins := map[string]string{"amd64": t.TempDir(), "arm64": t.TempDir()}
	for arch, dir := range bins {
		build := exec.Command("go", "build", "-tags", "purego", "-o", dir+string(os.PathSeparator), "./moddata", "./mutate")
		build.Env = append(os.Environ(), "GOARCH="+arch, "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building for %s: %v\n%s", arch, err, out)
		}
	}
	steps := [][]string{
		{"moddata", "--p", "97", "--train-fraction", "0.3", "--equals", "-o", "t.parquet"},
		{"mutate", "rule", "--when", "a % 7 == 3", "--then", "b", "t.parquet", "-o", "r.parquet"},
		{"mutate", "random-uniform", "--fraction", "0.05", "r.parquet", "-o", "n.parquet"},
	}
	outs := map[string]string{}
	for arch, bin := range bins {
		work := t.TempDir()
		outs[arch] = work
		for _, s := range steps {
			cmd := exec.Command(filepath.Join(bin, s[0]), s[1:]...)
			if arch == "arm64" {
				cmd = exec.Command(qemu, append([]string{filepath.Join(bin, s[0])}, s[1:]...)...)
			}
			cmd.Dir = work
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s on %s: %v\n%s", s[0], arch, err, out)
			}
		}
	}
	for _, f := range []string{"t.parquet", "r.parquet", "n.parquet"} {
		x, _ := os.ReadFile(filepath.Join(outs["amd64"], f))
		a, _ := os.ReadFile(filepath.Join(outs["arm64"], f))
		if len(x) == 0 || !bytes.Equal(x, a) {
			t.Errorf("%s: %d bytes on amd64, %d on arm64, not the same bytes", f, len(x), len(a))
		}
	}
}
