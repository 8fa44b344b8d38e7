package sweep

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// SlurmAnswers reports whether a Slurm controller answers here.
func SlurmAnswers() bool {
	if _, err := exec.LookPath("sbatch"); err != nil {
		return false
	}
	return exec.Command("sinfo", "-h").Run() == nil
}

// Submit sends the given tasks as one job array and returns the job id and
// the --array it gave, which overrides the script's and keeps its %K.
func (f *Folder) Submit(indices []int) (id, array string, err error) {
	if len(indices) == 0 {
		return "", "", nil
	}
	array = ArrayRange(indices)
	if k := f.Spec.Slurm.MaxConcurrent; k > 0 {
		array += "%" + strconv.Itoa(k)
	}
	cmd := exec.Command("sbatch", "--parsable", "--array="+array, filepath.Join(f.Dir, ScriptFile))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", "", fmt.Errorf("sbatch: %v: %s", err, strings.TrimSpace(string(out)))
	}
	id = strings.TrimSpace(strings.SplitN(string(out), ";", 2)[0])
	jf, err := os.OpenFile(filepath.Join(f.Dir, "jobs.txt"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		fmt.Fprintf(jf, "%s\t%s\n", id, array)
		jf.Close()
	}
	return id, array, nil
}

// ArrayRange writes sorted indices as Slurm's --array list: "0-3,5,7-9".
func ArrayRange(indices []int) string {
	var parts []string
	for i := 0; i < len(indices); {
		j := i
		for j+1 < len(indices) && indices[j+1] == indices[j]+1 {
			j++
		}
		if j == i {
			parts = append(parts, strconv.Itoa(indices[i]))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", indices[i], indices[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}
