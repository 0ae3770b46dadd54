#!/bin/bash
# search_overlap.sh DIR MAIN BRANCH ROUNDS: org50 (DIR/org50) built by two binaries in turn,
# each with its own --cache, site on DIR (put it on /dev/shm). CPU = user + system.
# 1. cold: an empty --cache (and no last site) against --no-cache, for each binary;
# 2. each round: one page appended to (a different one each round), each binary builds
#    (both see exactly that one change), then each builds again with nothing changed.
D=$1; MAIN=$2; BRANCH=$3; ROUNDS=${4:-4}
cd "$D" || exit 1
pages=($(find org50 -path '*/docs/*.md' | sort))
cpu() { /usr/bin/time -f "%U %S %e" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "cpu %.2f wall %.2f", $1+$2, $3}'; }
bin_of() { if [ "$1" = main ]; then echo "$MAIN"; else echo "$BRANCH"; fi; }
echo "load at start: $(cat /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  for b in main branch; do bin=$(bin_of $b)
    rm -rf cold-cache out-cold out-nc
    echo "cold $r $b empty-cache: $(cpu "$bin" build org50 --out out-cold --cache cold-cache)"
    echo "cold $r $b no-cache:    $(cpu "$bin" build org50 --out out-nc --no-cache)"
  done
done
rm -rf cold-cache out-cold out-nc
for b in main branch; do "$(bin_of $b)" build org50 --out out-$b --cache cache-$b >/dev/null 2>&1; done
for r in $(seq 1 "$ROUNDS"); do
  p=${pages[$((r*397 % ${#pages[@]}))]}
  echo "Appended line $r about edits." >> "$p"
  for b in main branch; do
    echo "warm $r $b one-page ($p): $(cpu "$(bin_of $b)" build org50 --out out-$b --cache cache-$b)"; done
  for b in main branch; do
    echo "warm $r $b unchanged: $(cpu "$(bin_of $b)" build org50 --out out-$b --cache cache-$b)"; done
done
echo "load at end: $(cat /proc/loadavg)"
