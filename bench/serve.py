#!/usr/bin/env python3
"""Edit-to-browser latency of `portico serve`, side by side with `mkdocs serve`
and with a full `portico build`, on gen_org.py input.

Usage:
    bench/serve.py [WORK] [--edits 50] [--mkdocs-edits 5 (0: no mkdocs)] [--portico PATH]
                   [--sets org50,single50,catalog] [--memory-edits 200]

For each set, a copy of the input is served (`portico serve --no-search
--port 0`); then, EDITS times: a unique line is appended to one Markdown page
(or, for `catalog`, one entity's description is replaced) and the page's URL
is fetched every 5 ms until it shows the line. The figure is the time from
the write to the first response holding it: what a docs author waits for.
Reported: median, p90 and max over the edits, beside a full `portico build`
of the same input (median of 3) and, for the single 2,000-page site,
`mkdocs serve` doing the same (its rebuilds are whole, so fewer edits). With
--memory-edits N, the server's resident memory is read after 10 edits and at
every fifth of N edits of the org50 set (a Markdown page and a catalog file
edited in turn).

Sets (made once in WORK/data with ../shared/bench/gen_org.py, seed 42):
  org50     50 repositories x 40 pages (2,000 pages), a docs site each
  single50  the same 2,000 pages as one docs site in one repository
  catalog   the catalog benchmark's org: 2,000 repositories, 13,000 entities
            (bench/gen_catalog_org.py; about 3 minutes to make)

Needs python3 >= 3.9; mkdocs for the mkdocs column (pip install mkdocs; the
script makes WORK/venv when it can). Standard library only otherwise.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SHARED = os.path.join(REPO, "..", "shared", "bench")

SINGLE_ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: handbook
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: documentation
  lifecycle: production
  owner: user:bench
"""


def make_data(work, sets):
    data = os.path.join(work, "data")
    os.makedirs(data, exist_ok=True)
    gen = os.path.join(SHARED, "gen_org.py")
    if "org50" in sets and not os.path.isdir(os.path.join(data, "org50")):
        subprocess.run([sys.executable, gen, os.path.join(data, "org50"), "--repos", "50",
                        "--pages", "40", "--seed", "42"], check=True, stdout=subprocess.DEVNULL)
    if "single50" in sets and not os.path.isdir(os.path.join(data, "single50")):
        flat = os.path.join(data, "flat50")
        if not os.path.isdir(flat):
            subprocess.run([sys.executable, gen, flat, "--repos", "50", "--pages", "40",
                            "--seed", "42", "--flat"], check=True, stdout=subprocess.DEVNULL)
        shutil.copytree(flat, os.path.join(data, "single50"))
        with open(os.path.join(data, "single50", "catalog-info.yaml"), "w") as f:
            f.write(SINGLE_ENTITY)
    if "catalog" in sets and not os.path.isdir(os.path.join(data, "catalog")):
        subprocess.run([sys.executable, os.path.join(HERE, "gen_catalog_org.py"),
                        os.path.join(data, "catalog")], check=True, stdout=subprocess.DEVNULL)
    return data


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except Exception:
        return ""


class Server:
    """A server started in `cwd`; its first stdout line names its URL."""

    def __init__(self, command, cwd, url_line):
        self.process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True)
        self.url = None
        started = time.time()
        while self.url is None:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                raise SystemExit(f"{command[0]} stopped before serving")
            self.url = url_line(line)
            if time.time() - started > 600:
                raise SystemExit("the server did not start")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def rss_mb(self):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return 0.0


def portico_url(line):
    if line.startswith("Serving http://"):
        return line.split()[1]
    return None


def wait_for(url, marker, timeout=120):
    started = time.perf_counter()
    while True:
        if marker in fetch(url):
            return time.perf_counter()
        if time.perf_counter() - started > timeout:
            raise SystemExit(f"{url} never showed {marker}")
        time.sleep(0.005)


def edit_loop(url, path, edits, make_text):
    """Appends (or replaces) a marker `edits` times; seconds per edit."""
    with open(path) as f:
        original = f.read()
    times = []
    for _ in range(edits):
        marker = "marker" + uuid.uuid4().hex[:12]
        text = make_text(original, marker)
        started = time.perf_counter()
        with open(path, "w") as f:
            f.write(text)
        times.append(wait_for(url, marker) - started)
        time.sleep(0.2)  # let the watcher settle between edits
    return times


def append_line(original, marker):
    return original + f"\n\nEdited line {marker}.\n"


def replace_description(original, marker):
    lines = original.split("\n")
    out = [f"  description: Edited {marker}" if l.startswith("  description:") else l for l in lines]
    return "\n".join(out)


def summary(times):
    ms = sorted(t * 1000 for t in times)
    p90 = ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return f"{statistics.median(ms):.0f} ms (p90 {p90:.0f}, max {ms[-1]:.0f}; {len(ms)} edits)"


