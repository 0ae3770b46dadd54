#!/usr/bin/env python3
"""Generate a catalog-heavy synthetic org for the catalog benchmark.

Usage:
    gen_catalog_org.py OUT [--repos 2000] [--entities 13000] [--seed 42] [--no-techdocs]
                           [--gen-org PATH]

Runs ../shared/bench/gen_org.py (one docs page per repo: this benchmark is
about the catalog), then grows the org to about --entities entities with what
a real Backstage org also has and gen_org.py leaves out:

- one User per member named by a Group (`user-<team>-<k>`, memberOf the
  group), in the repo that holds the Group;
- the `engineering` Group the teams name as parent, and the Domains the
  Systems name (so those references resolve);
- Resources (databases, queues, buckets, ...) in every repo, owned by the
  repo's owner, part of its System, and listed in its Component's
  `spec.dependsOn` as `resource:default/<name>`.

--no-techdocs drops the Components' `backstage.io/techdocs-ref` annotation, so
Portico builds no docs sites and the run measures the catalog alone.

The additions go into catalog-info.yaml as extra `---` documents (plus the
dependsOn lines in the Component) and are committed with a fixed author and
date, so bare clones see them too. Python 3 stdlib only; byte-for-byte
deterministic for given arguments (prints a digest of every HEAD to prove it).
"""
import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
GEN_ORG = os.path.join(HERE, "..", "..", "shared", "bench", "gen_org.py")
DATE = "2024-03-01T12:00:00+00:00"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Synthetic Author", "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Synthetic Author", "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": DATE,
    # Same isolation as gen_org.py: no user or system git config leaks in.
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent-gen-org-home",
}
# (name suffix, spec.type): what services typically own.
RESOURCE_KINDS = [("db", "database"), ("replica-db", "database"), ("cache", "cache"),
                  ("events", "kafka-topic"), ("dlq", "queue"), ("jobs", "queue"),
                  ("bucket", "s3-bucket"), ("search-index", "search-index"),
                  ("secrets", "vault-path"), ("cdn", "cdn"), ("lb", "load-balancer"),
                  ("archive", "s3-bucket")]
DOMAINS = ["commerce", "platform", "data"]  # what gen_org.py's Systems pick from


def doc(*lines):
    return "\n".join(lines) + "\n"


def field(text, key):
    """First `  key: value` (two-space indent, i.e. a spec field) in text."""
    m = re.search(r"^  %s: (\S+)$" % key, text, re.M)
    return m.group(1) if m else None


def read_repo(root):
    """The facts we need from gen_org.py's catalog-info.yaml (a known, simple shape)."""
    with open(os.path.join(root, "catalog-info.yaml"), encoding="utf-8") as f:
        text = f.read()
    docs = text.split("---\n")
    groups = []
    for d in docs:
        if "\nkind: Group\n" in d:
            members = re.findall(r"^    - (\S+)$", d.split("  members:\n", 1)[1], re.M)
            groups.append((re.search(r"^  name: (\S+)$", d, re.M).group(1), members))
    return {"text": text, "docs": len(docs), "owner": field(docs[0], "owner"),
            "system": field(docs[0], "system"), "groups": groups}


def user_docs(group, members):
    team = group.removeprefix("team-")
    return [doc("apiVersion: backstage.io/v1alpha1", "kind: User", "metadata:",
                "  name: %s" % m, "spec:", "  profile:",
                "    displayName: %s %s" % (team.title(), m.rsplit("-", 1)[1]),
                "    email: %s@example.com" % m,
                "  memberOf: [%s]" % group) for m in members]


def org_docs():
    """The parent Group and the Domains that gen_org.py refers to but never defines."""
    out = [doc("apiVersion: backstage.io/v1alpha1", "kind: Group", "metadata:",
               "  name: engineering", "  description: All engineering teams",
               "spec:", "  type: department", "  children: []")]
    out += [doc("apiVersion: backstage.io/v1alpha1", "kind: Domain", "metadata:",
                "  name: %s" % d, "  description: The %s domain" % d,
                "spec:", "  owner: group:default/engineering") for d in DOMAINS]
    return out


