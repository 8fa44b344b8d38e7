#!/usr/bin/env bash
# Runs a sweep spec end to end: on Slurm when a controller answers (submit,
# wait for the array, resubmit what failed once), else on this machine;
# then one heat map (SWEEP/heatmap-Z.png) and text grid (SWEEP/heatmap-Z.txt)
# per metric Z over parameters X and Y.
# Usage: scripts/sweep.sh SPEC SWEEP_DIR JOBS X Y [Z ...]   (default Z: grok_step)
# PACK=K trains up to K runs that differ only in seeds, lr, weight decay or
# data as one fit; LOCAL=1 runs here even when Slurm answers.
set -euo pipefail
spec=$1 dir=$2 jobs=$3 x=$4 y=$5
shift 5
zs=("$@")
[ ${#zs[@]} -gt 0 ] || zs=(grok_step)
bin=${BIN:-$(dirname "$0")/../bin}
"$bin/slurmgen" new "$spec" -o "$dir" --pack "${PACK:-1}"
if [ -z "${LOCAL:-}" ] && command -v sinfo >/dev/null && sinfo -h >/dev/null 2>&1; then
  for attempt in 1 2; do
    id=$("$bin/slurmgen" submit "$dir")
    [ -n "$id" ] || break
    echo "sweep: waiting for Slurm job $id"
    while squeue -h -j "$id" 2>/dev/null | grep -q .; do sleep 5; done
  done
else
  echo "sweep: running locally, $jobs at a time"
  "$bin/slurmgen" local "$dir" -j "$jobs"
fi
"$bin/slurmgen" status "$dir"
for z in "${zs[@]}"; do
  "$bin/slurmgen" collect "$dir" --x "$x" --y "$y" --z "$z" --png "$dir/heatmap-$z.png" 2> "$dir/heatmap-$z.txt"
  cat "$dir/heatmap-$z.txt"
done
