#!/bin/sh
# Runs the steps of the CI templates (github/portico-pages.yml,
# gitlab/portico-pages.gitlab-ci.yml) on one machine, with the same
# commands: mirror, every shard's build (at once, as the matrix runs them),
# merge. Then builds the same mirrors on one machine and checks that the
# merged site is the same, byte for byte.
#
#   ci/local.sh LIST [SHARDS] [WORK]
#
# LIST: repository URLs, one a line (file:// URLs work); SHARDS: 4 by
# default; WORK: the folder everything is written to (.portico-ci).
# PORTICO names the binary (default: portico on the PATH).
set -eu

if [ $# -lt 1 ]; then
  echo "usage: ci/local.sh LIST [SHARDS] [WORK]" >&2
  exit 2
fi
list=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shards=${2:-4}
work=${3:-.portico-ci}
portico=${PORTICO:-portico}
mkdir -p "$work"
cd "$work"

echo "== mirror"
"$portico" mirror "$list" --into mirrors

echo "== build, $shards shards"
pids=""
for i in $(seq 1 "$shards"); do
  ("$portico" build mirrors --shard "$i/$shards" --out "part-$i" --cache "cache-$i" || test $? -eq 1) &
  pids="$pids $!"
done
failed=0
for pid in $pids; do
  wait "$pid" || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "a shard failed" >&2
  exit 1
fi

echo "== merge"
"$portico" merge part-* --out site || test $? -eq 1

echo "== compare with a one-machine build"
"$portico" build mirrors --out single --no-cache 2>/dev/null || test $? -eq 1
diff -r site single
echo "merged site ($(find site -type f | wc -l) files) equals the one-machine build"
