#!/bin/bash
# cold.sh DIR BIN ROUNDS: a clean build with an empty --cache vs --no-cache, in turn.
D=$1; BIN=$2; ROUNDS=${3:-3}
cd $D
cpu() { /usr/bin/time -f "%U %S %e" "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "cpu %.2f wall %.2f", $1+$2, $3}'; }
for r in $(seq 1 $ROUNDS); do
  rm -rf cold-cache out-cold out-nc
  echo "round $r empty-cache: $(cpu $BIN build org50 --out out-cold --cache cold-cache)"
  echo "round $r no-cache:    $(cpu $BIN build org50 --out out-nc --no-cache)"
done
rm -rf cold-cache out-cold out-nc
echo "load: $(cat /proc/loadavg)"
