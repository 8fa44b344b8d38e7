#!/usr/bin/env bash
# The local learning coefficient over grokking (devinterp's grokking example,
# Lau et al.'s estimator) with this toolkit: (a+b) mod 53 on 40% of the
# pairs, an MLP of devinterp's hidden size (48) trained by mini-batches of
# 128, then λ̂ by SGLD at every checkpoint with devinterp's final settings
# (ε 3e-3, γ 5, nβ 2, one chain of 500 draws on batches of 128).
# The network is Gromov's quadratic MLP in PyTorch's scale (--parameterization
# standard) with cross-entropy, not devinterp's GELU MLP on a 12-dimensional
# embedding: fit has no such model, and the claim is about the estimator.
# Usage: scripts/reproduce-llc.sh OUT_DIR   (STEPS, EVERY, DRAWS to change the size)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
STEPS=${STEPS:-25000}
EVERY=${EVERY:-250}
DRAWS=${DRAWS:-500}

mkdir -p "$out"
"$bin/moddata" --p 53 --train-fraction 0.4 --seed 0 -o "$out/data.parquet"
run=$out/run
if [ ! -f "$run/model.safetensors" ]; then
  rm -rf "$run"
  "$bin/fit" "$out/data.parquet" -o "$run" --model gromov --parameterization standard --width 48 \
    --optimizer adamw --lr 0.005 --weight-decay 1 --batch-size 128 --seed 0 \
    --steps "$STEPS" --eval-every "$EVERY" --checkpoint-every "$EVERY" 2> "$run.log" \
    || { cat "$run.log" >&2; exit 1; }
fi
"$bin/llc" "$run" --over-checkpoints --epsilon 3e-3 --gamma 5 --nbeta 2 --chains 1 --draws "$DRAWS" \
  --batch-size 128 --format table --plots "$out" -o "$out/llc.txt"   # -o x.parquet: the same rows as Parquet
# The claim: λ̂ rises while the network memorises and falls as it groks.
awk 'NR > 2 && $1 ~ /^[0-9]+$/ { if ($2 > peak) { peak = $2; at = $1 }; last = $2; lastStep = $1 }
     END { printf "λ̂ peaks at %.2f (step %d) and ends at %.2f (step %d)\n", peak, at, last, lastStep }' "$out/llc.txt" > "$out/summary.txt"
grep -h "accuracy ≥ 99%" "$run.log" >> "$out/summary.txt" || true
cat "$out/llc.txt" "$out/summary.txt"
echo "figure: $out/llc.png"
