#!/usr/bin/env python3
"""What splitting the browser's postings into segments would cost (the design
in bench/README.md, "Byte lists read whole…"): a built site's postings
re-encoded per segment, a fixed hash group of each document's entity, with
documents numbered within their segment, in chunks of a given size.

    bench/segments.py SITE/_search/web [QUERY_WORD...]

Prints, for each (segments, chunk bytes) tried: the postings' bytes and
files, and for the query's words (stemmed, as the dictionary lists them;
default `replica backoff`, search.sh's query) how many chunk files and bytes
a browser would load. Chunks are deflated with zlib at level 1, so the one-
segment row (not Portico's libdeflate bytes) is the baseline to compare
with. The scores are re-encoded as they are; the design's postings would
carry frequencies and field-length ids instead, of about the same size.
"""
import base64
import glob
import hashlib
import json
import os
import re
import sys
import zlib

TRIES = [(1, 16384), (4, 16384), (8, 16384), (4, 4096), (8, 2048), (16, 1024)]


def script_data(path):
    """The data a `porticoSearch(kind, key, data);` file carries."""
    text = open(path, encoding="utf-8").read()
    match = re.match(r'porticoSearch\("[a-z]+",("[^"]*"|[0-9]+),(.*)\);\s*$', text, re.S)
    return json.loads(match.group(2))


def inflate(packed):
    return zlib.decompress(base64.b64decode(packed), -15)


def read_vlqs(data):
    out, value, shift = [], 0, 0
    for byte in data:
        value |= (byte & 127) << shift
        shift += 7
        if not byte & 128:
            out.append(value)
            value, shift = 0, 0
    return out


def write_vlq(out, value):
    while True:
        low, value = value & 127, value >> 7
        if value == 0:
            out.append(low)
            return
        out.append(low | 128)


def document_entities(web):
    """Each document's entity (kind/namespace/name from its result's URL)."""
    meta = script_data(os.path.join(web, "meta.js"))
    entities = [None] * meta["documents"]
    for n, start in enumerate(meta["fragments"]):
        rows = json.loads(inflate(script_data(os.path.join(web, "f", f"{n}.js"))))
        for i, row in enumerate(rows):
            parts = row[1].split("/")  # docs/<ns>/<kind>/<name>/… or catalog/…
            entities[start + i] = "/".join(parts[1:4])
    return entities


def postings(web):
    """word → [(document, fields, [score per field set])], and the bytes now."""
    words, size = {}, 0
    for path in glob.glob(os.path.join(web, "p", "*.js")):
        size += os.path.getsize(path)
        names, packed = script_data(path)
        numbers, at = read_vlqs(inflate(packed)), 0
        for word in names.split(","):
            count, at = numbers[at], at + 1
            document, found = 0, []
            for _ in range(count):
                head, at = numbers[at], at + 1
                document += head // 8
                fields = head % 8
                scores = []
                for slot in range(3):
                    if fields & (1 << slot):
                        scores.append(numbers[at])
                        at += 1
                found.append((document, fields, scores))
            words[word] = found
    return words, size


def chunk_file_bytes(names, raw):
    compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
    packed = compressor.compress(bytes(raw)) + compressor.flush()
    data = json.dumps([",".join(names), base64.b64encode(packed).decode()])
    return len(f'porticoSearch("p",0,{data});\n')


def segmented(words, groups, segment_count, chunk_bytes, query):
    local, counters = [], [0] * segment_count
    for group in groups:
        local.append(counters[group])
        counters[group] += 1
    total = files = query_files = query_bytes = 0
    for segment in range(segment_count):
        sizes, chunk_of, names, raw = [], {}, [], bytearray()

        def close():
            if names:
                sizes.append(chunk_file_bytes(names, raw))

        for word in sorted(words):
            found = [p for p in words[word] if groups[p[0]] == segment]
            if not found:
                continue
            encoded = bytearray()
            write_vlq(encoded, len(found))
            previous = 0
            for document, fields, scores in found:
                write_vlq(encoded, (local[document] - previous) * 8 + fields)
                previous = local[document]
                for score in scores:
                    write_vlq(encoded, score)
            if names and len(raw) + len(encoded) > chunk_bytes:
                close()
                names, raw = [], bytearray()
            chunk_of[word] = len(sizes)
            names.append(word)
            raw += encoded
        close()
        total += sum(sizes)
        files += len(sizes)
        for word in query:
            if word in chunk_of:
                query_files += 1
                query_bytes += sizes[chunk_of[word]]
    return total, files, query_files, query_bytes


def main():
    web = sys.argv[1]
    query = sys.argv[2:] or ["replica", "backoff"]
    entities = document_entities(web)
    words, size = postings(web)
    print(f"{len(entities)} documents, {len(words)} words, postings now {size} bytes")
    for segment_count, chunk_bytes in TRIES:
        groups = [
            int(hashlib.sha1(e.encode()).hexdigest(), 16) % segment_count for e in entities
        ]
        total, files, query_files, query_bytes = segmented(
            words, groups, segment_count, chunk_bytes, query
        )
        print(
            f"{segment_count} segments, chunks of {chunk_bytes} bytes: postings {total} bytes "
            f"in {files} files; {' '.join(query)}: {query_files} chunk files, {query_bytes} bytes"
        )


if __name__ == "__main__":
    main()
