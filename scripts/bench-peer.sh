#!/usr/bin/env bash
# fit's training steps against their PyTorch peers on this machine, one
# after the other in one command (scripts/bench/peer.py, written to be fast:
# the "=" position only and fused QKV for the transformer, gathered columns
# for the MLP; torch's 2 threads):
#   Nanda et al.'s step, p = 113, 30% (3,830 rows), the paper's model, AdamW,
#     float64 logits (BenchmarkNandaStep/p113/logits=float64; issue 18's
#     target: fit ≤ 0.5 of PyTorch);
#   Gromov's MLP step, p = 97, N = 500, 4,704 rows, MSE (BenchmarkGromovStep);
#   K Nanda models packed into one computation, per model (K = 1, 4, 16).
# Each fit figure is the median of 3 timings, with the benchmark process's
# peak RSS, under each kernel family the CPU has (the default avx2 first);
# the Nanda step also at the quickstart's model size at p = 47 and 23.
# Usage: scripts/bench-peer.sh TRAIN_TEST_BINARY   (PYTHON for the peer's interpreter)
set -euo pipefail
bin=$1
peer=$(dirname "$0")/bench/peer.py
py=${PYTHON:-}
if [ -z "$py" ]; then
  for c in python3 /usr/bin/python3; do
    if "$c" -c 'import torch' 2>/dev/null; then py=$c; break; fi
  done
fi
[ -n "$py" ] || { echo "bench-peer: no python3 with torch (apt-get install python3-torch libopenblas0-pthread)" >&2; exit 1; }
rss=$(mktemp)
trap 'rm -f "$rss"' EXIT

# The kernel families this CPU has, the default (portable) first; fit is
# timed under each, PyTorch once per size.
families=avx2
if grep -qw avx512f /proc/cpuinfo 2>/dev/null && grep -qw avx512bw /proc/cpuinfo && grep -qw avx512dq /proc/cpuinfo && grep -qw avx512vl /proc/cpuinfo; then
  families="avx2 avx512"
fi
if [ -r /proc/cpuinfo ]; then
  echo "CPU: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); the flags that decide the kernels: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|fma|avx512(f|cd|bw|dq|vl)' | sort | tr '\n' ' ')"
fi
echo "fit is timed with each kernel family here: $families (GROKKIT_KERNELS; avx2, the portable one, is the default)"

# fit_ms FAMILY BENCH_REGEX UNIT N: the median over 3 runs of the benchmark's UNIT metric; peak RSS in $rss.
fit_ms() {
  GROKKIT_KERNELS=$1 /usr/bin/time -f '%M' -o "$rss" "$bin" -test.run '^$' -test.bench "$2" -test.benchtime "$4x" -test.count 3 |
    awk -v unit="$3" '{ for (i = 1; i <= NF; i++) if ($(i+1) == unit) print $i }' | sort -n | sed -n 2p
}
# peer_env FAMILY: the environment that keeps PyTorch to that family's
# instructions: ATen's kernels (ATEN_CPU_CAPABILITY) and OpenBLAS's
# (OPENBLAS_CORETYPE, Debian's OpenBLAS being built for every core type), so
# that on an AVX-512 machine the avx2 rows compare like with like, as on a
# machine without AVX-512; avx512: PyTorch's own choice.
peer_env() {
  if [ "$1" = avx2 ]; then
    echo ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell
  fi
}
compare() { # NAME BENCH_REGEX PEER_ARGS…
  local name=$1 bench=$2 fit rss_mb out peer_ms peer_rss
  shift 2
  printf '%s\n' "$name"
  for f in $families; do
    # shellcheck disable=SC2046 # peer_env is a word list of VAR=value
    out=$(env $(peer_env "$f") "$py" "$peer" "$@")
    peer_ms=$(awk '$1 == "ms_per_step" { print $2 }' <<< "$out")
    peer_rss=$(awk '$1 == "peak_rss_mb" { print $2 }' <<< "$out")
    printf '  PyTorch %-6s %6.1f ms/step  peak RSS %s MB  (%s; %s)\n' "$f" "$peer_ms" "$peer_rss" "$(head -1 <<< "$out")" "$(peer_env "$f" | sed 's/^$/its own kernels/')"
    fit=$(fit_ms "$f" "$bench" ms/step 20)
    rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' "$rss")
    printf '  fit     %-6s %6.1f ms/step  peak RSS %s MB  fit / PyTorch = %.2f\n' "$f" "$fit" "$rss_mb" "$(awk -v f="$fit" -v p="$peer_ms" 'BEGIN { print f / p }')"
  done
}
qs=(--d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --frac 0.5)
compare "Nanda step, p = 113, 3,830 rows, the paper's model, float64 logits:" 'BenchmarkNandaStep/p113/logits=float64$' nanda
compare "Nanda step, the quickstart's model at p = 47, 50% (1,104 rows):" 'BenchmarkNandaStep/qs-p47$' nanda --p 47 "${qs[@]}"
compare "Nanda step, the quickstart's model at p = 23, 50% (264 rows):" 'BenchmarkNandaStep/qs-p23$' nanda --p 23 "${qs[@]}"
compare "Gromov MLP step, p = 97, N = 500, 4,704 rows, MSE:" 'BenchmarkGromovStep$' gromov

echo "K Nanda models packed, time per step per model (against K = 1; default kernels):"
k1=""
for K in 1 4 16; do
  ms=$(fit_ms avx2 "BenchmarkPackedNandaStep/K=$K\$" ms/step/model 3)
  k1=${k1:-$ms}
  printf '  K = %-2s %7.1f ms/step/model  %.2f of K = 1  peak RSS %s MB\n' "$K" "$ms" "$(awk -v a="$ms" -v b="$k1" 'BEGIN { print a / b }')" "$(awk '{ printf "%.0f", $1 / 1024 }' "$rss")"
done
