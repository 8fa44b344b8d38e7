#!/usr/bin/env bash
# The main job (make quickstart): the table of (a+b) mod 31, half of it for
# training, and a small Nanda transformer trained on it until its test
# accuracy has stayed ≥ 99% for 5 evaluations; then fourier over its
# checkpoints. The README's quickstart figures come from this recipe (make
# docs; tools/readme_test.go checks them).
# Usage: scripts/quickstart.sh OUT_DIR   (FIT to change the training)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
FIT=${FIT:---d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --lr 3e-3 --weight-decay 1 --steps 3000 --eval-every 10 --checkpoint-every 100 --stop-at-test-acc 0.99 --patience 5}

mkdir -p "$out"
rm -rf "${out:?}/run"
"$bin/moddata" --p 31 --train-fraction 0.5 --equals -o "$out/data.parquet"
# shellcheck disable=SC2086 # FIT is a word list
"$bin/fit" "$out/data.parquet" -o "$out/run" $FIT
"$bin/fourier" "$out/run" --over-checkpoints --format table -o "$out/fourier.txt"
cat "$out/fourier.txt"
echo "figures: $out/run/curves.png $out/progress.png $out/fourier-spectrum.png"
