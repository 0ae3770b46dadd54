#!/usr/bin/env bash
# Search benchmark: Portico's two indexes (tantivy for `portico search`, the
# sharded script index for browsers) side by side, in one run, with
# Pagefind indexing the very HTML Portico built, on gen_org.py input.
#
#   bench/search.sh [WORK_DIR] [SETS...]      SETS: org50 (2,000 pages) org200 (10,000)
#
# Reports: indexing time (build with search minus build with --no-search,
# hyperfine means), Pagefind's indexing time, index bytes and files, bytes
# a browser downloads for one 2-word query (and the results shown), the
# query time in Chromium, and `portico search` as a cold process.
# Needs python3 (venv), cargo, hyperfine, chromium.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=$(cd "$repo/../shared/bench" && pwd)
work=${1:-/tmp/portico-search-bench}
shift || true
sets=${*:-org50 org200}
mkdir -p "$work/data"
cd "$work"

command -v hyperfine >/dev/null || apt-get install -y -qq hyperfine >/dev/null
if [ ! -x venv/bin/python ] || ! ls venv/lib/python3*/site-packages/pagefind_bin_extended >/dev/null 2>&1 \
   || ! venv/bin/python -c 'import selenium' 2>/dev/null; then
  python3 -m venv venv
  venv/bin/pip install -q 'pagefind[extended]==1.5.2' selenium
fi
PAGEFIND=$(ls "$work"/venv/lib/python3*/site-packages/pagefind_bin_extended/pagefind_extended | head -n 1)
(cd "$repo" && cargo build --release -q)
PORTICO="$repo/target/release/portico"
out=/dev/shm/portico-search-bench
mkdir -p "$out"
QUERY="replica backoff"

declare -A pages=([org50]="--repos 50 --pages 40" [org200]="--repos 200 --pages 50")
report="$work/search-results.md"
{
  echo "| set | portico build (s) | --no-search (s) | indexing (s) | Pagefind (s) | ratio | web index | documents.bin | Pagefind index | 1st query bytes: Portico / Pagefind | Portico ms: 1st keystroke→results / next keystroke / ranking only | Pagefind ms: 1st query / again |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$report"



for set in $sets; do
  [ -d "data/$set" ] || python3 "$shared/gen_org.py" "data/$set" ${pages[$set]} --seed 42 >/dev/null
  site="$out/$set-site"
  bare="$out/$set-bare"
  # Each run into an empty --out (emptied untimed): over the last site, a
  # build also deletes it, which weighs more on the bigger site with search.
  hyperfine -i -w 1 -r 5 -N --export-json "$work/$set-build.json" \
    --prepare "rm -rf $site" --prepare "rm -rf $bare" \
    "$PORTICO build data/$set --no-cache --out $site" \
    "$PORTICO build data/$set --no-cache --no-search --out $bare" >/dev/null 2>&1 || true
  PORTICO_TIMINGS=1 "$PORTICO" build "data/$set" --no-cache --out "$site" 2>&1 | grep timing: > "$work/$set-timings.txt" || true
  "$PORTICO" build "data/$set" --no-cache --no-search --out "$bare" >/dev/null 2>&1 || true
  hyperfine -w 1 -r 3 -N --export-json "$work/$set-pagefind.json" \
    "$PAGEFIND --site $bare --output-path $out/$set-pagefind" >/dev/null 2>&1
  "$PAGEFIND" --site "$bare" --output-path "$out/$set-pagefind" >/dev/null 2>&1
  # `portico search` indexes documents.bin into its cache on first use:
  # the first search (an empty cache each run), then later ones.
  hyperfine -i -r 5 -N --prepare "rm -rf $out/xdg" --export-json "$work/$set-cli-first.json" \
    "env XDG_CACHE_HOME=$out/xdg $PORTICO search --site $site --json $QUERY" >/dev/null 2>&1 || true
  hyperfine -i -w 2 -r 10 -N --export-json "$work/$set-cli.json" \
    "env XDG_CACHE_HOME=$out/xdg $PORTICO search --site $site --json $QUERY" >/dev/null 2>&1 || true

  # The same 2-word query in Chromium, over HTTP (bench/search_browser.py).
  browser=$(venv/bin/python "$here/search_browser.py" "$site" "$out" "$set-pagefind" "$QUERY")
  echo "$set browser: $browser"

  python3 - "$work" "$set" "$site" "$out/$set-pagefind" "$browser" >> "$report" <<'EOF'
import json, os, sys
work, name, site, pf, browser = sys.argv[1:]
def mean(path, i=0):
    return json.load(open(path))["results"][i]["mean"]
def size(folder):
    n = b = 0
    for d, _, fs in os.walk(folder):
        for f in fs:
            n += 1; b += os.path.getsize(os.path.join(d, f))
    return f"{b/1e6:.1f} MB, {n} files"
build, bare = mean(f"{work}/{name}-build.json", 0), mean(f"{work}/{name}-build.json", 1)
pagefind = mean(f"{work}/{name}-pagefind.json")
b = json.loads(browser); o, t = b["portico"], b["pagefind"]
print(f"| {name} | {build:.3f} | {bare:.3f} | {build-bare:.3f} | {pagefind:.2f} | {(build-bare)/pagefind:.3f} | "
      f"{size(site + '/_search/web')} | {size(site + '/_search/terminal')} | {size(pf)} | "
      f"{o.get('bytes',0)/1e3:.0f} KB ({o.get('files')} files) / {t.get('bytes',0)/1e3:.0f} KB ({t.get('files')} files) | "
      f"{o.get('keystroke_to_results_ms')} / {o.get('next_keystroke_ms')} / {o.get('warm_ms')} | {t.get('cold_ms')} / {t.get('warm_ms')} |")
EOF
  for run in cli-first cli; do
    echo "\`portico search\` ($set, $run): $(python3 -c "import json;r=json.load(open('$work/$set-$run.json'))['results'][0];print(f\"{r['mean']*1000:.1f} ms ± {r['stddev']*1000:.1f}\")")" >> "$work/cli.txt"
  done
done
cat "$report"
cat "$work/cli.txt"; rm -f "$work/cli.txt"
