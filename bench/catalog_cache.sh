#!/bin/bash
# The catalog org with the build cache: two binaries built in turn, each
# into its own --out and --cache (two binaries sharing a cache folder delete
# each other's entries), CPU (user + system) printed per run.
#
#   bench/catalog_cache.sh WORK BEFORE_BIN AFTER_BIN
#
# WORK holds org/ (python3 bench/gen_catalog_org.py WORK/org). Runs: a clean
# build without the cache (AFTER, twice), then "nothing changed" twice and
# "one catalog file changed" three times for each binary in turn; the edit
# rewrites the first description of org/audit-agent/catalog-info.yaml.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
work=$1 before=$2 after=$3
cd "$work"
edit() {
  python3 "$bench/edit_description.py" org/audit-agent/catalog-info.yaml
}
run() { # NAME BIN [ARGS...]
  local name=$1 bin=$2
  shift 2
  /usr/bin/time -f "$name: wall %e s, cpu %U + %S s" "$bin" build org "$@" >/dev/null 2>"log-$name.txt" || true
  tail -1 "log-$name.txt"
}
for _ in 1 2; do run clean "$after" --out out-clean --no-cache; done
for _ in 1 2; do
  run before "$before" --out out-before --cache cache-before
  run after "$after" --out out-after --cache cache-after
done
for _ in 1 2 3; do
  edit; run before-edit "$before" --out out-before --cache cache-before
  edit; run after-edit "$after" --out out-after --cache cache-after
done
uptime
