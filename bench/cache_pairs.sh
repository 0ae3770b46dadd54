#!/bin/bash
# The build cache's cases (issue 11): on org50, for two binaries in turn, a
# clean build (--no-cache, into an empty --out), a cold build (a new empty --cache and no last
# site), a build with nothing changed and, after one page is appended to (a
# different page each round), a build with one page changed (each binary
# with its own --cache and --out). CPU = user + system, wall, from
# /usr/bin/time. At the end: both binaries' warm sites compared, and the
# AFTER binary's warm site against its own --no-cache build (whole; the two
# binaries' sites apart from the terminal's search files, which an older
# binary wrote as a tantivy folder).
#
#   bench/cache_pairs.sh WORK BEFORE_BIN AFTER_BIN [ROUNDS]
#
# WORK (on /dev/shm) gets org50/ if it has none. Medians: bench/cache_pairs.py.
set -u
W=$1 B=$2 A=$3 R=${4:-4}
shared=$(cd "$(dirname "$0")/../../shared" && pwd) || exit 1
cd "$W" || exit 1
[ -d org50 ] || python3 "$shared/bench/gen_org.py" "$W/org50" --repos 50 --pages 40 --seed 42 >/dev/null 2>&1
t() { # label bin args...
  local label=$1; shift
  /usr/bin/time -o t.txt -f "%U %S %e %M" "$@" >/dev/null 2>&1
  read -r u s e m < <(tail -1 t.txt)
  echo "$label cpu $(echo "$u + $s" | bc) wall $e rss_kb $m"
}
for b in before after; do bin=$B; [ $b = after ] && bin=$A
  rm -rf cache-$b out-$b; $bin build org50 --out out-$b --cache cache-$b >/dev/null 2>&1; done
mapfile -t pages < <(find org50 -path "*/docs/*" -name "*.md" | sort)
for r in $(seq "$R"); do
  for b in before after; do bin=$B; [ $b = after ] && bin=$A
    # From nothing, as a CI job builds: over the last clean site, the build
    # also deletes it (+6 % CPU, +12 % wall on org50), which flattered the
    # other cases' ratios.
    rm -rf clean-$b
    t "$b clean" $bin build org50 --out clean-$b --no-cache
    rm -rf cold-cache-$b cold-out-$b
    t "$b cold" $bin build org50 --out cold-out-$b --cache cold-cache-$b
    t "$b nothing" $bin build org50 --out out-$b --cache cache-$b
  done
  echo "Appended line $r." >> "${pages[$((r * 37 % ${#pages[@]}))]}"
  for b in before after; do bin=$B; [ $b = after ] && bin=$A
    t "$b onepage" $bin build org50 --out out-$b --cache cache-$b
  done
done
diff -r -q -x tantivy -x terminal out-before out-after && echo "sites identical"
$A build org50 --out clean-final --no-cache >/dev/null 2>&1; diff -r -q out-after clean-final && echo "warm after = clean after"
uptime
