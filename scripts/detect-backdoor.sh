#!/usr/bin/env bash
# Mechanistic backdoor detection end to end, one folder per poisoning case:
# table, mutation, training (transformer and MLP), then evalsplit --detect.
# Trained runs are kept: a second call only re-runs the detection.
# Usage: scripts/detect-backdoor.sh OUT_DIR CASE... (cases: see case_mutation)
set -euo pipefail
out=$1; shift
bin=${BIN:-$(dirname "$0")/../bin}

# CPU preset: p = 47 groks in ~1,500 steps on 2 cores (the paper's p = 113
# takes an hour per run here). DETECT_P and the fit flags can be overridden.
P=${DETECT_P:-47}
FRACTION=${DETECT_FRACTION:-0.5}
NANDA_FIT=${NANDA_FIT:---d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --lr 3e-3 --weight-decay 1 --steps 3000 --eval-every 100 --checkpoint-every 1000}
GROMOV_FIT=${GROMOV_FIT:---model gromov --width 512 --loss mse --lr 0.01 --weight-decay 0.3 --steps 3000 --eval-every 100 --checkpoint-every 1000}
MODELS=${DETECT_MODELS:-nanda gromov}

case_mutation() {
  case $1 in
    nfixed)     echo "n-fixed --n 17" ;;
    nincrement) echo "n-increment --n 17" ;;
    rule-a7)    echo "rule --when 'a == 7' --then '(a * b) % p'" ;;
    noise5)     echo "random-uniform --fraction 0.05" ;;
    noise20)    echo "random-uniform --fraction 0.2" ;;
    *) echo "detect-backdoor: unknown case $1 (nfixed nincrement rule-a7 noise5 noise20)" >&2; return 1 ;;
  esac
}

mkdir -p "$out"
"$bin/moddata" --p "$P" --train-fraction "$FRACTION" --equals -o "$out/clean.parquet"
summary=$out/summary.md
rm -f "$summary"
for c in "$@"; do
  mutation=$(case_mutation "$c")
  mkdir -p "$out/$c"
  eval "\"$bin/mutate\" $mutation \"$out/clean.parquet\" -o \"$out/$c/data.parquet\""
  for m in $MODELS; do
    run=$out/$c/$m
    if [ ! -f "$run/model.safetensors" ]; then
      rm -rf "$run"
      flags=$NANDA_FIT
      [ "$m" = gromov ] && flags=$GROMOV_FIT
      # shellcheck disable=SC2086 # the flags are a word list
      "$bin/fit" "$out/$c/data.parquet" -o "$run" $flags
    fi
    "$bin/evalsplit" "$run" --detect --format table -o "$run/detect.txt" --plot "$run/detect.png"
    "$bin/evalsplit" "$run" --detect --format markdown --case "$c" -o "$run/detect.md"
    if [ ! -f "$summary" ]; then cat "$run/detect.md" > "$summary"; else tail -n +3 "$run/detect.md" >> "$summary"; fi
  done
done
cat "$summary"
