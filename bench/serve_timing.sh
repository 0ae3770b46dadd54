#!/bin/bash
# Where a catalog edit's time goes in `portico serve` on the catalog org.
#
#   bench/serve_timing.sh WORK BIN NAME
#
# Copies WORK/org (python3 bench/gen_catalog_org.py WORK/org) to WORK/serve-NAME,
# serves it with PORTICO_TIMINGS=1 (standard error in WORK/NAME-err.txt,
# outside the served folder: a file written inside it is a change the
# watcher cannot place, and every rebuild then reads everything again),
# makes three edits 12 s apart (the first description of
# audit-agent/catalog-info.yaml) and prints the timings.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
work=$1 bin=$2 name=$3
copy="$work/serve-$name" err="$work/$name-err.txt" out="$work/$name-out.txt"
rm -rf "$copy"
cp -a "$work/org" "$copy"
cd "$copy"
PORTICO_TIMINGS=1 "$bin" serve . --port 0 --no-search >"$out" 2>"$err" &
pid=$!
for _ in $(seq 1 120); do
  grep -q "http://" "$out" "$err" 2>/dev/null && break
  sleep 1
done
sleep 3
for _ in 1 2 3; do
  python3 "$bench/edit_description.py" audit-agent/catalog-info.yaml
  sleep 12
done
kill "$pid"
wait "$pid" 2>/dev/null || true
grep -E 'Rebuilt|timing' "$err" | tail -40
