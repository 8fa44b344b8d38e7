#!/usr/bin/env bash
# Gromov 2023 ("Grokking modular arithmetic") with this toolkit: the
# quadratic MLP on (a+b) mod P, half the pairs for training.
#   1. accuracy against width N: the analytic solution (fourier
#      --analytic-widths) beside trained networks (fit, one per width);
#   2. the widest trained network over training: IPR (rises as it
#      generalises) and its phases against the analytic φ1 + φ2 = φ3;
#      its neurons' frequencies (the analytic solution draws them uniformly).
# Usage: scripts/reproduce-gromov.sh OUT_DIR   (P, WIDTHS, STEPS to change the size)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
P=${P:-47}
WIDTHS=${WIDTHS:-16 32 64 128 256 512}
ANALYTIC=${ANALYTIC:-8,16,32,64,128,256,512,1024}
STEPS=${STEPS:-2000}
FIT=${FIT:---model gromov --loss mse --lr 0.01 --weight-decay 0.3 --eval-every 50}

mkdir -p "$out"
"$bin/moddata" --p "$P" --train-fraction 0.5 -o "$out/data.parquet"
trained=()
for n in $WIDTHS; do
  run=$out/width-$n
  if [ ! -f "$run/model.safetensors" ]; then
    rm -rf "$run"
    # shellcheck disable=SC2086 # FIT is a word list
    "$bin/fit" "$out/data.parquet" -o "$run" --width "$n" --steps "$STEPS" --checkpoint-every $((STEPS / 20)) $FIT 2> "$run.log" \
      || { cat "$run.log" >&2; exit 1; }
  fi
  trained+=(--trained "$run")
done
"$bin/fourier" --analytic-widths "$ANALYTIC" --p "$P" "${trained[@]}" --format table --plots "$out" -o "$out/width.txt"
widest=$out/width-${WIDTHS##* }
"$bin/fourier" "$widest" --over-checkpoints --format table -o "$out/widest.txt"
cat "$out/width.txt" "$out/widest.txt"
echo "figures: $out/gromov-width.png $out/progress.png $widest/curves.png"
