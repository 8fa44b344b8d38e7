#!/usr/bin/env bash
# The patch we carry on GoMLX's compute module (third_party/gomlx-compute),
# as a diff against the upstream release in Go's module cache.
#   scripts/third-party-patch.sh          write third_party/gomlx-compute.patch
#   scripts/third-party-patch.sh --check  fail if the copy differs from
#                                         upstream + that patch
set -euo pipefail
cd "$(dirname "$0")/.."
module=github.com/gomlx/compute
version=$(sed -n 's/^\t*github.com\/gomlx\/compute \(v[^ ]*\).*/\1/p' go.mod | head -1)
[ -n "$version" ] || { echo "third-party-patch: go.mod names no version of $module" >&2; exit 1; }
upstream=$(go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[ -d "$upstream" ] || { echo "third-party-patch: cannot download $module@$version" >&2; exit 1; }
diff_now() {
  # Paths relative to the two roots, so that the patch applies with -p1 in
  # a fresh copy of the release; the date lines left out, so that it is stable.
  diff -ruN "$upstream" third_party/gomlx-compute |
    sed -e "s#^--- $upstream#--- a#" -e 's#^+++ third_party/gomlx-compute#+++ b#' \
        -e "s#^diff -ruN $upstream\\(.*\\) third_party/gomlx-compute.*#diff -ruN a\\1 b\\1#" |
    sed -E 's#^((---|\+\+\+) [^\t]*)\t.*#\1#' || true
}
if [ "${1:-}" = --check ]; then
  if ! diff -q <(diff_now) third_party/gomlx-compute.patch >/dev/null; then
    echo "third_party/gomlx-compute.patch: the copy of $module@$version differs from upstream + this patch (scripts/third-party-patch.sh rewrites it)" >&2
    exit 1
  fi
  exit 0
fi
diff_now > third_party/gomlx-compute.patch
echo "third_party/gomlx-compute.patch: $(grep -c '^diff ' third_party/gomlx-compute.patch) files differ from $module@$version"
