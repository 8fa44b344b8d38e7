#!/usr/bin/env bash
# Prints the path of a CUDA PJRT plugin for GOMLX_BACKEND=xla:PATH, and on
# stderr the LD_LIBRARY_PATH its NVIDIA libraries need. It looks for the
# plugin JAX ships (jax-cuda13-plugin, else jax-cuda12-plugin) in the
# python3 on PATH; PJRT_PLUGIN_LIBRARY_PATH wins when set.
# Usage: export GOMLX_BACKEND=xla:$(scripts/cuda-plugin.sh)
set -euo pipefail
if [ -n "${PJRT_PLUGIN_LIBRARY_PATH:-}" ]; then
  for f in "$PJRT_PLUGIN_LIBRARY_PATH"/*cuda*.so; do [ -f "$f" ] && { echo "$f"; exit 0; }; done
fi
python3 - <<'PY'
import glob, importlib, os, sys
for name in ("jax_plugins.xla_cuda13", "jax_plugins.xla_cuda12"):
    try:
        m = importlib.import_module(name)
    except ImportError:
        continue
    for d in m.__path__:
        for f in sorted(glob.glob(os.path.join(d, "*.so"))):
            if "plugin" in os.path.basename(f):
                site = os.path.dirname(os.path.dirname(d))
                libs = sorted(glob.glob(os.path.join(site, "nvidia", "*", "lib")))
                print("LD_LIBRARY_PATH=" + ":".join(libs), file=sys.stderr)
                print(f)
                sys.exit(0)
sys.exit("cuda-plugin: no CUDA PJRT plugin: python3 has neither jax_plugins.xla_cuda13 nor xla_cuda12 (pip install jax[cuda13]), and PJRT_PLUGIN_LIBRARY_PATH is unset")
PY
