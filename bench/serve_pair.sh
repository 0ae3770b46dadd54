#!/usr/bin/env bash
# Catalog edits in two `portico serve` processes side by side, so both see
# the same machine load: A and B each serve their own copy of DATA, and one
# entity description is edited in A's copy, then in B's, N times.
#
#   bench/serve_pair.sh A_BIN B_BIN DATA [N] [WORK]
#
# DATA is a folder of repositories (bench/serve.py's `catalog` set:
# WORK/data/catalog). Prints each server's "Rebuilt in … ms" lines; with
# PORTICO_TIMINGS=1 their stage timings are in WORK/a.err and WORK/b.err.
set -euo pipefail
a_bin=$1 b_bin=$2 data=$3 n=${4:-4} work=${5:-/tmp/serve-pair}
file=audit-agent/catalog-info.yaml
rm -rf "$work" && mkdir -p "$work"
cp -r "$data" "$work/a" && cp -r "$data" "$work/b"
"$a_bin" serve "$work/a" --port 0 --no-search --verbose >"$work/a.out" 2>"$work/a.err" &
a_pid=$!
"$b_bin" serve "$work/b" --port 0 --no-search --verbose >"$work/b.out" 2>"$work/b.err" &
b_pid=$!
trap 'kill $a_pid $b_pid 2>/dev/null' EXIT
# Both first builds done: each prints its address once it serves.
until grep -q Serving "$work/a.out" && grep -q Serving "$work/b.out"; do sleep 2; done
for side in a b; do : >"$work/$side.err"; done
for i in $(seq 1 "$n"); do
  for side in a b; do
    sed -i "0,/^  description: .*/s//  description: edit $i $RANDOM/" "$work/$side/$file"
    # Wait for this rebuild before the next edit, so the two never overlap.
    until [ "$(grep -ac Rebuilt "$work/$side.err")" -ge "$i" ]; do sleep 0.2; done
  done
done
echo "A ($a_bin):"; grep -a Rebuilt "$work/a.err"
echo "B ($b_bin):"; grep -a Rebuilt "$work/b.err"
