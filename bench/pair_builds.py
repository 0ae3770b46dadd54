#!/usr/bin/env python3
"""One-page and clean builds of org50 by two binaries in turn (issue 11's "one page changed ÷ clean
build"), as bench/README's sections since 2026-12-07 measure them.

    bench/pair_builds.py MODE BEFORE_BIN AFTER_BIN ROUNDS [WORK]

MODE: one (one page appended to each round, then a build by each binary, each with its own --cache
and --out), clean (--no-cache into an empty --out), both (one, then clean, each round: every
binary's one-page builds are about two seconds apart, outside the kept folder's one-second window
in which a folder's listing is not trusted). The order alternates each round. Wall time from
perf_counter, CPU (user + system) from getrusage. Prints medians, AFTER ÷ BEFORE as the ratio of
medians and as the median of the rounds' ratios, and with `both` each binary's one page ÷ clean.
WORK (default /dev/shm/inc; use tmpfs) gets org50 from ../shared/bench/gen_org.py if it has none.
"""
import os, resource, shutil, statistics, subprocess, sys, time

mode, A, B, R = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
W = sys.argv[5] if len(sys.argv) > 5 else "/dev/shm/inc"
shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench")
os.makedirs(W, exist_ok=True)
os.chdir(W)
if not os.path.isdir("org50"):
    subprocess.run(
        [sys.executable, os.path.join(shared, "gen_org.py"), "org50", "--repos", "50", "--pages", "40", "--seed", "42"],
        stdout=subprocess.DEVNULL, check=True,
    )
pages = sorted(
    os.path.join(d, f)
    for d, _, fs in os.walk("org50")
    if "/docs" in d and ".git" not in d
    for f in fs
    if f.endswith(".md")
)


def run(args):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    if p.returncode not in (0, 1):
        sys.exit(f"{args} exited {p.returncode}")
    return wall, cpu


bins = {"A": A, "B": B}  # A: BEFORE_BIN, B: AFTER_BIN
for k, b in bins.items():
    shutil.rmtree(f"cache-{k}", ignore_errors=True)
    shutil.rmtree(f"out-{k}", ignore_errors=True)
    run([b, "build", "org50", "--out", f"out-{k}", "--cache", f"cache-{k}"])
res = {(k, m): [] for k in bins for m in ("one", "clean")}
for r in range(R):
    order = ["A", "B"] if r % 2 == 0 else ["B", "A"]
    if mode in ("one", "both"):
        with open(pages[(r * 37) % len(pages)], "a") as f:
            f.write(f"\nAppended line {r}.\n")
        for k in order:
            res[(k, "one")].append(run([bins[k], "build", "org50", "--out", f"out-{k}", "--cache", f"cache-{k}"]))
    if mode in ("clean", "both"):
        for k in order:
            shutil.rmtree(f"clean-{k}", ignore_errors=True)
            res[(k, "clean")].append(run([bins[k], "build", "org50", "--out", f"clean-{k}", "--no-cache"]))
for m in ("one", "clean"):
    a, b = res[("A", m)], res[("B", m)]
    if not a:
        continue
    for i, name in ((0, "wall"), (1, "cpu")):
        ma, mb = statistics.median(x[i] for x in a), statistics.median(x[i] for x in b)
        pw = statistics.median(y[i] / x[i] for x, y in zip(a, b))
        print(f"{m:5} {name:4} A {ma*1000:7.1f} ms  B {mb*1000:7.1f} ms  B/A median {mb/ma:.3f}  pairwise {pw:.3f}")
if mode == "both":
    for k in bins:
        for i, name in ((0, "wall"), (1, "cpu")):
            o = statistics.median(x[i] for x in res[(k, "one")])
            c = statistics.median(x[i] for x in res[(k, "clean")])
            print(f"{k} one/clean {name}: {o/c*100:.1f} %")
print(os.getloadavg())
