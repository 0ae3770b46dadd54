#!/bin/bash
# bench.sh DIR BEFORE AFTER ROUNDS: org50 builds, each binary with its own cache, in turn.
# Each round: one page appended to (a different one each round), then each binary builds it
# (both see exactly that one change), then each builds again with nothing changed, then a clean build.
D=$1; BEFORE=$2; AFTER=$3; ROUNDS=${4:-3}
cd $D
pages=($(find org50 -path '*/docs/*.md' | sort))
cpu() { /usr/bin/time -f "%U %S %e" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "cpu %.2f wall %.2f", $1+$2, $3}'; }
for b in before after; do bin=$BEFORE; [ $b = after ] && bin=$AFTER; $bin build org50 --out out-$b --cache cache-$b >/dev/null 2>&1; done
for r in $(seq 1 $ROUNDS); do
  p=${pages[$((r*397 % ${#pages[@]}))]}
  echo "Appended line $r about edits." >> $p
  for b in before after; do bin=$BEFORE; [ $b = after ] && bin=$AFTER
    echo "round $r $b one-page ($p): $(cpu $bin build org50 --out out-$b --cache cache-$b)"; done
  for b in before after; do bin=$BEFORE; [ $b = after ] && bin=$AFTER
    echo "round $r $b unchanged: $(cpu $bin build org50 --out out-$b --cache cache-$b)"; done
  echo "round $r clean-no-cache: $(cpu $AFTER build org50 --out out-clean --no-cache)"
done
echo "load: $(cat /proc/loadavg)"
