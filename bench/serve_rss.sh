#!/bin/bash
# Resident memory of `portico serve` on a copy of the catalog org over 100
# description edits of audit-agent/catalog-info.yaml, 0.8 s apart.
#
#   bench/serve_rss.sh ORG BIN NAME
#
# ORG: the catalog org (python3 bench/gen_catalog_org.py ORG); the copy is
# made beside it (ORG-rss-NAME) and removed at the end.
set -euo pipefail
bench=$(cd "$(dirname "$0")" && pwd)
org=$1 bin=$2 name=$3
copy="$org-rss-$name" out="$org-rss-$name.txt"
rm -rf "$copy"
cp -a "$org" "$copy"
cd "$copy"
"$bin" serve . --port 0 --no-search >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 1 120); do
  grep -q "http://" "$out" && break
  sleep 1
done
sleep 3
rss() { awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status"; }
echo "start: $(rss) MB"
for i in $(seq 1 100); do
  python3 "$bench/edit_description.py" audit-agent/catalog-info.yaml
  sleep 0.8
  case $i in 10 | 25 | 50 | 75 | 100) echo "after $i edits: $(rss) MB" ;; esac
done
kill "$pid"
wait "$pid" 2>/dev/null || true
cd /
rm -rf "$copy" "$out"
