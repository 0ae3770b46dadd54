"""Rewrites the first `description:` of a catalog file with a new suffix.

    python3 bench/edit_description.py PATH

Each run ends the description with ` ~<nanoseconds>` (replacing the last
run's), so every run is a real change of one entity's description: the
catalog edit `catalog_cache.sh` and `serve_timing.sh` time.
"""
import re
import sys
import time

path = sys.argv[1]
text = open(path).read()
text = re.sub(r"description: (.*)",
              lambda m: "description: " + m.group(1).split(" ~")[0] + " ~%d" % time.time_ns(),
              text, count=1)
open(path, "w").write(text)
