#!/usr/bin/env bash
# Runs a sweep spec end to end: on Slurm when a controller answers (submit,
# wait for the array, resubmit what failed once), else on this machine.
# Usage: scripts/sweep.sh SPEC SWEEP_DIR JOBS X Y
set -euo pipefail
spec=$1 dir=$2 jobs=$3 x=$4 y=$5
bin=$(dirname "$0")/../bin
"$bin/slurmgen" new "$spec" -o "$dir"
if command -v sinfo >/dev/null && sinfo -h >/dev/null 2>&1; then
  for attempt in 1 2; do
    id=$("$bin/slurmgen" submit "$dir")
    [ -n "$id" ] || break
    echo "sweep: waiting for Slurm job $id"
    while squeue -h -j "$id" 2>/dev/null | grep -q .; do sleep 5; done
  done
else
  echo "sweep: no Slurm here; running locally, $jobs at a time"
  "$bin/slurmgen" local "$dir" -j "$jobs"
fi
"$bin/slurmgen" status "$dir"
"$bin/slurmgen" collect "$dir" --x "$x" --y "$y" --z grok_step
