"""Medians of bench/cache_pairs.sh's output: each binary's CPU and wall per
case, divided by its clean build's; cold / clean per round.

    python3 bench/cache_pairs.py OUTPUT
"""
import collections
import statistics as st
import sys

runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    p = line.split()
    if len(p) >= 6 and p[2] == "cpu":
        runs[(p[0], p[1])].append((float(p[3]), float(p[5])))
for b in ("before", "after"):
    clean = runs[(b, "clean")]
    if not clean:
        continue
    cpu = st.median(c for c, _ in clean)
    wall = st.median(w for _, w in clean)
    print(f"{b} clean: cpu {cpu:.2f} s, wall {wall:.2f} s")
    for case in ("cold", "nothing", "onepage"):
        got = runs[(b, case)]
        c = st.median(x for x, _ in got)
        w = st.median(x for _, x in got)
        each = " ".join(f"{x:.2f}" for x, _ in got)
        print(f"  {case:8} cpu {c:.3f} s ({each}) = {c / cpu:.3f} of clean; wall {w:.2f} s = {w / wall:.3f}")
    ratios = [c[0] / n[0] for c, n in zip(runs[(b, "cold")], clean)]
    if ratios:
        print(f"  cold / clean per round: {' '.join(f'{r:.3f}' for r in ratios)}, median {st.median(ratios):.3f}")
