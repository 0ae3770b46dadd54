#!/usr/bin/env bash
# floor.sh git|cat ROOT
# floor.sh write SITE DEST
#
# The I/O floor Portico is compared with: the least work that finds and reads
# every repository's catalog-info.yaml, with no parsing at all.
#   git: for each repository under ROOT (bare or work tree), `git ls-tree -r HEAD`
#        to find the file in the commit, then `git cat-file --batch` to read its
#        blob. Two git processes per repository, which is what any tool that
#        shells out to git pays.
#   cat: one `find` over the work trees and one `cat` of every file found.
# And the floor for writing a site to disk, whatever tool writes it:
#   write SITE DEST: delete the previous copy, then `cp -r` SITE to DEST
#        (`portico build` also replaces its previous site).
set -euo pipefail
mode=$1 root=$2
case $mode in
  git)
    for repo in "$root"/*/; do
      # The pathspec keeps ls-tree's output to the one path, so no third
      # process is needed to filter it before cat-file.
      git -C "$repo" ls-tree -r --format='%(objectname)' HEAD -- catalog-info.yaml |
        git -C "$repo" cat-file --batch >/dev/null
    done ;;
  cat)
    find "$root" -mindepth 2 -maxdepth 2 -name catalog-info.yaml -print0 |
      xargs -0 cat >/dev/null ;;
  write)
    rm -rf "$3"
    cp -r "$root" "$3" ;;
  *) echo "usage: floor.sh git|cat ROOT, or floor.sh write SITE DEST" >&2; exit 2 ;;
esac
