#!/bin/bash
# "Nothing changed" builds with the build cache, two binaries in turn (issue
# 11): each with its own --out and --cache, two warm-up builds, then ROUNDS
# nothing-changed builds each, alternated, then two --no-cache builds each.
# CPU = user + system from /usr/bin/time. The org's files must be older than
# a second (pipeline::unchanged records no entry for fresher inputs).
#
#   bench/nothing_changed.sh WORK ORG BEFORE_BIN AFTER_BIN [ROUNDS]
#
# WORK holds ORG (e.g. org: python3 bench/gen_catalog_org.py WORK/org; org50:
# python3 ../shared/bench/gen_org.py WORK/org50 --repos 50 --pages 40 --seed 42).
set -euo pipefail
W=$1 ORG=$2 B=$3 A=$4 R=${5:-7}
cd "$W"
t() { # LABEL BIN ARGS...
  local label=$1; shift
  /usr/bin/time -o t.txt -f "%U %S %e" "$@" >/dev/null 2>err.txt || true
  read -r u s e < <(tail -1 t.txt)
  echo "$label cpu $(echo "$u + $s" | bc) wall $e"
}
for b in before after; do bin=$B; [ $b = after ] && bin=$A
  rm -rf "c-$ORG-$b" "o-$ORG-$b"
  for _ in 1 2; do "$bin" build "$ORG" --out "o-$ORG-$b" --cache "c-$ORG-$b" >/dev/null 2>&1 || true; done
done
for _ in $(seq "$R"); do
  for b in before after; do bin=$B; [ $b = after ] && bin=$A
    t "$b nothing" "$bin" build "$ORG" --out "o-$ORG-$b" --cache "c-$ORG-$b"
  done
done
for _ in 1 2; do
  for b in before after; do bin=$B; [ $b = after ] && bin=$A
    t "$b clean" "$bin" build "$ORG" --out "clean-$ORG-$b" --no-cache
  done
done
uptime
