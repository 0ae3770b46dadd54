#!/usr/bin/env python3
"""Portico catalog benchmark: discover + read + validate + relate (+ write).

Usage:
    bench/catalog.py [WORKDIR] [--repos 2000] [--entities 13000] [--seed 42] [--runs 5]

From scratch, into WORKDIR (default /tmp/portico-catalog-bench):
1. builds Portico in release;
2. generates the org (bench/gen_catalog_org.py) into WORKDIR/work and bare
   clones of every repository into WORKDIR/bare (reused on the next run when
   the parameters match: delete WORKDIR to start over);
3. times, side by side in one run, `portico check` and `portico build` on the
   work trees and on the bare clones, and the I/O floors (bench/floor.sh);
4. runs each Portico command once more under /usr/bin/time -v for peak memory
   and the entity, relation and diagnostic counts;
5. prints a Markdown table (also saved as WORKDIR/results.md).

Times with hyperfine when installed, else with a simple Python loop. Both give
min and median of --runs runs after one warm-up run (the page cache is warm:
this measures Portico, not the disk).
"""
import argparse
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAIN = os.path.dirname(HERE)
EXE = os.path.join(MAIN, "target", "release", "portico")


def generate(w, repos, entities, seed):
    """The org as work trees (w/work) and as bare clones (w/bare)."""
    stamp = os.path.join(w, "org.stamp")
    want = "repos=%d entities=%d seed=%d\n" % (repos, entities, seed)
    if os.path.exists(stamp) and open(stamp).read() == want:
        print("reusing the org in %s (%s)" % (w, want.strip()))
        return
    work, bare = os.path.join(w, "work"), os.path.join(w, "bare")
    for d in (work, bare):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(bare, exist_ok=True)
    subprocess.run([sys.executable, os.path.join(HERE, "gen_catalog_org.py"), work,
                    "--repos", str(repos), "--entities", str(entities), "--seed", str(seed)],
                   check=True)
    # --no-local: clone through the pack protocol, so the bare repositories are
    # packed like a real mirror, not hard links to gen_org.py's loose objects.
    def clone(r):
        subprocess.run(["git", "clone", "-q", "--bare", "--no-local", os.path.join(work, r),
                        os.path.join(bare, r + ".git")], check=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(clone, sorted(os.listdir(work))))
    with open(stamp, "w") as f:
        f.write(want)


def commands(w):
    """(name, command) pairs, Portico first, then the floors."""
    floor = "bash %s" % shlex.quote(os.path.join(HERE, "floor.sh"))
    q = lambda *p: shlex.quote(os.path.join(w, *p))
    return [
        ("check, work trees", "%s check %s" % (EXE, q("work"))),
        ("check, bare", "%s check %s" % (EXE, q("bare"))),
        ("build, work trees", "%s build %s --out %s" % (EXE, q("work"), q("site-work"))),
        ("build, bare", "%s build %s --out %s" % (EXE, q("bare"), q("site-bare"))),
        ("floor: git ls-tree + cat-file, work trees", "%s git %s" % (floor, q("work"))),
        ("floor: git ls-tree + cat-file, bare", "%s git %s" % (floor, q("bare"))),
        ("floor: find + cat, work trees", "%s cat %s" % (floor, q("work"))),
    ]


def time_all(cmds, runs, w):
    """name -> list of wall times in seconds."""
    if shutil.which("hyperfine"):
        out = os.path.join(w, "hyperfine.json")
        args = ["hyperfine", "-N", "-i", "--warmup", "1", "--runs", str(runs), "--export-json", out]
        for name, cmd in cmds:
            args += ["-n", name, cmd]
        subprocess.run(args, check=True)
        with open(out) as f:
            return {r["command"]: r["times"] for r in json.load(f)["results"]}
    print("hyperfine not found: timing with a Python loop")
    times = {}
    for name, cmd in cmds:
        for k in range(runs + 1):  # the first run warms up and is not counted
            t = time.perf_counter()
            subprocess.run(shlex.split(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if k:
                times.setdefault(name, []).append(time.perf_counter() - t)
        print("%-45s min %.3f s  median %.3f s" % (name, min(times[name]), statistics.median(times[name])))
    return times


def details(cmd):
    """(peak RSS in MiB or None, Portico's summary line) of one more run."""
    time_v = ["/usr/bin/time", "-v"] if os.path.exists("/usr/bin/time") else []
    p = subprocess.run(time_v + shlex.split(cmd), capture_output=True, text=True)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    summary = re.findall(r"^(?:Checked|Built) .*$", p.stdout + p.stderr, re.M)
    return (int(rss.group(1)) / 1024 if rss else None), (summary[-1] if summary else "?")


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("workdir", nargs="?", default="/tmp/portico-catalog-bench")
    ap.add_argument("--repos", type=int, default=2000)
    ap.add_argument("--entities", type=int, default=13000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    w = os.path.abspath(a.workdir)
    os.makedirs(w, exist_ok=True)

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=MAIN, check=True)
    generate(w, a.repos, a.entities, a.seed)
    cmds = commands(w)
    load_before = load_average()
    times = time_all(cmds, a.runs, w)
    load_after = load_average()
    extra = {name: details(cmd) for name, cmd in cmds if cmd.startswith(EXE)}

    median = {n: statistics.median(t) for n, t in times.items()}
    git_floor = {"work trees": median[cmds[4][0]], "bare": median[cmds[5][0]]}
    cat_floor = median[cmds[6][0]]
    version = subprocess.run([EXE, "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "%s, %d CPUs, %s; %d runs after 1 warm-up; load average %s before, %s after" % (
            version, os.cpu_count(), "hyperfine" if shutil.which("hyperfine") else "python loop",
            a.runs, load_before, load_after),
        "",
        "| command | min (s) | median (s) | ÷ git floor | ÷ cat floor | peak RSS (MiB) | Portico's summary |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, _ in cmds:
        kind = "bare" if name.endswith("bare") else "work trees"
        ratio_git = "%.2f" % (median[name] / git_floor[kind])
        ratio_cat = "%.2f" % (median[name] / cat_floor) if kind == "work trees" else ""
        rss, summary = extra.get(name, (None, ""))
        lines.append("| %s | %.3f | %.3f | %s | %s | %s | %s |" % (
            name, min(times[name]), median[name], ratio_git, ratio_cat,
            "%.0f" % rss if rss else "", summary.replace(w + "/", "")))
    report = "\n".join(lines) + "\n"
    with open(os.path.join(w, "results.md"), "w") as f:
        f.write(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
