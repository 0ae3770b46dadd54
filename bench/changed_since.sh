#!/usr/bin/env bash
# `check --changed-since` on a one-file change in the 2,000-repository org
# (gen_catalog_org.py), beside plain checks, with hyperfine.
#
#   bench/changed_since.sh [WORKDIR] [PORTICO]
#
# WORKDIR (default /tmp/portico-changed-since) keeps the org (work/) and the
# site built from main (site/) for the next run. The change: one line added to
# audit-agent's docs/index.md, committed on the branch `pr`; the repository is
# put back on main at the end.
set -euo pipefail
work=${1:-/tmp/portico-changed-since}
portico=$(realpath "${2:-target/release/portico}")
here=$(dirname "$0")
[ -d "$work/work" ] || python3 "$here/gen_catalog_org.py" "$work/work"
repo=$work/work/audit-agent
# The site of main (the org has one error on purpose: status 1 is expected).
[ -f "$work/site/catalog.json" ] ||
    "$portico" build "$work/work" --out "$work/site" --no-search --no-cache >/dev/null 2>&1 || true
git() { command git -C "$repo" -c user.name=Bench -c user.email=bench@example.com "$@"; }
git checkout -q -B pr main
echo "One more line." >> "$repo/docs/index.md"
git commit -qam "one-file change"
trap 'git checkout -q main' EXIT
hyperfine --warmup 1 --runs 10 -i \
    -n "changed-since, one repo, --site" "$portico check $repo --changed-since main --site $work/site" \
    -n "one repo, --site" "$portico check $repo --site $work/site" \
    -n "one repo" "$portico check $repo" \
    -n "changed-since, whole org" "$portico check $work/work --changed-since main" \
    -n "whole org" "$portico check $work/work"
