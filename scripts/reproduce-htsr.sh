#!/usr/bin/env bash
# Prakash & Martin (arXiv 2506.04434, 2602.02859) with this toolkit: the
# heavy-tailed self-regularisation monitor over a run trained far past
# grokking. They train without weight decay for up to 10^7 steps and see test
# accuracy collapse late ("anti-grokking"), heralded by a layer's α < 2 and
# by correlation traps. Here: the quickstart's transformer and data ((a+b)
# mod 31, half the pairs for training, d_model 64, AdamW lr 3e-3), from one
# initialisation, trained packed, one run per weight decay in WDS, to STEPS:
#   wd1   weight decay 1 (the quickstart): groks near step 1,000, then runs
#         on STEPS/1,000 times as long;
#   wd0   no weight decay (the papers' regime).
# Then fourier over every checkpoint of each: α and the correlation traps of
# every weight matrix (NAME/progress.png, NAME.txt; NAME/tb for TensorBoard),
# and accuracy.png (train and test accuracy of both). htsr.txt says, per run,
# when test accuracy first reached 99%, its largest and final values (a
# collapse is the gap), and the first checkpoint with α < 2 and with a trap.
# Usage: scripts/reproduce-htsr.sh OUT_DIR   (P, FRACTION, SEED, STEPS, EVAL, CKPT, WDS, MODEL to change it)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
P=${P:-31}
FRACTION=${FRACTION:-0.5}
SEED=${SEED:-23093} # fit's default: the quickstart's initialisation
STEPS=${STEPS:-20000}
EVAL=${EVAL:-100}
CKPT=${CKPT:-$((STEPS / 40))}
WDS=${WDS:-1 0}
MODEL=${MODEL:---d-model 64 --n-heads 4 --d-head 16 --d-mlp 256 --lr 3e-3}

mkdir -p "$out"
"$bin/moddata" --p "$P" --train-fraction "$FRACTION" --equals -o "$out/data.parquet"
# The runs train packed (one graph, one pass over the data per step); an
# interrupted pair resumes where its checkpoints stop.
outs=() resumes=() wds=() runs=()
for wd in $WDS; do
  outs+=(-o "$out/wd$wd") resumes+=(--resume "$out/wd$wd") wds+=("$wd") runs+=("$out/wd$wd")
done
if [ -f "$out/wd${wds[0]}/checkpoints/resume.safetensors" ] && [ ! -f "$out/wd${wds[0]}/model.safetensors" ]; then
  "$bin/fit" "${resumes[@]}" 2> "$out/fit.log" || { cat "$out/fit.log" >&2; exit 1; }
elif [ ! -f "$out/wd${wds[0]}/model.safetensors" ]; then
  for wd in $WDS; do rm -rf "${out:?}/wd$wd"; done
  # shellcheck disable=SC2086 # MODEL is a word list
  "$bin/fit" "$out/data.parquet" "${outs[@]}" $MODEL --weight-decay "$(IFS=,; echo "${wds[*]}")" --seed "$SEED" \
    --steps "$STEPS" --eval-every "$EVAL" --checkpoint-every "$CKPT" 2> "$out/fit.log" ||
    { cat "$out/fit.log" >&2; exit 1; }
fi
row='%-6s %-9s %-13s %-15s %-8s %s\n'
# shellcheck disable=SC2059 # row is the format
printf "$row" run grokked test_acc_max test_acc_final 'α<2' trap > "$out/htsr.txt.tmp"
for wd in $WDS; do
  name=wd$wd run=$out/wd$wd
  # α and traps of every weight matrix at every checkpoint; the TensorBoard
  # file beside fit's own, so that tensorboard --logdir OUT_DIR shows both.
  "$bin/fourier" "$run" --over-checkpoints --format table -o "$out/$name.txt" \
    --plots "$out/$name-figures" --tensorboard "$run"
  "$bin/curves" "$run" --metric test/accuracy > "$out/$name-curves.txt" -o "$out/$name-figures/test-accuracy.png"
  # The first steps, from fourier's table; the accuracies from curves'
  # ("RUN test accuracy STEP FINAL MAX").
  first() { sed -n "s/^$1: first at step \([0-9]*\).*/\1/p; s/^$1: at no step/never/p" "$out/$name.txt"; }
  read -r _ _ _ _ acc_final acc_max < <(grep ' test accuracy ' "$out/$name-curves.txt")
  # shellcheck disable=SC2059 # row is the format
  printf "$row" "$name" "$(first 'test accuracy ≥ 99% (metrics.parquet)')" "$acc_max" "$acc_final" \
    "$(first 'α < 2')" "$(first 'a correlation trap')" >> "$out/htsr.txt.tmp"
done
"$bin/curves" "${runs[@]}" --metric test/accuracy --metric train/accuracy -o "$out/accuracy.png" > /dev/null
mv "$out/htsr.txt.tmp" "$out/htsr.txt"
cat "$out/htsr.txt"
echo "figures: $out/accuracy.png $(for wd in $WDS; do printf '%s ' "$out/wd$wd-figures/progress.png"; done)"
