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
# WORK on a tmpfs (/dev/shm/…) measures Portico; on a disk it also measures
# the file system's cost of creating the sites' files (see bench/README.md).
# To compare two binaries, run them back to back and read the CPU figures
# beside the elapsed ones on a shared machine.
set -eu
org=$1
portico=${2:-target/release/portico}
work=${3:-/tmp/portico-shards-bench}
rm -rf "$work"
mkdir -p "$work"

# command... → elapsed seconds on stdout, the command's output dropped; its
# CPU seconds (user + system, less disturbed by other load than elapsed
# time) left in $work/cpu.
seconds() {
  /usr/bin/time -f '%e %U %S' -o "$work/time" "$@" >/dev/null 2>&1 || [ $? -eq 1 ]
  read -r elapsed user system <<EOF
$(tail -n 1 "$work/time")
EOF
  echo "$user + $system" | bc >"$work/cpu"
  echo "$elapsed"
}

single=$(seconds "$portico" build "$org" --out "$work/single" --no-cache)
single_cpu=$(cat "$work/cpu")
echo "single build: $single s (CPU $single_cpu s); load average $(cut -d' ' -f1 /proc/loadavg)"
for n in 4 8; do
  slowest=0
  slowest_cpu=0
  all=""
  for i in $(seq 1 "$n"); do
    t=$(seconds "$portico" build "$org" --shard "$i/$n" --out "$work/part-$n-$i" --no-cache)
    c=$(cat "$work/cpu")
    all="$all $t (CPU $c)"
    slowest=$(echo "if ($t > $slowest) $t else $slowest" | bc)
    slowest_cpu=$(echo "if ($c > $slowest_cpu) $c else $slowest_cpu" | bc)
  done
  merge=$(seconds "$portico" merge $(seq -f "$work/part-$n-%g" 1 "$n") --out "$work/merged-$n")
  merge_cpu=$(cat "$work/cpu")
  diff -r "$work/single" "$work/merged-$n" >/dev/null || echo "MERGED SITE DIFFERS ($n shards)"
  echo "N=$n: shards:$all s; slowest $slowest s (CPU $slowest_cpu s); merge $merge s (CPU $merge_cpu s);" \
    "merge/single $(echo "scale=2; 100 * $merge / $single" | bc) % (CPU $(echo "scale=2; 100 * $merge_cpu / $single_cpu" | bc) %);" \
    "(slowest + merge)/single $(echo "scale=2; 100 * ($slowest + $merge) / $single" | bc) %" \
    "(CPU $(echo "scale=2; 100 * ($slowest_cpu + $merge_cpu) / $single_cpu" | bc) %)"
done
