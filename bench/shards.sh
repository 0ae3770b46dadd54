#!/bin/sh
# Sharded builds against a single build: each shard's time for N = 4 and 8
# (run one after another, as N machines would run them at once), then the
# merge's, beside a single build of the same organisation. No build cache:
# every run renders from scratch.
#
#   bench/shards.sh ORG [PORTICO] [WORK]
#
# ORG: e.g. ../shared/bench/gen_org.py OUT --repos 100 --pages 20 --seed 42
# (2,000 pages) or bench/gen_catalog_org.py OUT (13,000 entities).
# Goals (issue 14): merge < 20 % of a single build; slowest shard + merge
# < 40 % of a single build at N = 4.
set -eu
org=$1
portico=${2:-target/release/portico}
work=${3:-/tmp/portico-shards-bench}
rm -rf "$work"
mkdir -p "$work"

seconds() { # command... → elapsed seconds on stdout, the command's output dropped
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

single=$(seconds "$portico" build "$org" --out "$work/single" --no-cache)
echo "single build: $single s"
for n in 4 8; do
  slowest=0
  all=""
  for i in $(seq 1 "$n"); do
    t=$(seconds "$portico" build "$org" --shard "$i/$n" --out "$work/part-$n-$i" --no-cache)
    all="$all $t"
    slowest=$(echo "if ($t > $slowest) $t else $slowest" | bc)
  done
  merge=$(seconds "$portico" merge $(seq -f "$work/part-$n-%g" 1 "$n") --out "$work/merged-$n")
  diff -r -x tantivy "$work/single" "$work/merged-$n" >/dev/null || echo "MERGED SITE DIFFERS ($n shards)"
  echo "N=$n: shards:$all s; slowest $slowest s; merge $merge s;" \
    "merge/single $(echo "scale=2; 100 * $merge / $single" | bc) %;" \
    "(slowest + merge)/single $(echo "scale=2; 100 * ($slowest + $merge) / $single" | bc) %"
done
