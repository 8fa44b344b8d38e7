#!/usr/bin/env bash
# Doshi, Das, He and Gromov 2023 ("To grok or not to grok") with this
# toolkit: the phase of Gromov's MLP trained on noisy labels, over label
# noise ξ × weight decay, as a sweep (on Slurm when sbatch answers, else on
# this machine), then a phase map and a test-accuracy map.
# Usage: scripts/reproduce-doshi.sh SPEC OUT_DIR [PACK] [JOBS]
set -euo pipefail
spec=$1 out=$2 pack=${3:-5} jobs=${4:-1}
bin=${BIN:-$(dirname "$0")/../bin}
"$bin/slurmgen" new "$spec" -o "$out" --pack "$pack"
if [ -z "${LOCAL:-}" ] && command -v sinfo >/dev/null && sinfo -h >/dev/null 2>&1; then
  id=$("$bin/slurmgen" submit "$out")
  if [ -n "$id" ]; then
    echo "reproduce-doshi: waiting for Slurm job $id"
    while squeue -h -j "$id" 2>/dev/null | grep -q .; do sleep 5; done
  fi
else
  "$bin/slurmgen" local "$out" -j "$jobs"
fi
"$bin/slurmgen" collect "$out" --x weight-decay --y fraction --z test_accuracy --png "$out/test-accuracy.png" 2> "$out/test-accuracy.txt"
"$bin/slurmgen" collect "$out" --x weight-decay --y fraction --z phase --png "$out/phases.png" 2> "$out/phases.txt"
cat "$out/phases.txt" "$out/test-accuracy.txt"
