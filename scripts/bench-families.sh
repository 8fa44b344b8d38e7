#!/usr/bin/env bash
# fit's Nanda step under each kernel family this CPU has (GROKKIT_KERNELS:
# avx512, avx2, nosimd), one after the other in one command, at p = 113
# (the paper's model, 3,830 rows) and at the quickstart's size (p = 31,
# d_model 64), with each family's time against the default's (avx2, the
# portable family: the same bytes on every x86-64 CPU). Each figure is the
# median of 3 timings of BenchmarkNandaStep.
# Usage: scripts/bench-families.sh TRAIN_TEST_BINARY TOOLS_BIN_DIR
set -euo pipefail
bin=$1
tools=$2
if [ -r /proc/cpuinfo ]; then
  cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
  flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -xE 'avx2|fma|avx512(f|cd|bw|dq|vl)' | sort | tr '\n' ' ')
  echo "CPU: ${cpu:-unknown}; the flags that decide the kernels: ${flags:-none}(avx512 needs avx512 f, cd, bw, dq and vl)"
fi
echo "fit --version (the default family): $(env -u GROKKIT_KERNELS "$tools/fit" --version)"

# ms FAMILY SUB N: the median of 3 timings of the sub-benchmark, or "" where
# the family is not available here.
ms() {
  GROKKIT_KERNELS=$1 "$bin" -test.run '^$' -test.bench "BenchmarkNandaStep/$2\$" -test.benchtime "$3x" -test.count 3 2>/dev/null |
    awk '{ for (i = 1; i <= NF; i++) if ($(i+1) == "ms/step") print $i }' | sort -n | sed -n 2p || true
}
for sub in p113/logits=float64 quickstart/p31; do
  echo "Nanda step, $sub:"
  base=$(ms avx2 "$sub" 10)
  for f in avx512 avx2 nosimd; do
    n=10
    [ "$f" = nosimd ] && n=3
    t=$([ "$f" = avx2 ] && echo "$base" || ms "$f" "$sub" "$n")
    if [ -z "$t" ]; then
      printf '  %-7s not available on this CPU\n' "$f"
    elif [ -n "$base" ]; then
      printf '  %-7s %8.1f ms/step  %.2f of avx2\n' "$f" "$t" "$(awk -v a="$t" -v b="$base" 'BEGIN { print a / b }')"
    else
      printf '  %-7s %8.1f ms/step\n' "$f" "$t"
    fi
  done
done
