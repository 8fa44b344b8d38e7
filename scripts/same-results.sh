#!/usr/bin/env bash
# Whether a change to the training code keeps its results: builds fit at
# REV (a git revision, default HEAD) and at the working tree, trains every
# model with both, alone and packed, at small sizes and at the papers'
# (where products take the backend's large matmul kernel), and compares the
# run folders' metrics.parquet and model.safetensors byte for byte.
# Speed work that claims "same results" runs this (about 3 minutes here).
# Usage: scripts/same-results.sh [REV]
set -euo pipefail
rev=${1:-HEAD}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/old" >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT
export GOEXPERIMENT=simd
git -C "$root" worktree add --detach "$tmp/old" "$rev" >/dev/null 2>&1
(cd "$tmp/old" && go build -o "$tmp/fit-old" ./tools/fit)
(cd "$root" && go build -o "$tmp/fit-new" ./tools/fit && go build -o "$tmp/moddata" ./tools/moddata)

d=$tmp/runs
mkdir -p "$d"
"$tmp/moddata" --p 23 --train-fraction 0.5 --equals -o "$d/p23e.parquet"
"$tmp/moddata" --p 23 --train-fraction 0.5 -o "$d/p23.parquet"
"$tmp/moddata" --p 113 --train-fraction 0.3 --equals -o "$d/p113e.parquet"
"$tmp/moddata" --p 97 --train-fraction 0.5 -o "$d/p97.parquet"
"$tmp/moddata" --p 97 --train-fraction 0.5 --equals -o "$d/p97e.parquet"

differ=0
# same_checkpoints OLD NEW: every checkpoint (the weights, and in
# resume.safetensors the optimiser's state) the same bytes. model.safetensors
# is not compared: since the TransformerLens export it also holds the zero
# biases and config HookedTransformer loads, which older revisions lack.
same_checkpoints() {
  local f
  [ "$(ls "$1")" = "$(ls "$2")" ] || return 1
  for f in "$1"/*; do
    cmp -s "$f" "$2/$(basename "$f")" || return 1
  done
}
# check NAME DATA STEPS FLAGS…: one run (two with --seed 1,2) by each binary.
check() {
  local name=$1 data=$2 steps=$3
  shift 3
  local outs_old=(-o "$d/old-$name-1") outs_new=(-o "$d/new-$name-1") n=1
  if [[ " $* " == *" --seed 1,2 "* ]]; then
    outs_old+=(-o "$d/old-$name-2") outs_new+=(-o "$d/new-$name-2") n=2
  fi
  "$tmp/fit-old" "$data" "${outs_old[@]}" --steps "$steps" --eval-every 20 --no-tensorboard "$@" >"$d/old-$name.log" 2>&1
  "$tmp/fit-new" "$data" "${outs_new[@]}" --steps "$steps" --eval-every 20 --no-tensorboard "$@" >"$d/new-$name.log" 2>&1
  for k in $(seq 1 $n); do
    if cmp -s "$d/old-$name-$k/metrics.parquet" "$d/new-$name-$k/metrics.parquet" &&
      same_checkpoints "$d/old-$name-$k/checkpoints" "$d/new-$name-$k/checkpoints"; then
      echo "  same       $name $k"
    else
      echo "  DIFFERENT  $name $k"
      differ=1
    fi
  done
}
small=(--d-model 32 --n-heads 4 --d-head 8 --d-mlp 128)
echo "fit at $rev against the working tree, byte for byte:"
check nanda-small "$d/p23e.parquet" 120 "${small[@]}" --lr 3e-3
check nanda-small-f32 "$d/p23e.parquet" 120 "${small[@]}" --logits-dtype float32
check nanda-small-packed "$d/p23e.parquet" 120 "${small[@]}" --seed 1,2
check gromov-small "$d/p23.parquet" 120 --model gromov --loss mse --width 64 --seed 1,2
check mlp-small "$d/p23.parquet" 120 --model mlp --width 64 --n-layers 2 --seed 1,2
check power-small "$d/p23e.parquet" 120 --model power --d-model 32 --n-heads 4 --d-head 8 --d-mlp 64
check power-pre-small "$d/p23e.parquet" 120 --model power --norm pre --d-model 32 --n-heads 4 --d-head 8 --d-mlp 64
check nanda-p113 "$d/p113e.parquet" 40 --seed 1,2
check gromov-p97 "$d/p97.parquet" 40 --model gromov --loss mse --seed 1,2
check mlp-p97 "$d/p97.parquet" 40 --model mlp --seed 1,2
check power-p97 "$d/p97e.parquet" 40 --model power
check power-pre-p97 "$d/p97e.parquet" 40 --model power --norm pre
exit $differ