def resources(repo, facts, count, rnd):
    """`count` Resource docs for `repo`, and their refs for the Component's dependsOn."""
    docs, refs = [], []
    for suffix, rtype in rnd.sample(RESOURCE_KINDS, count):
        name = "%s-%s" % (repo, suffix)
        refs.append("resource:default/%s" % name)
        docs.append(doc("apiVersion: backstage.io/v1alpha1", "kind: Resource", "metadata:",
                        "  name: %s" % name, "  description: %s %s of %s" % (
                            rnd.choice(["Primary", "Shared", "Regional"]), rtype, repo),
                        "spec:", "  type: %s" % rtype, "  owner: %s" % facts["owner"],
                        "  system: %s" % facts["system"]))
    return docs, refs


def add_depends_on(text, refs):
    """Adds refs to the first document's (the Component's) spec.dependsOn."""
    first, sep, rest = text.partition("---\n")
    items = "".join("    - %s\n" % r for r in refs)
    if "\n  dependsOn:\n" in first:
        first = first.replace("\n  dependsOn:\n", "\n  dependsOn:\n" + items, 1)
    else:  # spec is the last key of the document, so its fields can go at the end
        first += "  dependsOn:\n" + items
    return first + sep + rest


def resource_counts(n, total, rnd):
    """n per-repo counts (0..len(RESOURCE_KINDS)) that vary a little and sum to total."""
    avg = total // n
    counts = [rnd.randint(max(0, avg - 2), min(len(RESOURCE_KINDS), avg + 2)) for _ in range(n)]
    while sum(counts) != total:
        i = rnd.randrange(n)
        if sum(counts) < total and counts[i] < len(RESOURCE_KINDS):
            counts[i] += 1
        elif sum(counts) > total and counts[i] > 0:
            counts[i] -= 1
    return counts


def commit(root, text):
    with open(os.path.join(root, "catalog-info.yaml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    env = dict(os.environ, **GIT_ENV)
    for args in (["add", "catalog-info.yaml"],
                 ["commit", "-q", "-m", "Add users, resources and dependencies"]):
        subprocess.run(["git", "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false", *args],
                       cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--repos", type=int, default=2000)
    ap.add_argument("--entities", type=int, default=13000, help="target entity count")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--no-techdocs", action="store_true", help="no docs sites: catalog only")
    ap.add_argument("--gen-org", default=GEN_ORG)
    a = ap.parse_args()
    subprocess.run([sys.executable, a.gen_org, a.out, "--repos", str(a.repos),
                    "--pages", "1", "--seed", str(a.seed)], check=True)

    repos = sorted(r for r in os.listdir(a.out) if os.path.isdir(os.path.join(a.out, r, ".git")))
    facts = {r: read_repo(os.path.join(a.out, r)) for r in repos}
    extra = {r: [] for r in repos}
    for r in repos:
        for group, members in facts[r]["groups"]:
            extra[r] += user_docs(group, members)
    # The org-wide entities live with the first team's Group (the one without a parent).
    first_team = next(r for r in repos if "\n  parent: null\n" in facts[r]["text"])
    extra[first_team] += org_docs()

    have = sum(f["docs"] for f in facts.values()) + sum(len(e) for e in extra.values())
    rnd = random.Random("%d-catalog-bench" % a.seed)
    counts = resource_counts(len(repos), max(0, a.entities - have), rnd)
    texts = {}
    for r, count in zip(repos, counts):
        docs, refs = resources(r, facts[r], count, rnd)
        text = add_depends_on(facts[r]["text"], refs) if refs else facts[r]["text"]
        if a.no_techdocs:
            text = text.replace("    backstage.io/techdocs-ref: dir:.\n", "", 1)
        texts[r] = "---\n".join([text.rstrip("\n") + "\n"] + extra[r] + docs)

    # Git process start-up dominates; a few at a time keeps this to about a minute.
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        heads = list(pool.map(lambda r: commit(os.path.join(a.out, r), texts[r]), repos))
    kinds = {}
    for t in texts.values():
        for k in re.findall(r"^kind: (\w+)$", t, re.M):
            kinds[k] = kinds.get(k, 0) + 1
    print("catalog org: %d repos, %d entities (%s); HEAD digest %s" % (
        len(repos), sum(kinds.values()), ", ".join("%s %d" % kv for kv in sorted(kinds.items())),
        hashlib.sha256("".join(heads).encode()).hexdigest()[:16]))


if __name__ == "__main__":
    main()
