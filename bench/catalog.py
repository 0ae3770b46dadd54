#!/usr/bin/env python3
"""Portico catalog benchmark: discover + read + validate + relate (+ write).

Usage:
    bench/catalog.py [WORKDIR] [--repos 2000] [--entities 13000] [--seed 42] [--runs 5]
                     [--no-techdocs] [--portico EXE]

From scratch, into WORKDIR (default /tmp/portico-catalog-bench[-no-techdocs]):
1. builds Portico in release (unless --portico names a binary to time);
2. generates the org (bench/gen_catalog_org.py) into WORKDIR/work and bare
   clones of every repository into WORKDIR/bare (reused on the next run when
   the parameters match: delete WORKDIR to start over);
3. times, side by side in one run, `portico check` and `portico build` on the
   work trees and on the bare clones, and the I/O floors (bench/floor.sh);
4. runs each Portico command once more under /usr/bin/time -v for peak memory
   and the entity, relation and diagnostic counts;
5. prints a Markdown table (also saved as WORKDIR/results.md).

Times with hyperfine when installed, else with a simple Python loop. Both give
min and median of --runs runs after one warm-up run, so the page cache is warm
and reads come from memory.
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
EXE = os.path.join(MAIN, "target", "release", "portico")  # unless --portico


def generate(w, repos, entities, seed, no_techdocs):
    """The org as work trees (w/work) and as bare clones (w/bare)."""
    stamp = os.path.join(w, "org.stamp")
    want = "repos=%d entities=%d seed=%d no_techdocs=%s\n" % (repos, entities, seed, no_techdocs)
    if os.path.exists(stamp) and open(stamp).read() == want:
        print("reusing the org in %s (%s)" % (w, want.strip()))
        return
    work, bare = os.path.join(w, "work"), os.path.join(w, "bare")
    for d in (work, bare):
        shutil.rmtree(d, ignore_errors=True)
    os.makedirs(bare, exist_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, os.path.join(HERE, "gen_catalog_org.py"), work,
                    "--repos", str(repos), "--entities", str(entities), "--seed", str(seed)]
                   + (["--no-techdocs"] if no_techdocs else []), check=True)
    # gen_org.py leaves every object loose; real clones are packed, and reading
    # loose objects costs Portico's history walks about twice as much. So pack
    # the work trees, and clone through the pack protocol (--no-local) so the
    # bare repositories are packed too rather than hard links to loose objects.
    def pack_and_clone(r):
        subprocess.run(["git", "-C", os.path.join(work, r), "repack", "-a", "-d", "-q"], check=True)
        subprocess.run(["git", "clone", "-q", "--bare", "--no-local", os.path.join(work, r),
                        os.path.join(bare, r + ".git")], check=True)
    generated = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(pack_and_clone, sorted(os.listdir(work))))
    print("generated in %.0f s, packed and cloned bare in %.0f s" % (
        generated - started, time.perf_counter() - generated))
    with open(stamp, "w") as f:
        f.write(want)


def commands(w, ram):
    """(name, command) pairs, Portico first, then the floors. Sites go to `ram`
    (tmpfs) except one build on disk: on disk, the file system's cost of
    creating 26,000 inodes right after deleting the last 26,000 swamps the rest."""
    floor = "bash %s" % shlex.quote(os.path.join(HERE, "floor.sh"))
    q = lambda *p: shlex.quote(os.path.join(*p))
    return [
        ("check, work trees", "%s check %s" % (EXE, q(w, "work"))),
        ("check, bare", "%s check %s" % (EXE, q(w, "bare"))),
        # --no-cache: with the build cache (on by default), every run after
        # the warm-up was a "nothing changed" build.
        ("build, work trees, site on tmpfs", "%s build %s --out %s --no-cache" % (EXE, q(w, "work"), q(ram, "site-work"))),
        ("build, bare, site on tmpfs", "%s build %s --out %s --no-cache" % (EXE, q(w, "bare"), q(ram, "site-bare"))),
        ("build, bare, site on disk", "%s build %s --out %s --no-cache" % (EXE, q(w, "bare"), q(w, "site-disk"))),
        ("floor: git ls-tree + cat-file, work trees", "%s git %s" % (floor, q(w, "work"))),
        ("floor: git ls-tree + cat-file, bare", "%s git %s" % (floor, q(w, "bare"))),
        ("floor: find + cat, work trees", "%s cat %s" % (floor, q(w, "work"))),
        # Copies the site the tmpfs build wrote: the disk cost of any tool writing it.
        ("floor: rm -rf + cp -r the site, disk", "%s write %s %s" % (floor, q(ram, "site-bare"), q(w, "cp-site"))),
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
    ap.add_argument("workdir", nargs="?")
    ap.add_argument("--repos", type=int, default=2000)
    ap.add_argument("--entities", type=int, default=13000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-techdocs", action="store_true", help="no docs sites: the catalog alone")
    ap.add_argument("--portico", help="time this binary instead of building target/release/portico")
    a = ap.parse_args()
    suffix = "-no-techdocs" if a.no_techdocs else ""
    w = os.path.abspath(a.workdir or "/tmp/portico-catalog-bench" + suffix)
    os.makedirs(w, exist_ok=True)

    global EXE
    if a.portico:
        EXE = os.path.abspath(a.portico)
    else:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=MAIN, check=True)
    generate(w, a.repos, a.entities, a.seed, a.no_techdocs)
    # Sites go to RAM when there is a tmpfs, so the build rows measure Portico.
    ram = "/dev/shm/portico-catalog-bench" + suffix if os.path.isdir("/dev/shm") else w
    cmds = commands(w, ram)
    load_before = load_average()
    times = time_all(cmds, a.runs, w)
    load_after = load_average()
    extra = {name: details(cmd) for name, cmd in cmds if cmd.startswith(EXE)}
    if ram != w:
        shutil.rmtree(ram, ignore_errors=True)

    median = {n: statistics.median(t) for n, t in times.items()}
    floor = lambda what: next(median[n] for n in median if n.startswith("floor: " + what))
    floors = {"git": {"work trees": floor("git ls-tree + cat-file, work trees"),
                      "bare": floor("git ls-tree + cat-file, bare")},
              "cat": floor("find + cat"), "write": floor("rm -rf + cp -r")}
    version = subprocess.run([EXE, "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "%s (%s), %d CPUs, %s; %d runs after 1 warm-up; load average %s before, %s after" % (
            version, EXE, os.cpu_count(), "hyperfine" if shutil.which("hyperfine") else "python loop",
            a.runs, load_before, load_after),
        "",
        "| command | min (s) | median (s) | median ÷ floor | peak RSS (MiB) | Portico's summary |",
        "|---|---|---|---|---|---|",
    ]
    for name, _ in cmds:
        ratios = []
        if not name.startswith("floor"):
            kind = "bare" if ", bare" in name else "work trees"
            ratios.append("git %.2f" % (median[name] / floors["git"][kind]))
            if kind == "work trees":
                ratios.append("cat %.1f" % (median[name] / floors["cat"]))
            if "on disk" in name:
                ratios.append("write %.2f" % (median[name] / floors["write"]))
        rss, summary = extra.get(name, (None, ""))
        lines.append("| %s | %.3f | %.3f | %s | %s | %s |" % (
            name, min(times[name]), median[name], ", ".join(ratios),
            "%.0f" % rss if rss else "", summary.replace(w + "/", "").replace(ram + "/", "")))
    report = "\n".join(lines) + "\n"
    with open(os.path.join(w, "results.md"), "w") as f:
        f.write(report)
    print("\n" + report)


if __name__ == "__main__":
    main()
