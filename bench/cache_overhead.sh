#!/bin/bash
# What the build cache costs a cold build, and what a build with nothing
# changed costs, for two binaries run in turn (issue 11's two bounds: a cold
# build with an empty --cache at most 10 % over --no-cache; nothing changed
# at most 0.10 of a clean build). CPU is user + system.
#
#   bench/cache_overhead.sh WORK BEFORE_BIN AFTER_BIN [ROUNDS]
#
# WORK holds org50/ (python3 ../shared/bench/gen_org.py WORK/org50 --repos 50
# --pages 40 --seed 42); put it on /dev/shm. Each round, for each binary in
# turn: a cold build with a new, empty --cache folder; a --no-cache build; a
# build with nothing changed (its own --cache, built once before the rounds).
# Prints one line per run, then the medians of each binary's ratios.
set -euo pipefail
work=$1 before=$2 after=$3 rounds=${4:-4}
cd "$work"
cpu() { # NAME BIN [ARGS...]: prints the run's CPU seconds
  local name=$1 bin=$2
  shift 2
  /usr/bin/time -f "%U %S %e" -o "time-$name.txt" "$bin" build org50 "$@" >/dev/null 2>"log-$name.txt" || true
  read -r user sys wall < <(tail -1 "time-$name.txt")
  echo "$name: cpu $user + $sys s, wall $wall s" >&2
  echo "$user $sys" | awk '{ printf "%.2f", $1 + $2 }'
}
for who in before after; do
  rm -rf "warm-$who" "cache-warm-$who"
  bin=$before; [ "$who" = after ] && bin=$after
  cpu "$who-prime" "$bin" --out "warm-$who" --cache "cache-warm-$who" >/dev/null
done
: >ratios.txt
for round in $(seq "$rounds"); do
  for who in before after; do
    bin=$before; [ "$who" = after ] && bin=$after
    rm -rf "cold-$who" "cache-cold-$who"
    cold=$(cpu "$who-cold" "$bin" --out "cold-$who" --cache "cache-cold-$who")
    clean=$(cpu "$who-no-cache" "$bin" --out "clean-$who" --no-cache)
    warm=$(cpu "$who-nothing-changed" "$bin" --out "warm-$who" --cache "cache-warm-$who")
    echo "$who $round $cold $clean $warm" | tee -a ratios.txt |
      awk '{ printf "%s round %s: cold %s, no cache %s, nothing changed %s: cold/no-cache %.3f, nothing-changed/no-cache %.3f\n", $1, $2, $3, $4, $5, $3/$4, $5/$4 }'
  done
done
for who in before after; do
  awk -v who="$who" 'BEGIN { n = 0 } $1 == who { c[n] = $3/$4; w[n] = $5/$4; n++ }
    function median(a, n,   i, j, t) {
      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
      return n % 2 ? a[int(n/2)] : (a[n/2-1] + a[n/2]) / 2
    }
    END { printf "%s: median cold/no-cache %.3f, median nothing-changed/no-cache %.3f (%d rounds)\n", who, median(c, n), median(w, n), n }' ratios.txt
done
rm -rf cold-before cold-after cache-cold-before cache-cold-after
uptime
