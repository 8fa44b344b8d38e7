#!/usr/bin/env bash
# Zhong et al. 2023 ("The clock and the pizza") with this toolkit: Nanda's
# one-layer transformer on (a+b) mod P at attention rates α (1: ordinary
# attention, 0: constant), several seeds each (packed), then fourier's two
# measures of each final network: gradient symmetricity (pizza ≈ 0.99, clock
# ≈ 0.33) and distance irrelevance (pizza ≈ 0.17, clock ≈ 0.85).
# Usage: scripts/reproduce-pizza.sh OUT_DIR   (P, FRACTION, RATES, SEEDS, STEPS, FIT to change it)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
P=${P:-31}
FRACTION=${FRACTION:-0.8}
RATES=${RATES:-0 0.5 1}
SEEDS=${SEEDS:-1 2 3}
STEPS=${STEPS:-3000}
FIT=${FIT:---d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --lr 3e-3 --weight-decay 1 --eval-every 50 --checkpoint-every 500}

mkdir -p "$out"
"$bin/moddata" --p "$P" --train-fraction "$FRACTION" --equals -o "$out/data.parquet"
summary=$out/pizza.txt
printf '%-6s %-5s %-10s %-9s %-22s %-20s\n' rate seed grok_step test_acc gradient_symmetricity distance_irrelevance > "$summary"
for rate in $RATES; do
  outs=() seeds=()
  for s in $SEEDS; do outs+=(-o "$out/rate-$rate-seed-$s"); seeds+=(--seed "$s"); done
  if [ ! -f "$out/rate-$rate-seed-${SEEDS##* }/model.safetensors" ]; then
    for s in $SEEDS; do rm -rf "$out/rate-$rate-seed-$s"; done
    # shellcheck disable=SC2086 # FIT is a word list
    "$bin/fit" "$out/data.parquet" "${outs[@]}" "${seeds[@]}" --attention-rate "$rate" --steps "$STEPS" $FIT 2> "$out/rate-$rate.log" \
      || { cat "$out/rate-$rate.log" >&2; exit 1; }
  fi
  for s in $SEEDS; do
    run=$out/rate-$rate-seed-$s
    "$bin/fourier" "$run" --format table -o "$run/fourier.txt" 2>/dev/null
    # The last line of the step table holds the final network's measures.
    # (The step table is the first; the HTSR tables after it have other columns.)
    read -r step sym dist < <(awk '/^ +step /{for (i = 1; i <= NF; i++) col[$i] = i; next}
      col["step"] && $1 !~ /^[0-9]+$/ {exit}
      col["step"] {line = $1 " " $col["gradient_symmetricity"] " " $col["distance_irrelevance"]} END {print line}' "$run/fourier.txt")
    # fit's closing line for this run: "fit: RUN: step N: … | test LOSS ACC%; accuracy ≥ 99%: train …, test at step M"
    line=$(grep -F "fit: $run: step " "$out/rate-$rate.log" | tail -1)
    grok=$(grep -o 'test at step [0-9]*' <<< "$line" | grep -o '[0-9]*$' || true)
    acc=$(grep -o '| test [^%]*%' <<< "$line" | grep -o '[0-9.]*%$' || true)
    printf '%-6s %-5s %-10s %-9s %-22s %-20s\n' "$rate" "$s" "${grok:-never}" "${acc:-?}" "$sym" "$dist" >> "$summary"
  done
done
cat "$summary"
