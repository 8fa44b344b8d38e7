package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/grokkit/grokkit/pkg/kernels"
	"github.com/grokkit/grokkit/pkg/kernels/pin"
)

// Kernels is the --kernels flag of the tools that compute with a network;
// Run applies it (UseKernels) before the tool's body runs.
type Kernels struct {
	Kernels string `placeholder:"FAMILY" help:"Kernel family of the pure-Go backend: portable (the default: avx2 on every x86-64 CPU, so all of them give the same bytes), native (this CPU's fastest), avx512, avx2 or nosimd. The environment's GROKKIT_KERNELS does the same."`
}

func (k Kernels) kernelsSetting() string { return k.Kernels }

// restartedVar marks a process started again by UseKernels, which must not
// start itself again; it is taken out of the environment at once, so the
// processes it starts in turn may.
const restartedVar = "GROKKIT_KERNELS_RESTARTED"

var restarted = os.Getenv(restartedVar) != ""

func init() { os.Unsetenv(restartedVar) }

// UseKernels makes the process compute with the kernel family setting names
// ("" leaves it as the environment set it). GoMLX fixes its kernels when the
// process starts, so a family other than the one in use starts the tool
// again with GROKKIT_KERNELS set (env.Exec), from the top, with the same
// arguments; where the process cannot be replaced (a tool run in-process)
// it is an error saying what to set.
func (env Env) UseKernels(setting string) error {
	if setting == "" {
		return nil
	}
	want, err := kernels.Resolve(setting)
	if err != nil {
		return fmt.Errorf("--kernels: %w", err)
	}
	have, err := kernels.Active()
	if err == nil && have == want {
		return nil
	}
	if env.Exec == nil || restarted {
		return fmt.Errorf("--kernels %s: this process computes with %s kernels; start it with %s=%s", setting, have, kernels.EnvVar, want)
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--kernels %s: starting again with %s kernels: %w", setting, want, err)
	}
	var vars []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		// GoMLX's switches as this process's pin set them; the new process's
		// pin sets them from GROKKIT_KERNELS.
		if name != kernels.EnvVar && name != pin.AVX512Var && name != pin.AVX2Var {
			vars = append(vars, kv)
		}
	}
	vars = append(vars, kernels.EnvVar+"="+string(want), restartedVar+"=1")
	return env.Exec(exe, os.Args, vars)
}
