#!/usr/bin/env python3
"""Edit to new HTML on the catalog set, binaries alternated: bench/serve.py's
`serve_set` (one entity's description replaced, the page fetched every 5 ms
until it shows it, 0.2 s between edits) without its full builds.

    bench/serve_catalog_pairs.py WORK ROUNDS EDITS BIN...

WORK/data/catalog holds the catalog org (python3 bench/gen_catalog_org.py, or
a link to a copy of it); each run serves a copy in WORK/edit/catalog.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve  # noqa: E402

work, rounds, edits, bins = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
data = os.path.join(work, "data")
for r in range(rounds):
    for b in bins:
        load = os.getloadavg()
        times = serve.serve_set(b, data, work, "catalog", edits)
        print(f"{time.strftime('%H:%M:%S', time.gmtime())} round {r + 1} {os.path.basename(b)}: "
              f"{serve.summary(times)}; load {load[0]:.1f} -> {os.getloadavg()[0]:.1f}; "
              f"all ms: {' '.join(str(round(t * 1000)) for t in times)}", flush=True)
