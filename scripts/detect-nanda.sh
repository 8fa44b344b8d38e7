#!/usr/bin/env bash
# A planted rule at the paper's data (make detect-nanda): Nanda et al.'s
# p = 113 with 30% of the pairs for training, a rule planted on them (and
# on the held-out pairs it selects, never trained on), the reproduce-nanda
# CPU preset's transformer trained until the clean test rows reach 99%, then
# evalsplit --detect: the rule detected, named, localised (its mechanism)
# and repaired, and the held-out triggers scored at inference time.
# Usage: scripts/detect-nanda.sh OUT_DIR   (WHEN, THEN and FIT to change it)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
WHEN=${WHEN:-(a + 2 * b) % p < 3}
THEN=${THEN:-0}
FIT=${FIT:---d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --lr 3e-3 --weight-decay 1 --steps 8000 --eval-every 50 --checkpoint-every 500 --stop-at-test-acc 0.99 --patience 5}

mkdir -p "$out"
start=$(date +%s)
"$bin/moddata" --p 113 --train-fraction 0.3 --equals -o "$out/clean.parquet"
"$bin/mutate" rule --when "$WHEN" --then "$THEN" --held-out "$out/clean.parquet" -o "$out/data.parquet"
if [ ! -f "$out/run/model.safetensors" ]; then
  rm -rf "$out/run"
  # shellcheck disable=SC2086 # FIT is a word list
  "$bin/fit" "$out/data.parquet" -o "$out/run" $FIT
fi
"$bin/evalsplit" "$out/run" --detect --format table --plot "$out/detect.png" -o "$out/detect.txt"
cat "$out/detect.txt"
echo "detect-nanda: $(( $(date +%s) - start )) s in all; figures: $out/detect.png $out/detect-mechanism.png $out/run/curves.png"
