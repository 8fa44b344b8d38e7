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
# peak RSS.
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

# fit_ms BENCH_REGEX UNIT N: the median over 3 runs of the benchmark's UNIT metric; peak RSS in $rss.
fit_ms() {
  /usr/bin/time -f '%M' -o "$rss" "$bin" -test.run '^$' -test.bench "$1" -test.benchtime "$3x" -test.count 3 |
    awk -v unit="$2" '{ for (i = 1; i <= NF; i++) if ($(i+1) == unit) print $i }' | sort -n | sed -n 2p
}
compare() { # NAME BENCH_REGEX PEER_MODEL
  local fit rss_mb out peer_ms peer_rss
  fit=$(fit_ms "$2" ms/step 20)
  rss_mb=$(awk '{ printf "%.0f", $1 / 1024 }' "$rss")
  out=$("$py" "$peer" "$3")
  peer_ms=$(awk '$1 == "ms_per_step" { print $2 }' <<< "$out")
  peer_rss=$(awk '$1 == "peak_rss_mb" { print $2 }' <<< "$out")
  printf '%s\n' "$1"
  printf '  fit      %7.1f ms/step  peak RSS %s MB\n' "$fit" "$rss_mb"
  printf '  PyTorch  %7.1f ms/step  peak RSS %s MB  (%s)\n' "$peer_ms" "$peer_rss" "$(head -1 <<< "$out")"
  awk -v f="$fit" -v p="$peer_ms" 'BEGIN { printf "  fit / PyTorch = %.2f\n", f / p }'
}
compare "Nanda step, p = 113, 3,830 rows, float64 logits:" 'BenchmarkNandaStep/p113/logits=float64$' nanda
compare "Gromov MLP step, p = 97, N = 500, 4,704 rows, MSE:" 'BenchmarkGromovStep$' gromov

echo "K Nanda models packed, time per step per model (against K = 1):"
k1=""
for K in 1 4 16; do
  ms=$(fit_ms "BenchmarkPackedNandaStep/K=$K\$" ms/step/model 3)
  k1=${k1:-$ms}
  printf '  K = %-2s %7.1f ms/step/model  %.2f of K = 1  peak RSS %s MB\n' "$K" "$ms" "$(awk -v a="$ms" -v b="$k1" 'BEGIN { print a / b }')" "$(awk '{ printf "%.0f", $1 / 1024 }' "$rss")"
done
