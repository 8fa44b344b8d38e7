#!/usr/bin/env bash
# Installs DuckDB's Node.js package (its binary ships inside the npm package)
# into a folder, so the tests can read our Parquet files with an independent
# reader. Usage: scripts/duckdb-setup.sh [DIR]  (default .cache/duckdb)
set -euo pipefail
dir=${1:-.cache/duckdb}
if [ -d "$dir/node_modules/@duckdb/node-api" ]; then
  echo "$dir/node_modules"
  exit 0
fi
command -v npm >/dev/null || { echo "duckdb-setup: npm is needed (apt-get install nodejs npm)" >&2; exit 1; }
mkdir -p "$dir"
npm install --prefix "$dir" --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1 >&2
echo "$dir/node_modules"
