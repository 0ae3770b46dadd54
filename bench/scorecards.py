#!/usr/bin/env python3
"""Scorecards benchmark: what evaluating scorecards, and 12 weeks of their
history, add to a build.

Usage:
    bench/scorecards.py [WORKDIR] [--repos 2000] [--runs 5] [--portico PATH]

1. `cargo build --release` unless --portico is given;
2. `../shared/bench/gen_org.py WORKDIR/org --repos N --pages 1 --seed 42`
   (kept for the next run when N matches), then three dated commits per
   repository (2024-01-15, 2024-02-05, 2024-02-26: a CODEOWNERS file, a CI
   workflow, a LICENSE) so that history has weeks that differ; gen_org.py
   alone makes two commits on one day;
3. builds the org (`--no-cache`, site in /dev/shm when it exists) on the day
   2024-03-01 (`SOURCE_DATE_EPOCH`) three ways:
   - none:    a scorecard whose filter selects no entity (the build without
              scorecards: definitions read, nothing evaluated);
   - default: the built-in default scorecard (11 rules);
   - history: the default scorecard with `--history 12w`;
   each RUNS times in turn (none, default, history, none, ...) so drift
   on a shared machine hits all three alike, and prints the median wall
   time and CPU time (user + system, all threads) of each build and the
   median of the scorecards stage alone (`PORTICO_TIMINGS=1`: wall, and
   CPU where the binary prints it), with the ratios the issue sets goals
   for: default / none (< 1.10) and history stage / default stage (< 4).
   On a loaded machine read the CPU figures: wall times there measure
   the other jobs as much as Portico.

Python 3 stdlib only.
"""
import argparse
import concurrent.futures
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
GEN_ORG = os.path.join(CRATE, "..", "shared", "bench", "gen_org.py")
TODAY = "1709294400"  # 2024-03-01T12:00:00Z
COMMITS = [
    ("2024-01-15T12:00:00+00:00", "CODEOWNERS", "* @example-org/owners\n"),
    ("2024-02-05T12:00:00+00:00", ".github/workflows/ci.yml", "on: push\njobs: {}\n"),
    ("2024-02-26T12:00:00+00:00", "LICENSE", "MIT License\n"),
]
NONE_CARD = """name: none
title: Nothing
filter: { kind: [NoSuchKind] }
levels: [one]
rules:
  - id: never
    level: one
    check: { field: { path: metadata.name } }
"""


def git(repo, date, *args):
    env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_NOSYSTEM="1",
               GIT_AUTHOR_NAME="Bench", GIT_AUTHOR_EMAIL="bench@example.com",
               GIT_COMMITTER_NAME="Bench", GIT_COMMITTER_EMAIL="bench@example.com",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=repo, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def dated_commits(repo):
    for date, path, text in COMMITS:
        full = os.path.join(repo, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
        git(repo, date, "add", "-A")
        git(repo, date, "commit", "-q", "-m", "add " + path)


def prepare(work, repos):
    org = os.path.join(work, "org")
    stamp = os.path.join(work, "ready-%d" % repos)
    if os.path.exists(stamp):
        return org
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    subprocess.run([sys.executable, GEN_ORG, org, "--repos", str(repos), "--pages", "1",
                    "--seed", "42"], check=True, stdout=subprocess.DEVNULL)
    names = sorted(n for n in os.listdir(org) if os.path.isdir(os.path.join(org, n, ".git")))
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: dated_commits(os.path.join(org, n)), names))
    with open(os.path.join(work, "none.yaml"), "w") as f:
        f.write(NONE_CARD)
    with open(os.path.join(work, "none.toml"), "w") as f:
        f.write('roots = ["org"]\n[scorecards]\npaths = ["none.yaml"]\n')
    with open(os.path.join(work, "default.toml"), "w") as f:
        f.write('roots = ["org"]\n')
    open(stamp, "w").close()
    return org


def run(portico, work, config, extra, out):
    env = dict(os.environ, SOURCE_DATE_EPOCH=TODAY, PORTICO_TIMINGS="1", NO_COLOR="1")
    cmd = [portico, "build", "--config", os.path.join(work, config), "--no-cache",
           "--out", out, *extra]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode > 1:
        sys.exit("build failed: %s\n%s" % (" ".join(cmd), done.stderr[-2000:]))
    # The history line holds colons of its own: "scorecards (history: ...): N ms".
    stage = re.search(r"timing: scorecards(?: \([^)]*\))?: ([0-9.]+) ms(?: \(cpu ([0-9]+) ms\))?",
                      done.stderr)
    history = re.search(r"scorecards \((history[^)]*)\)", done.stderr)
    nan = float("nan")
    stage_wall = float(stage.group(1)) / 1000 if stage else nan
    stage_cpu = float(stage.group(2)) / 1000 if stage and stage.group(2) else nan
    return (wall, cpu, stage_wall, stage_cpu), history.group(1) if history else ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("work", nargs="?", default="/tmp/portico-scorecards-bench")
    ap.add_argument("--repos", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--portico")
    args = ap.parse_args()
    portico = args.portico
    if not portico:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=CRATE, check=True)
        portico = os.path.join(CRATE, "target", "release", "portico")
    work = os.path.abspath(args.work)
    prepare(work, args.repos)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else work
    # One site folder per run of this script: two benches at once must not
    # build into one folder.
    out = os.path.join(base, "portico-scorecards-bench-site-%d" % os.getpid())
    variants = [("none", "none.toml", []), ("default", "default.toml", []),
                ("history 12w", "default.toml", ["--history", "12w"])]
    # Per variant: (wall, cpu, stage wall, stage cpu) of each run.
    figures = {name: [] for name, _, _ in variants}
    note = ""
    for i in range(args.runs + 1):
        for name, config, extra in variants:
            measured, hist = run(portico, work, config, extra, out)
            if i > 0:  # the first round warms the page cache
                figures[name].append(measured)
            note = hist or note
    shutil.rmtree(out, ignore_errors=True)
    # The build's lock file beside the site is never deleted by portico (a
    # lock must outlive its holders); this site's name is per run, so remove it.
    lock = os.path.join(base, ".%s.portico-lock" % os.path.basename(out))
    if os.path.exists(lock):
        os.remove(lock)
    med = {name: [statistics.median(column) for column in zip(*runs)]
           for name, runs in figures.items()}
    print("| build | wall (s) | CPU (s) | scorecards stage wall (s) | stage CPU (s) |")
    print("|---|---|---|---|---|")
    for name, (w, c, sw, sc) in med.items():
        print("| %s | %.2f | %.2f | %.3f | %.3f |" % (name, w, c, sw, sc))
    print()
    history, default, none = med["history 12w"], med["default"], med["none"]

    def ratio(a, b):
        # A tiny org's stage can take under the CPU clock's 10 ms tick.
        return a / b if b else float("nan")

    print("default / none, whole build: wall %.3f, CPU %.3f (goal < 1.10)"
          % (ratio(default[0], none[0]), ratio(default[1], none[1])))
    print("history / default, scorecards stage: wall %.2f, CPU %.2f (goal < 4)"
          % (ratio(history[2], default[2]), ratio(history[3], default[3])))
    print("history / default, whole build: wall %.3f, CPU %.3f"
          % (ratio(history[0], default[0]), ratio(history[1], default[1])))
    print("history run: %s" % note)


if __name__ == "__main__":
    main()
