#!/bin/bash
# `portico check` over the catalog org (2,000 repositories, one docs page
# each) as work trees, bare clones with loose objects, and bare clones
# packed by `git gc`; two binaries run in turn, wall and CPU (user +
# system) printed per run, and their `--format json` output compared.
#
#   bench/check.sh WORK BEFORE_BIN AFTER_BIN [RUNS]
#
# WORK holds org/ (python3 bench/gen_catalog_org.py WORK/org); the bare
# variants are made from it the first time, in WORK/bare/org and
# WORK/packed/org (`git clone --bare`, then `git gc` for packed). RUNS
# (default 5) rounds, each running BEFORE then AFTER on every variant.
set -euo pipefail
work=$1 before=$2 after=$3 runs=${4:-5}
cd "$work"
if [ ! -d bare/org ]; then
  mkdir -p bare/org
  for r in org/*/; do git clone -q --bare "$r" "bare/org/$(basename "$r").git"; done
fi
if [ ! -d packed/org ]; then
  mkdir -p packed/org
  cp -a bare/org/. packed/org/
  for d in packed/org/*.git; do git -C "$d" gc -q --prune=now; done
fi
run() { # LABEL BIN ROOT
  # check exits 1 on the org's one error: the status is not the point here.
  /usr/bin/time -o "time-$1.txt" -f "wall %e s, cpu %U + %S s, max RSS %M KB" \
    "$2" check "$3" --format json >"json-$1.txt" 2>/dev/null || true
  echo "$1: $(tail -1 "time-$1.txt")"
}
for variant in org bare/org packed/org; do
  name=${variant%/org}
  run "$name-before" "$before" "$variant" >/dev/null # warm the page cache
  for _ in $(seq "$runs"); do
    run "$name-before" "$before" "$variant"
    run "$name-after" "$after" "$variant"
  done
  if cmp -s "json-$name-before.txt" "json-$name-after.txt"; then
    echo "$name: --format json output identical"
  else
    echo "$name: --format json output DIFFERS"
  fi
done
uptime
