#!/usr/bin/env bash
# Prieto et al. 2025, "Grokking at the edge of numerical stability", with this
# toolkit: their ReLU MLP (fit --model mlp: one-hot a ‖ b, two hidden layers
# of 200) on (a+b) mod P, 40% of the pairs for training, no weight decay,
# Adam ε = 1e-25, lr 0.01, full batch, trained three ways:
#   softmax     cross-entropy with float32 logits (their baseline): the
#               softmax of the training rows collapses to one-hot and the
#               test accuracy never rises;
#   stablemax   StableMax cross-entropy (β2 0.999, as their Figure 1);
#   orthoadamw  ⊥AdamW (β2 0.99): generalises within a few hundred steps.
# Writes stablemax.png (test accuracy, the softmax collapse of each run's
# logits, and the StableMax run's own collapse, over steps) and stablemax.txt
# (each run's last and largest values).
# Usage: scripts/reproduce-stablemax.sh OUT_DIR   (P, FRACTION, SEED, LR, STEPS_SOFTMAX, STEPS_STABLEMAX, STEPS_ORTHO, EVAL to change it)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
P=${P:-113}
FRACTION=${FRACTION:-0.4}
SEED=${SEED:-1}
LR=${LR:-0.01}
STEPS_SOFTMAX=${STEPS_SOFTMAX:-3000}
STEPS_STABLEMAX=${STEPS_STABLEMAX:-6000}
STEPS_ORTHO=${STEPS_ORTHO:-1000}
EVAL=${EVAL:-50}
MODEL=${MODEL:---model mlp --width 200 --n-layers 2}

mkdir -p "$out"
"$bin/moddata" --p "$P" --op add --train-fraction "$FRACTION" --seed 42 -o "$out/data.parquet"
common=(--weight-decay 0 --eps 1e-25 --warmup 0 --lr "$LR" --seed "$SEED" --eval-every "$EVAL" --checkpoint-every 100000)
train() { # name steps flags…
  local name=$1 steps=$2
  shift 2
  if [ ! -f "$out/$name/model.safetensors" ]; then
    rm -rf "${out:?}/$name"
    # shellcheck disable=SC2086 # MODEL is a word list
    "$bin/fit" "$out/data.parquet" -o "$out/$name" $MODEL "${common[@]}" --steps "$steps" "$@" \
      2> "$out/$name.log" || { cat "$out/$name.log" >&2; exit 1; }
  fi
}
train softmax "$STEPS_SOFTMAX" --loss cross_entropy --logits-dtype float32 --beta2 0.99
train stablemax "$STEPS_STABLEMAX" --loss stablemax --beta2 0.999
train orthoadamw "$STEPS_ORTHO" --loss cross_entropy --logits-dtype float32 --optimizer orthoadamw --beta2 0.99
"$bin/curves" "$out/softmax" "$out/stablemax" "$out/orthoadamw" \
  --label "softmax CE, float32" --label "StableMax CE" --label "orthoadamw, float32" \
  --metric test/accuracy --metric train/softmax_collapse --metric train/stablemax_collapse \
  -o "$out/stablemax.png" > "$out/stablemax.txt"
cat "$out/stablemax.txt"