def full_build(portico, data_set, out):
    times = []
    for _ in range(3):
        shutil.rmtree(out, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([portico, "build", data_set, "--out", out, "--no-search"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return f"{statistics.median(times) * 1000:.0f} ms"


def serve_set(portico, data, work, name, edits):
    copy = os.path.join(work, "edit", name)
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(data, name), copy)
    if name == "org50":
        page = os.path.join(copy, "scheduler-hub", "docs", "index.md")
        path = "docs/default/component/scheduler-hub/"
        make = append_line
    elif name == "single50":
        page = os.path.join(copy, "docs", "scheduler-hub", "index.md")
        path = "docs/default/component/handbook/scheduler-hub/"
        make = append_line
    else:
        page = os.path.join(copy, "audit-agent", "catalog-info.yaml")
        path = "catalog/default/component/audit-agent/"
        make = replace_description
    server = Server([portico, "serve", ".", "--port", "0", "--no-search"], copy, portico_url)
    try:
        times = edit_loop(server.url + path, page, edits, make)
    finally:
        server.stop()
    return times


def memory(portico, data, work, edits):
    """Resident memory of `portico serve` on org50 over `edits` edits, half
    to a Markdown page and half to a catalog file (an entity's description),
    read after 10 edits and then at every fifth of the run: (edits, MB)."""
    copy = os.path.join(work, "edit", "memory")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(data, "org50"), copy)
    page = os.path.join(copy, "scheduler-hub", "docs", "index.md")
    catalog = os.path.join(copy, "scheduler-hub", "catalog-info.yaml")
    docs_url = "docs/default/component/scheduler-hub/"
    entity_url = "catalog/default/component/scheduler-hub/"
    server = Server([portico, "serve", ".", "--port", "0", "--no-search"], copy, portico_url)
    samples = []
    checkpoints = {10} | {edits * k // 5 for k in range(1, 6)}
    try:
        for done in range(1, edits + 1):
            if done % 2:
                edit_loop(server.url + docs_url, page, 1, append_line)
            else:
                edit_loop(server.url + entity_url, catalog, 1, replace_description)
            if done in checkpoints:
                samples.append((done, server.rss_mb()))
    finally:
        server.stop()
    return samples


def mkdocs_binary(work):
    found = shutil.which("mkdocs")
    if found:
        return found
    venv = os.path.join(work, "venv")
    binary = os.path.join(venv, "bin", "mkdocs")
    if not os.path.exists(binary):
        try:
            subprocess.run([sys.executable, "-m", "venv", venv], check=True)
            subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "mkdocs"], check=True)
        except subprocess.CalledProcessError:
            return None
    return binary


def mkdocs_serve(mkdocs, data, work, edits):
    copy = os.path.join(work, "edit", "mkdocs")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(data, "flat50"), copy)
    page = os.path.join(copy, "docs", "scheduler-hub", "index.md")
    port = 18000 + os.getpid() % 1000
    process = subprocess.Popen([mkdocs, "serve", "-a", f"127.0.0.1:{port}"], cwd=copy,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    url = f"http://127.0.0.1:{port}/scheduler-hub/"
    try:
        started = time.time()
        while not fetch(url):
            if time.time() - started > 600:
                raise SystemExit("mkdocs serve did not start")
            time.sleep(0.5)
        return edit_loop(url, page, edits, append_line)
    finally:
        process.terminate()
        process.wait(10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("work", nargs="?", default="/tmp/portico-serve-bench")
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--mkdocs-edits", type=int, default=5)
    parser.add_argument("--memory-edits", type=int, default=0)
    parser.add_argument("--portico")
    parser.add_argument("--sets", default="org50,single50,catalog")
    parser.add_argument("--no-mkdocs", action="store_true")
    args = parser.parse_args()
    sets = args.sets.split(",")
    os.makedirs(args.work, exist_ok=True)
    portico = os.path.abspath(args.portico) if args.portico else None
    if not portico:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=REPO, check=True)
        portico = os.path.join(REPO, "target", "release", "portico")
    data = make_data(args.work, sets)
    print(f"cores: {os.cpu_count()}; load: {os.getloadavg()[0]:.2f}")
    print("| set | edit | portico serve: edit to new HTML | full portico build |")
    print("|---|---|---|---|")
    for name in sets:
        times = serve_set(portico, data, args.work, name, args.edits)
        what = "an entity's description" if name == "catalog" else "one page"
        build = full_build(portico, os.path.join(data, name), os.path.join(args.work, "out-" + name))
        print(f"| {name} | {what} | {summary(times)} | {build} |", flush=True)
    if "single50" in sets and not args.no_mkdocs and args.mkdocs_edits > 0:
        mkdocs = mkdocs_binary(args.work)
        if mkdocs:
            times = mkdocs_serve(mkdocs, data, args.work, args.mkdocs_edits)
            print(f"| single50 | one page | mkdocs serve: {summary(times)} | |")
        else:
            print("(mkdocs not available: its column is left out)")
    if args.memory_edits:
        samples = memory(portico, data, args.work, args.memory_edits)
        shown = ", ".join(f"{mb:.0f} MB after {n}" for n, mb in samples)
        after_10 = samples[0][1]
        spread = max(abs(mb - after_10) / after_10 * 100 for _, mb in samples)
        print(f"memory (org50, page and catalog edits in turn): {shown}; "
              f"at most {spread:.1f} % from the figure after 10 edits")


if __name__ == "__main__":
    main()
