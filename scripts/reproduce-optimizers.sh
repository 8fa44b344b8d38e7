#!/usr/bin/env bash
# Optimisers compared on the same runs (make reproduce-optimizers): AdamW,
# AdamW + Grokfast-EMA, ⊥AdamW, Muon and EGD on (a+b) and (a/b) mod P, a
# FRACTION of the pairs for training, the quickstart's transformer.
#
# 1. The grid: each optimiser at each of its learning rates (LRS_<name>) on
#    GRID_SEEDS, seeds apart from the comparison's, all packed into one fit
#    per task and optimiser. grokstep --choose picks each task and
#    optimiser's rate: fewest seeds that never grok, then the lowest median
#    grokking step, then the highest median maximum test accuracy, then the
#    smaller rate.
# 2. The comparison: each optimiser at its chosen rate on SEEDS, packed.
# 3. grokstep's table (Essential AI's grokking step: the first evaluation
#    within 1% of the run's maximum test accuracy, that maximum above 95%;
#    median and IQR over the seeds that grok, never-grok counts) and figure.
#
# Every run stops once its test accuracy has been ≥ 99% for PATIENCE
# evaluations, or at STEPS. Resumable: a second call skips the finished
# packs, continues an interrupted one (fit --resume) and redoes the summary.
# The times of the packs trained are appended to OUT/times.tsv.
#
# Usage: scripts/reproduce-optimizers.sh OUT_DIR
#   (P, FRACTION, TASKS, OPTIMIZERS, SEEDS, GRID_SEEDS, STEPS, EVAL,
#    PATIENCE, CHECKPOINT, MODEL, LRS_adamw, LRS_grokfast, LRS_orthoadamw, LRS_muon,
#    LRS_egd, MUON_ADAMW_LR, WD, WD_egd to change it)
set -euo pipefail
out=$1
bin=${BIN:-$(dirname "$0")/../bin}
P=${P:-97}
FRACTION=${FRACTION:-0.5}
TASKS=${TASKS:-add div}
OPTIMIZERS=${OPTIMIZERS:-adamw grokfast orthoadamw muon egd}
SEEDS=${SEEDS:-1 2 3 4 5 6 7 8}
GRID_SEEDS=${GRID_SEEDS:-101 102}
# AdamW at 3e-3 generalises on (a+b) mod 97, 50%, nearly as it memorises
# (one seed: train 90%, test 50% at step 100; test 97% at 200, ≥ 99% at
# 250): 3,000 steps leave the grid's slow rates room.
STEPS=${STEPS:-3000}
EVAL=${EVAL:-10}
PATIENCE=${PATIENCE:-10}
# Parameters and resume state every CHECKPOINT steps: what a killed pack
# continues from.
CHECKPOINT=${CHECKPOINT:-500}
MODEL=${MODEL:---d-model 64 --n-heads 4 --d-head 16 --d-mlp 256}
# Learning rates: a factor of 8 around each optimiser's usual one (the
# quickstart's 3e-3 for the AdamW family, the reference's 0.02 for Muon).
LRS_adamw=${LRS_adamw:-1e-3 2e-3 4e-3 8e-3}
LRS_grokfast=${LRS_grokfast:-1e-3 2e-3 4e-3 8e-3}
LRS_orthoadamw=${LRS_orthoadamw:-1e-3 2e-3 4e-3 8e-3}
LRS_muon=${LRS_muon:-0.005 0.01 0.02 0.04}
LRS_egd=${LRS_egd:-0.05 0.1 0.2 0.4}
# Muon's AdamW part (embeddings, unembedding) keeps the quickstart's rate.
MUON_ADAMW_LR=${MUON_ADAMW_LR:-3e-3}
# Weight decay: the quickstart's 1 (decoupled: W·(1 − lr·wd)). EGD's is an
# L2 term in its SGD step, W − lr·(G̃ + wd·W): at 1 it holds EGD at chance
# (p = 31: test accuracy ≤ 3% after 400 steps at every rate 0.01–0.3), 0.1
# lets it generalise.
WD=${WD:-1}
WD_egd=${WD_egd:-0.1}

# fit's settings of each optimiser but its learning rate, the flag its grid
# varies, and the name grokstep gives it.
optimizer_flags() {
  case $1 in
    adamw) echo "--optimizer adamw --weight-decay $WD" ;;
    grokfast) echo "--optimizer adamw --grokfast ema --weight-decay $WD" ;;
    orthoadamw) echo "--optimizer orthoadamw --weight-decay $WD" ;;
    muon) echo "--optimizer muon --lr $MUON_ADAMW_LR --weight-decay $WD" ;;
    egd) echo "--optimizer egd --weight-decay $WD_egd" ;;
    *) echo "reproduce-optimizers: unknown optimiser $1 (adamw grokfast orthoadamw muon egd)" >&2; return 1 ;;
  esac
}
lr_flag() { if [ "$1" = muon ]; then echo --muon-lr; else echo --lr; fi; }
label() { if [ "$1" = grokfast ]; then echo adamw+grokfast-ema; else echo "$1"; fi; }
lrs() { local v=LRS_$1; echo "${!v}"; }
for opt in $OPTIMIZERS; do optimizer_flags "$opt" > /dev/null; done

ended() { [ -f "$1/diverged.txt" ] || { [ -f "$1/model.safetensors" ] && [ -f "$1/curves.png" ]; }; }
join() { local IFS=,; echo "$*"; }

