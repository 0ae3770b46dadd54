#!/usr/bin/env bash
# Page quality of a built site: Lighthouse and axe-core (pinned in
# package-lock.json) in Debian's Chromium, on six pages (see README.md).
#
#   tests/quality/run.sh SITE [--screenshots DIR] [--bar N]
#
# Exit status: 0 when every page reaches the bar (or when the harness
# cannot run: no Node or Chromium, or npm ci failed, said on a
# "page quality SKIPPED: ..." line), 1 when a page does not, 2 on misuse.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -lt 1 ]; then
  echo "usage: tests/quality/run.sh SITE [--screenshots DIR] [--bar N]" >&2
  exit 2
fi
site=$(cd "$1" 2>/dev/null && pwd) || { echo "page quality: no site folder at $1" >&2; exit 2; }
shift
# Paths given after the site are taken from where the script was called.
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshots) mkdir -p "$2" && args+=(--screenshots "$(cd "$2" && pwd)"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
chrome=${CHROME_PATH:-$(command -v chromium || command -v chromium-browser || true)}
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "page quality SKIPPED: node and npm are not installed (Debian: apt-get install nodejs npm)"
  exit 0
fi
if [ -z "$chrome" ]; then
  echo "page quality SKIPPED: no Chromium (Debian: apt-get install chromium), or set CHROME_PATH"
  exit 0
fi
cd "$here"
mkdir -p out
# The lockfile pins every package; no install scripts (Chromium is
# Debian's, never a downloaded one).
if ! npm ci --no-audit --no-fund --ignore-scripts >out/npm-ci.log 2>&1; then
  echo "page quality SKIPPED: npm ci failed (is the npm registry reachable?); last lines of out/npm-ci.log:"
  tail -n 5 out/npm-ci.log | sed 's/^/  /'
  exit 0
fi
CHROME_PATH="$chrome" node quality.mjs --site "$site" --out out "${args[@]+"${args[@]}"}"
