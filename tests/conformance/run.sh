#!/usr/bin/env bash
# Runs Backstage's own catalog code (pinned in package-lock.json) on
# example-org and the corpus, and diffs it with Portico (see README.md).
# Exit status: 0 when every difference is in allowed.txt (or when the
# harness cannot run: no Node, or npm ci failed, said on a
# "conformance SKIPPED: ..." line), 1 when one is not.
# PORTICO: the binary to check (default: target/debug/portico).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
portico=${PORTICO:-$project/target/debug/portico}
cd "$here"
mkdir -p out

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "conformance SKIPPED: node and npm are not installed (Debian: apt-get install nodejs npm)"
  exit 0
fi
if [ ! -x "$portico" ]; then
  echo "conformance: no portico binary at $portico (build it, or set PORTICO)" >&2
  exit 2
fi
# The lockfile pins every package; install scripts are not needed.
if ! npm ci --no-audit --no-fund --ignore-scripts >out/npm-ci.log 2>&1; then
  echo "conformance SKIPPED: npm ci failed (is the npm registry reachable?); last lines of out/npm-ci.log:"
  tail -n 5 out/npm-ci.log | sed 's/^/  /'
  exit 0
fi
EXAMPLE_ORG="$project/example-org" ./prepare-web.sh >/dev/null || exit 2
node conformance.js --portico "$portico"