# pack NAME LOG RUN... -- FIT_ARGS...: trains the runs packed, unless all
# have ended (finished or diverged); continues them if any has a resume
# state, else starts them all anew. A diverged run is an outcome (a grid's
# too-high rate), not a failure: its folder records it.
pack() {
  local name=$1 log=$2; shift 2
  local dirs=() todo=0 resume=0 r
  while [ "$1" != -- ]; do dirs+=("$1"); shift; done
  shift
  for r in "${dirs[@]}"; do
    if ! ended "$r"; then
      todo=1
      if [ -f "$r/checkpoints/resume.safetensors" ]; then resume=1; fi
    fi
  done
  if [ $todo = 0 ]; then return 0; fi
  local began=$SECONDS how
  if [ $resume = 1 ]; then
    local args=()
    for r in "${dirs[@]}"; do [ -f "$r/diverged.txt" ] || args+=(--resume "$r"); done
    echo "reproduce-optimizers: $name: continuing (fit --resume)" >&2
    "$bin/fit" "${args[@]}" 2>> "$log" || true
    how=resumed
  else
    local outs=()
    for r in "${dirs[@]}"; do rm -rf "$r"; mkdir -p "$(dirname "$r")"; outs+=(-o "$r"); done
    echo "reproduce-optimizers: $name: training ${#dirs[@]} runs packed" >&2
    "$bin/fit" "${outs[@]}" "$@" 2> "$log" || true
    how=trained
  fi
  for r in "${dirs[@]}"; do
    if ! ended "$r"; then
      tail -5 "$log" >&2
      echo "reproduce-optimizers: $r did not finish (log: $log); run this again to continue it" >&2
      exit 1
    fi
  done
  printf '%s\t%s\t%d\n' "$name" "$how" $((SECONDS - began)) >> "$out/times.tsv"
}

mkdir -p "$out/logs"
[ -f "$out/times.tsv" ] || printf 'pack\thow\tseconds\n' > "$out/times.tsv"
common=(--steps "$STEPS" --eval-every "$EVAL" --checkpoint-every "$CHECKPOINT" --stop-at-test-acc 0.99 --patience "$PATIENCE" --no-tensorboard)
# shellcheck disable=SC2206 # MODEL is a word list
common+=($MODEL)
grid_runs=() main_runs=()
for task in $TASKS; do
  dir=$out/$task
  mkdir -p "$dir"
  [ -f "$dir/data.parquet" ] || "$bin/moddata" --p "$P" --op "$task" --train-fraction "$FRACTION" --equals -o "$dir/data.parquet"
  # 1. The grid: every rate × grid seed of an optimiser in one pack.
  task_grid=()
  for opt in $OPTIMIZERS; do
    runs=() seeds=() rates=()
    for lr in $(lrs "$opt"); do
      for s in $GRID_SEEDS; do runs+=("$dir/grid/$opt/lr-$lr-seed-$s"); seeds+=("$s"); rates+=("$lr"); done
    done
    # shellcheck disable=SC2046 # the optimiser's flags are a word list
    pack "$task grid $opt" "$out/logs/$task-grid-$opt.log" "${runs[@]}" -- "$dir/data.parquet" \
      --seed "$(join "${seeds[@]}")" "$(lr_flag "$opt")" "$(join "${rates[@]}")" $(optimizer_flags "$opt") "${common[@]}"
    task_grid+=("${runs[@]}")
  done
  "$bin/grokstep" "${task_grid[@]}" --choose "$dir/choice.tsv" --markdown /dev/null
  grid_runs+=("${task_grid[@]}")
  # 2. The comparison: each optimiser at its chosen rate, SEEDS packed.
  for opt in $OPTIMIZERS; do
    lr=$(awk -F'\t' -v o="$(label "$opt")" '$3 == o {print ($5 != 0 ? $5 : $4)}' "$dir/choice.tsv")
    if [ -z "$lr" ]; then
      echo "reproduce-optimizers: $dir/choice.tsv has no rate for $(label "$opt")" >&2
      exit 1
    fi
    runs=()
    for s in $SEEDS; do runs+=("$dir/$opt-lr-$lr/seed-$s"); done
    # shellcheck disable=SC2046
    pack "$task $opt lr $lr" "$out/logs/$task-$opt.log" "${runs[@]}" -- "$dir/data.parquet" \
      --seed "$(join $SEEDS)" "$(lr_flag "$opt")" "$lr" $(optimizer_flags "$opt") "${common[@]}"
    main_runs+=("${runs[@]}")
  done
done

# 3. The tables and the figure.
"$bin/grokstep" "${grid_runs[@]}" --markdown "$out/grid.md" --table "$out/grid.parquet"
"$bin/grokstep" "${main_runs[@]}" --markdown "$out/optimizers.md" --table "$out/optimizers.parquet" --per-run "$out/runs.parquet" \
  --figure "$out/optimizers.png" --title "Test accuracy against step, p = $P, $(awk -v f="$FRACTION" 'BEGIN {print 100 * f}')% train: one colour per optimiser, a line per seed"
echo "## The learning-rate grid (seeds $GRID_SEEDS)"
cat "$out/grid.md"
echo
echo "## The comparison (seeds $SEEDS, each optimiser at its chosen rate)"
cat "$out/optimizers.md"
echo "figure: $out/optimizers.png; tables: $out/optimizers.parquet, $out/runs.parquet, $out/grid.parquet; times: $out/times.tsv"
