#!/usr/bin/env bash
# Issue 7's GPU figures in one run (make gpu-check), on a machine with an
# NVIDIA GPU, using the binaries already built in bin/:
#   1. Nanda et al.'s run alone: p = 113, 30%, STEPS full-batch steps,
#      evaluation every 100, on XLA's CUDA PJRT plugin;
#   2. PACK of those runs (seeds 1…PACK) packed into one fit;
#   3. PyTorch's same single run (scripts/gpu/nanda_torch.py) on the same GPU.
# Wall times go to OUT/summary.txt. STEPS=40000 PACK=64 are the issue's
# sizes; smaller values make a quick smoke test, and GPU_CHECK_BACKEND=
# (empty: pure Go) a dry run of the script on a machine without a GPU.
set -euo pipefail
out=${1:-out/gpu-check}
STEPS=${STEPS:-40000}
PACK=${PACK:-64}
bin=$(dirname "$0")/../bin
mkdir -p "$out"
summary=$out/summary.txt
: > "$summary"
note() { echo "$*" | tee -a "$summary"; }

if [ -n "${GPU_CHECK_BACKEND+set}" ]; then
  # A dry run of this script without a GPU: GPU_CHECK_BACKEND= (the pure-Go
  # default) or any GOMLX_BACKEND value; the PyTorch step then fails.
  export GOMLX_BACKEND=$GPU_CHECK_BACKEND
  note "dry run on backend '${GOMLX_BACKEND:-go (default)}'"
else
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | sed 's/^/gpu: /' | tee -a "$summary"
if ! plugin=$("$(dirname "$0")/cuda-plugin.sh" 2> "$out/plugin.env"); then
  cat "$out/plugin.env" >&2
  exit 1
fi
libs=$(sed -n 's/^LD_LIBRARY_PATH=//p' "$out/plugin.env")
if [ -n "$libs" ]; then export LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}; fi
export GOMLX_BACKEND=xla:$plugin
# go-xla may point XLA at its author's CUDA folder; name the pip one instead.
nvcc_dir=$(python3 -c 'import nvidia.cuda_nvcc as m; print(list(m.__path__)[0])' 2>/dev/null || true)
export XLA_FLAGS=${XLA_FLAGS:---xla_gpu_cuda_data_dir=${nvcc_dir:-/usr/local/cuda}}
note "backend: $GOMLX_BACKEND"
fi

"$bin/moddata" --p 113 --train-fraction 0.3 --equals -o "$out/data.parquet"
secs() { local ms=$((($(date +%s%N) - $1) / 1000000)); printf '%d.%03d' $((ms / 1000)) $((ms % 1000)); }
timed() { # name command...: wall seconds into the summary
  local name=$1; shift
  local t0; t0=$(date +%s%N)
  if "$@" > "$out/$name.log" 2>&1; then
    note "$name: $(secs "$t0") s"
  else
    note "$name: FAILED after $(secs "$t0") s (see $out/$name.log)"; tail -5 "$out/$name.log"
  fi
}
rm -rf "$out/single" "$out/pack"
timed "fit-single-${STEPS}-steps" "$bin/fit" "$out/data.parquet" -o "$out/single" --steps "$STEPS" --eval-every 100 --checkpoint-every 10000
outs=()
for k in $(seq 1 "$PACK"); do outs+=(-o "$out/pack/seed-$k"); done
timed "fit-packed-${PACK}-models-${STEPS}-steps" "$bin/fit" "$out/data.parquet" "${outs[@]}" --seed "$(seq -s, 1 "$PACK")" --steps "$STEPS" --eval-every 100 --checkpoint-every 10000
timed "pytorch-single-${STEPS}-steps" python3 "$(dirname "$0")/gpu/nanda_torch.py" --steps "$STEPS" --eval-every 100
grep -h 'accuracy ≥ 99%' "$out"/fit-single-*.log | sed 's/^/single: /' | tee -a "$summary" || true
tail -n 2 "$out"/pytorch-single-*.log | sed 's/^/pytorch: /' | tee -a "$summary" || true
