// Portico search: the search box in every page's header.
//
// The index is a set of classic scripts under _search/web/ (see
// src/search/web.rs) loaded with <script> tags on demand, because pages
// opened from file:// may not fetch. The ranking mirrors portico search
// (src/search/query.rs) on the same BM25 numbers, computed here as tantivy
// computes them, in f32: keep the two in step.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  // Only a real script element: an element of the page named
  // `currentScript` would otherwise stand in for it, and choose where the
  // index is loaded from.
  var self = document.currentScript;
  if (!form || !(self instanceof HTMLScriptElement)) return;
  var root = self.src.replace(/assets\/search\.js([?#].*)?$/, "");
  var base = root + "_search/web/";

  // ---- loading ---------------------------------------------------------
  var loaded = Object.create(null);
  var waiting = Object.create(null);
  window.porticoSearch = function (kind, key, data) {
    var id = kind + ":" + key;
    loaded[id] = data;
    if (waiting[id]) waiting[id].resolve(data);
  };
  function load(kind, key, path) {
    var id = kind + ":" + key;
    if (id in loaded) return Promise.resolve(loaded[id]);  // (no prototype: any word is a key)
    if (waiting[id]) return waiting[id].promise;
    var entry = {};
    entry.promise = new Promise(function (resolve, reject) {
      entry.resolve = resolve;
      addScript(base + path, null, function () {
        delete waiting[id];
        reject(new Error("cannot load " + path));
      });
    });
    waiting[id] = entry;
    return entry.promise;
  }
  function addScript(src, onload, onerror) {
    var tag = document.createElement("script");
    tag.src = src;
    tag.async = true;
    if (onload) tag.onload = onload;
    tag.onerror = onerror;
    document.head.appendChild(tag);
  }
  var ready = null;
  function start() {
    if (ready) return ready;
    // A function, not any value: an element of the page with `id="porticoStem"`
    // is `window.porticoStem` too (named access), and search never loaded.
    var stemmer = typeof window.porticoStem === "function" ? Promise.resolve() : new Promise(function (resolve, reject) {
      addScript(root + "assets/stem.js", resolve, function () { reject(new Error("cannot load stem.js")); });
    });
    ready = Promise.all([load("meta", "", "meta.js"), stemmer]).then(function (all) {
      return prepare(all[0]);
    });
    ready.catch(function () { ready = null; });
    return ready;
  }

  // ---- the index -------------------------------------------------------
  var meta = null;
  var entityOf = null; // document → its entity row
  // tantivy's BM25 (src/query/bm25.rs), every step rounded to f32 as
  // tantivy computes it: +, −, × and ÷ of f32 values made in f64 and
  // rounded once are exactly the f32 results. The logarithm is the one
  // step that can differ, in its last bit: glibc's logf is not always the
  // nearest f32 (for about 1 in 100 document counts of a word).
  var f32 = Math.fround;
  var K1 = f32(1.2), B = f32(0.75);
  // Per field, K1 · (1 − B + B · length ÷ average) for each field-length id.
  function lengthCache(average) {
    var cache = new Float32Array(256);
    for (var id = 0; id < 256; id++) {
      var length = f32(meta.fieldnorms[id]);
      cache[id] = f32(K1 * f32(f32(1 - B) + f32(f32(B * length) / f32(average))));
    }
    return cache;
  }
  function idf(df, n) {
    var x = f32(f32(f32(n - df) + 0.5) / f32(df + 0.5));
    return f32(Math.log(f32(1 + x)));
  }
  function prepare(data) {
    meta = data;
    meta.lengthCaches = meta.average.map(lengthCache);
    entityOf = new Int32Array(meta.documents);
    var doc = 0;
    meta.entities.forEach(function (row, n) {
      for (var i = 0; i < row[0]; i++) entityOf[doc++] = n;
    });
    meta.shardSet = Object.create(null);
    meta.shards.forEach(function (k) { meta.shardSet[k] = true; });
    return meta;
  }
  function hex(text) {
    return Array.prototype.map.call(new TextEncoder().encode(text), function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }
  function shardKey(word) { return Array.from(word).slice(0, 2).join(""); }
  var shards = Object.create(null); // key → [{word, fields, segments, index, key}]
  // key → for each segment, the entries its postings chunks start at.
  var chunkStarts = Object.create(null);
  function shard(key) {
    if (shards[key]) return Promise.resolve(shards[key]);
    if (!meta.shardSet[key]) return Promise.resolve([]);
    return load("d", key, "d/" + hex(key) + ".js").then(function (data) {
      chunkStarts[key] = data[1];
      shards[key] = data[0].split(";").map(function (e, index) {
        var p = e.split(",");
        return { word: p[0], fields: +p[1], segments: +p[2], index: index, key: key };
      });
      return shards[key];
    });
  }
  var decoded = Object.create(null); // word → {docs, fields, scores}
  var inSegments = Object.create(null); // word → segment → {docs, fields, tf, norm}
  // A postings chunk is ["word,word,…", packed]: packed inflates to each
  // word's document count in the segment, then per document (gap × 8 +
  // fields) and per field set its field-length id and term frequency, as
  // 7-bit variable-length numbers (see src/search/web.rs). Every word of a
  // loaded chunk is decoded.
  function decodeChunk(segment, words, bytes) {
    var at = 0;
    function next() {
      var value = 0, scale = 1, b;
      do {
        b = bytes[at++];
        value += (b & 127) * scale;
        scale *= 128;
      } while (b & 128);
      return value;
    }
    var first = meta.segments[segment][0];
    words.split(",").forEach(function (word) {
      var out = { docs: [], fields: [], tf: [], norm: [] };
      var doc = first;
      for (var n = next(); n > 0 && at < bytes.length; n--) {
        var head = next();
        doc += Math.floor(head / 8);
        var fields = head % 8;
        var tf = [0, 0, 0], norm = [0, 0, 0];
        for (var slot = 0; slot < 3; slot++) {
          if (fields & (1 << slot)) {
            // The length id × 2 (+ 1: the frequency follows, less 2).
            var both = next();
            norm[slot] = (both >> 1) & 255;
            tf[slot] = both & 1 ? next() + 2 : 1;
          }
        }
        out.docs.push(doc); out.fields.push(fields); out.tf.push(tf); out.norm.push(norm);
      }
      var mine = inSegments[word] || (inSegments[word] = Object.create(null));
      if (!mine[segment]) mine[segment] = out;
    });
  }
  // A word's postings over every segment (in segment order, which is
  // document order), each scored as tantivy scores a one-word query: the
  // document frequency in a field is how many postings have that field.
  function assemble(entry) {
    var parts = inSegments[entry.word] || {};
    var docs = [], fields = [], tf = [], norm = [];
    for (var g = 0; g < meta.segments.length; g++) {
      var p = parts[g];
      if (!p) continue;
      // One at a time: `push.apply` of a list passes it as arguments, which
      // some engines cap (at 65,536 in Safari's).
      for (var i = 0; i < p.docs.length; i++) {
        docs.push(p.docs[i]); fields.push(p.fields[i]); tf.push(p.tf[i]); norm.push(p.norm[i]);
      }
    }
    var weights = [0, 0, 0];
    for (var slot = 0; slot < 3; slot++) {
      var df = 0;
      for (var d = 0; d < docs.length; d++) if (fields[d] & (1 << slot)) df++;
      if (df) weights[slot] = f32(idf(df, meta.documents) * f32(1 + K1));
    }
    var scores = docs.map(function (_, i) {
      return [0, 1, 2].map(function (slot) {
        if (!(fields[i] & (1 << slot))) return 0;
        var t = tf[i][slot];
        var norm_ = meta.lengthCaches[slot][norm[i][slot]];
        return f32(weights[slot] * f32(t / f32(t + norm_)));
      });
    });
    return { docs: docs, fields: fields, scores: scores };
  }
  // The chunk of a segment holding a word's postings: the shard lists, per
  // segment, the chunk of the first of its words the segment holds, then
  // the entries where a later chunk begins.
  function chunkName(segment, entry) {
    var starts = chunkStarts[entry.key][segment], chunk = starts[0];
    for (var i = 1; i < starts.length && starts[i] <= entry.index; i++) chunk++;
    return segment + "-" + chunk;
  }
  var unpacked = Object.create(null);
  function postings(entries) {
    var chunks = Object.create(null);
    entries.forEach(function (e) {
      if (decoded[e.word]) return;
      for (var g = 0; g < meta.segments.length; g++) {
        if ((e.segments & (1 << g)) !== 0) chunks[chunkName(g, e)] = g;
      }
    });
    return Promise.all(Object.keys(chunks).map(function (name) {
      if (!unpacked[name]) {
        unpacked[name] = load("p", name, "p/" + name + ".js").then(function (chunk) {
          return inflateBytes(chunk[1]).then(function (bytes) { decodeChunk(chunks[name], chunk[0], bytes); });
        });
        unpacked[name].catch(function () { delete unpacked[name]; });
      }
      return unpacked[name];
    })).then(function () {
      entries.forEach(function (e) {
        if (!decoded[e.word]) decoded[e.word] = assemble(e);
      });
    });
  }

  // ---- the query language (as src/search/query.rs) ---------------------
  var WEIGHTS = [3, 2, 1]; // title, heading, body
  var FUZZY_MIN_LEN = 5;
  var MAX_PREFIX_EXPANSIONS = 30;
  var MIN_PREFIX_LEN = 3;
  var WORD = /[\p{Alphabetic}\p{N}]+/gu;
  var NOT_WORD = /[^\p{Alphabetic}\p{N}]/u;
  function tokens(text) {
    return (text.match(WORD) || []).filter(function (t) {
      return new TextEncoder().encode(t).length < 40;
    }).map(function (t) { return window.porticoStem(lowerEach(t)); });
  }
  // Letter by letter, like tantivy's LowerCaser (a word-final Σ stays σ,
  // where String.toLowerCase would write ς).
  function lowerEach(text) {
    return Array.from(text).map(function (c) { return c.toLowerCase(); }).join("");
  }
  function split(query) {
    var words = [], phrases = [];
    query.split('"').forEach(function (part, i) {
      if (i % 2 === 1) { if (part.trim()) phrases.push(part); }
      else words.push.apply(words, part.split(/\s+/).filter(Boolean));
    });
    var typing = !/\s$/.test(query) && !/"$/.test(query);
    return { words: words, phrases: phrases, typing: typing };
  }
  function withinOneEdit(a, b) {
    a = Array.from(a); b = Array.from(b);
    var short = a.length <= b.length ? a : b, long = a.length <= b.length ? b : a;
    if (long.length - short.length > 1) return false;
    var i = 0;
    while (i < short.length && short[i] === long[i]) i++;
    if (i === short.length) return true;
    var same = function (x, xi, y, yi) { return x.slice(xi).join("\u0000") === y.slice(yi).join("\u0000"); };
    if (short.length === long.length) {
      return same(short, i + 1, long, i + 1) ||
        (i + 1 < short.length && short[i] === long[i + 1] && short[i + 1] === long[i] && same(short, i + 2, long, i + 2));
    }
    return same(short, i, long, i + 1);
  }
  // One clause per token: its words, per field, and how each scores.
  function clauses(query) {
    var q = split(query);
    var list = [];
    var last = q.words.length - 1;
    q.words.forEach(function (word, i) {
      var lower = word.toLowerCase();
      var raw = lower.split(NOT_WORD).pop();
      // Only the piece being typed (the last of the last word) is a prefix.
      var pieces = tokens(word);
      pieces.forEach(function (token, t) {
        var typing = i === last && q.typing && t === pieces.length - 1;
        list.push({ token: token, raw: raw, typing: typing, fuzzy: Array.from(raw).length >= FUZZY_MIN_LEN });
      });
    });
    var phrases = q.phrases.map(function (p) { return tokens(p); }).filter(function (t) { return t.length; });
    return { clauses: list, phrases: phrases };
  }
  function inField(entry, slot) { return (entry.fields & (1 << slot)) !== 0; }
  // The words a clause scores with, in each field (as build_query).
  function clauseWords(clause, tokenShard, rawShard) {
    var perField = [];
    for (var slot = 0; slot < 3; slot++) {
      var words = { exact: null, prefix: [], near: [] };
      tokenShard.forEach(function (e) {
        if (!inField(e, slot)) return;
        if (e.word === clause.token) words.exact = e;
        if (clause.fuzzy && Array.from(clause.token).length >= 3 && withinOneEdit(e.word, clause.token)) words.near.push(e);
      });
      if (clause.typing && Array.from(clause.raw).length >= MIN_PREFIX_LEN) {
        // Shards list words in byte order, like tantivy's dictionary.
        rawShard.forEach(function (e) {
          if (words.prefix.length < MAX_PREFIX_EXPANSIONS && inField(e, slot) && e.word.indexOf(clause.raw) === 0) words.prefix.push(e);
        });
      }
      if (clause.typing && !words.prefix.length) {
        var chars = Array.from(clause.raw);
        for (var end = chars.length - 1; end >= 4; end--) {
          var prefix = chars.slice(0, end).join("");
          var found = rawShard.filter(function (e) { return e.word === prefix && inField(e, slot); });
          if (found.length) { words.prefix.push(found[0]); break; }
        }
      }
      perField.push(words);
    }
    return perField;
  }
  // Every matching document with its score, before filters.
  function rank(query) {
    // Composed, as pages are written: `é` typed as `e` + U+0301 found
    // nothing. Here, where every search is ranked; the box keeps what was
    // typed (Enter compares it with the query the results answer).
    var parsed = clauses(String(query).normalize("NFC"));
    // No word at all (a lone `"`, punctuation): nothing matches.
    if (!parsed.clauses.length && !parsed.phrases.length) return Promise.resolve({ scores: new Map(), words: [], phrases: [], partial: [] });
    var keys = Object.create(null);
    parsed.clauses.forEach(function (c) { keys[shardKey(c.token)] = 1; keys[shardKey(c.raw)] = 1; });
    parsed.phrases.forEach(function (p) { p.forEach(function (t) { keys[shardKey(t)] = 1; }); });
    var keyList = Object.keys(keys);
    return Promise.all(keyList.map(shard)).then(function () {
      var plans = parsed.clauses.map(function (c) {
        return clauseWords(c, shards[shardKey(c.token)] || [], shards[shardKey(c.raw)] || []);
      });
      var phraseWords = parsed.phrases.map(function (p) {
        return p.map(function (t) {
          return (shards[shardKey(t)] || []).filter(function (e) { return e.word === t && inField(e, 2); })[0] || null;
        });
      });
      var needed = [];
      plans.forEach(function (plan) {
        plan.forEach(function (w) {
          if (w.exact) needed.push(w.exact);
          needed.push.apply(needed, w.prefix);
          needed.push.apply(needed, w.near);
        });
      });
      phraseWords.forEach(function (ws) { ws.forEach(function (w) { if (w) needed.push(w); }); });
      return postings(needed).then(function () { return score(parsed, plans, phraseWords); });
    });
  }
  function score(parsed, plans, phraseWords) {
    // Per document: the sum of the scores of the clauses it matches, and
    // how many it matches (documents lacking some are the fallback).
    var sums = new Map(), counts = new Map();
    var matched = Object.create(null);
    function combine(part) {
      part.forEach(function (v, doc) {
        sums.set(doc, (sums.get(doc) || 0) + v);
        counts.set(doc, (counts.get(doc) || 0) + 1);
      });
    }
    plans.forEach(function (plan, n) {
      var clause = parsed.clauses[n];
      var part = new Map();
      var add = function (doc, v) { part.set(doc, (part.get(doc) || 0) + v); };
      plan.forEach(function (words, slot) {
        var boost = WEIGHTS[slot];
        var exactBoost = clause.typing ? boost * 0.5 : boost;
        var each = function (entry, factor) {
          var p = decoded[entry.word];
          matched[entry.word] = true;
          for (var i = 0; i < p.docs.length; i++) if (p.fields[i] & (1 << slot)) add(p.docs[i], factor * p.scores[i][slot]);
        };
        if (words.exact) each(words.exact, exactBoost);
        words.prefix.forEach(function (e) { each(e, boost * 0.8); });
        if (words.near.length) {
          var seen = new Set();
          words.near.forEach(function (e) {
            // A typo match is found, not marked (as `portico search`).
            var p = decoded[e.word];
            for (var i = 0; i < p.docs.length; i++) if (p.fields[i] & (1 << slot)) seen.add(p.docs[i]);
          });
          seen.forEach(function (doc) { add(doc, boost * 0.5); });
        }
      });
      combine(part);
    });
    // Phrases: every word in the body here; word order is checked on the
    // text of the results shown (the browser index keeps no positions).
    phraseWords.forEach(function (ws) {
      var part = null;
      ws.forEach(function (entry) {
        var mine = new Map();
        if (entry) {
          var p = decoded[entry.word];
          matched[entry.word] = true;
          for (var i = 0; i < p.docs.length; i++) if (p.fields[i] & 4) mine.set(p.docs[i], p.scores[i][2]);
        }
        if (part === null) { part = mine; return; }
        var next = new Map();
        mine.forEach(function (v, doc) { if (part.has(doc)) next.set(doc, part.get(doc) + v); });
        part = next;
      });
      combine(part || new Map());
    });
    var every = plans.length + phraseWords.length;
    var total = new Map(), partial = [];
    sums.forEach(function (v, doc) {
      if (counts.get(doc) === every) total.set(doc, v); else partial.push([doc, v, counts.get(doc)]);
    });
    // Most words first, then score, then document order (as `portico search`).
    partial.sort(function (a, b) { return b[2] - a[2] || b[1] - a[1] || a[0] - b[0]; });
    return { scores: total, partial: every > 1 ? partial : [], words: Object.keys(matched), phrases: parsed.phrases };
  }

  // ---- facets and filters (as --kind, --owner and --level, plus type,
  // lifecycle, tag). A docs section takes its entity's values: the level is
  // the entity's on the first scorecard, as in the catalog lists.
  var FEW_RESULTS = 3;
  var FACETS = ["kind", "type", "owner", "lifecycle", "level", "tag"];
  function facetValues(doc) {
    var row = meta.entities[entityOf[doc]];
    var isEntityDoc = row[1] === 1 && isFirstOf(doc);
    var kinds = [meta.facets.kind[row[2]]];
    if (!isEntityDoc) kinds.push("docs");
    return {
      kind: kinds,
      type: [meta.facets.type[row[3]]],
      owner: [meta.facets.owner[row[4]]],
      lifecycle: [meta.facets.lifecycle[row[5]]],
      level: meta.facets.level ? [meta.facets.level[row[8]]] : [],
      tag: row[7].map(function (t) { return meta.facets.tag[t]; })
    };
  }
  var firstDoc = null;
  function isFirstOf(doc) {
    if (!firstDoc) {
      firstDoc = new Uint8Array(meta.documents);
      var at = 0;
      meta.entities.forEach(function (row) { firstDoc[at] = 1; at += row[0]; });
    }
    return firstDoc[doc] === 1;
  }
  function passes(values, filters) {
    return FACETS.every(function (f) {
      var want = filters[f];
      if (!want || !want.length) return true;
      return values[f].some(function (v) { return want.indexOf(v) >= 0; });
    });
  }

  // ---- results: fragments, phrase check, snippets ----------------------
  function fragmentOf(doc) {
    var starts = meta.fragments, lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= doc) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
  function fragments(docs) {
    var blocks = Object.create(null);
    docs.forEach(function (d) { blocks[fragmentOf(d)] = true; });
    return Promise.all(Object.keys(blocks).map(function (n) {
      return load("f", n, "f/" + n + ".js").then(function (packed) { return inflate("f:" + n, packed); });
    }))
      .then(function () {
        return docs.map(function (d) {
          var n = fragmentOf(d);
          var f = loaded["f:" + n][d - meta.fragments[n]];
          return { doc: d, title: f[0], url: f[1], breadcrumb: f[2], heading: f[3], body: f[4], truncated: f[5] === 1 };
        });
      });
  }
  // Fragments are raw-deflated JSON in base64 (see src/search/web.rs).
  var inflated = Object.create(null);
  function inflate(id, packed) {
    if (inflated[id]) return inflated[id];
    inflated[id] = inflateBytes(packed).then(function (bytes) {
      loaded[id] = JSON.parse(new TextDecoder().decode(bytes));
      return loaded[id];
    });
    return inflated[id];
  }
  function inflateBytes(packed) {
    var bytes = Uint8Array.from(atob(packed), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer().then(function (buffer) { return new Uint8Array(buffer); });
  }
  function stemsWithPlaces(text) {
    var out = [];
    var re = new RegExp(WORD.source, "gu");
    var m;
    while ((m = re.exec(text))) out.push({ start: m.index, end: m.index + m[0].length, stem: window.porticoStem(lowerEach(m[0])) });
    return out;
  }
  function hasPhrase(words, phrase) {
    outer: for (var i = 0; i + phrase.length <= words.length; i++) {
      for (var j = 0; j < phrase.length; j++) if (words[i + j].stem !== phrase[j]) continue outer;
      return true;
    }
    return false;
  }
  function escapeHtml(s) {
    return s.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  // `text` escaped, matched words marked.
  function marked(text, wanted) {
    var html = "", at = 0;
    stemsWithPlaces(text).forEach(function (w) {
      if (!wanted[w.stem]) return;
      html += escapeHtml(text.slice(at, w.start)) + "<mark>" + escapeHtml(text.slice(w.start, w.end)) + "</mark>";
      at = w.end;
    });
    return html + escapeHtml(text.slice(at));
  }
  // About 160 characters around the first match, matches marked.
  function snippet(body, words, wanted) {
    var first = words.findIndex(function (w) { return wanted[w.stem]; });
    if (first < 0) return escapeHtml(Array.from(body).slice(0, 150).join(""));
    var start = words[first].start;
    var from = Math.max(0, start - 50);
    // Back to a word's start, but not far: a long unbroken run must not
    // push the match out of the window.
    for (var back = 0; back < 20 && from > 0 && !/\s/.test(body[from - 1]); back++) from--;
    var to = Math.min(body.length, Math.max(from + 160, words[first].end + 40));
    var html = from > 0 ? "… " : "";
    var at = from;
    words.forEach(function (w) {
      if (w.start < from || w.end > to || !wanted[w.stem]) return;
      html += escapeHtml(body.slice(at, w.start)) + "<mark>" + escapeHtml(body.slice(w.start, w.end)) + "</mark>";
      at = w.end;
    });
    html += escapeHtml(body.slice(at, to)) + (to < body.length ? " …" : "");
    return html;
  }
  // The best `limit` results passing the filters, with what to show.
  function results(ranked, filters, limit) {
    var candidates = [];
    ranked.scores.forEach(function (s, doc) {
      if (passes(facetValues(doc), filters)) candidates.push([doc, s]);
    });
    // Best first; equal scores in document order, like tantivy's collector.
    candidates.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    var wanted = Object.create(null);
    ranked.words.forEach(function (w) { wanted[w] = true; });
    var shown = [];
    var from = 0;
    // Fewer than FEW_RESULTS with every word: documents with most of the
    // words follow, labelled partial (see `portico search`).
    var fallback = false;
    function more() {
      if (shown.length < limit && from >= candidates.length && !fallback &&
          shown.length < Math.min(FEW_RESULTS, limit) && ranked.partial.length) {
        fallback = true;
        ranked.partial.forEach(function (c) {
          if (passes(facetValues(c[0]), filters)) candidates.push([c[0], c[1], true]);
        });
      }
      if (shown.length >= limit || from >= candidates.length) return Promise.resolve(shown);
      var batch = candidates.slice(from, from + limit - shown.length);
      from += batch.length;
      return fragments(batch.map(function (c) { return c[0]; })).then(function (frags) {
        frags.forEach(function (f, i) {
          var words = stemsWithPlaces(f.body);
          // A fragment keeps the first 3,000 characters of a section: a
          // phrase not found in a cut text cannot be ruled out.
          f.partial = batch[i][2] === true;
          if (!f.partial && !f.truncated && !ranked.phrases.every(function (p) { return hasPhrase(words, p); })) return;
          f.score = batch[i][1];
          f.kind = facetValues(f.doc).kind.indexOf("docs") >= 0 ? "docs" : facetValues(f.doc).kind[0];
          f.snippet = snippet(f.body, words, wanted);
          var heading = f.heading && f.heading !== f.title && f.kind === "docs" ? f.heading : "";
          f.titleHtml = marked(f.title, wanted) + (heading ? " › " + marked(heading, wanted) : "");
          shown.push(f);
        });
        return more();
      });
    }
    return more().then(function (list) { return { hits: list, total: candidates.length }; });
  }
  // Per facet, per value: how many results choosing that value alone would
  // give, the other facets' choices kept; the number the status line shows
  // once it is chosen. Counted over the same documents `results` takes: every
  // word, and the partial matches too when fewer than FEW_RESULTS of those
  // have the value. (Docs sections count under `docs` and under their
  // entity's kind, as they are filtered.) A quoted phrase is checked only on
  // the text of the results shown, so with phrases a count may be high.
  function facetCounts(ranked, filters, limit) {
    var few = Math.min(FEW_RESULTS, limit);
    var full = [], partial = [];
    ranked.scores.forEach(function (s, doc) { full.push(facetValues(doc)); });
    ranked.partial.forEach(function (c) { partial.push(facetValues(c[0])); });
    var counts = Object.create(null);
    FACETS.forEach(function (f) {
      var others = Object.create(null);
      FACETS.forEach(function (g) { if (g !== f) others[g] = filters[g]; });
      var tally = function (list) {
        var n = Object.create(null);
        list.forEach(function (values) {
          if (!passes(values, others)) return;
          values[f].forEach(function (v) { if (v) n[v] = (n[v] || 0) + 1; });
        });
        return n;
      };
      var withEvery = tally(full), withSome = tally(partial);
      counts[f] = Object.create(null);
      Object.keys(withEvery).concat(Object.keys(withSome)).forEach(function (v) {
        var n = withEvery[v] || 0;
        counts[f][v] = n < few ? n + (withSome[v] || 0) : n;
      });
    });
    return counts;
  }

  // For tests and scripts: the same answers the page shows.
  window.porticoSearchQuery = function (query, options) {
    options = options || {};
    return start().then(function () { return rank(query); }).then(function (ranked) {
      return results(ranked, options.filters || {}, options.limit || 10);
    }).then(function (r) {
      return r.hits.map(function (h) { return { title: h.title, url: h.url, kind: h.kind, section: h.heading, score: h.score, partial: h.partial }; });
    });
  };

  // ---- the page ---------------------------------------------------------
  var input = form.querySelector("input");
  var panel = document.createElement("div");
  panel.className = "search-panel";
  panel.id = "search-results";
  panel.hidden = true;
  form.appendChild(panel);
  input.setAttribute("aria-controls", panel.id);
  form.hidden = false;
  var filters = {};
  var generation = 0;
  var TYPING_PAUSE_MS = 30;
  var shownLimit = 10;
  var facetsOpen = false;
  // Why nothing was found (as `portico search` says it): results with some
  // of the words are shown when none has every word, so nothing means no
  // word matched, or the filters chosen left nothing.
  function noResults() {
    return FACETS.some(function (f) { return (filters[f] || []).length > 0; }) ?
      "No results with the filters chosen: try without them." :
      "No results: no entity or docs page has any of these words (one typo is forgiven). Check the spelling, or try other words.";
  }
  function render(query, ranked, found, started) {
    var counts = facetCounts(ranked, filters, shownLimit);
    var html = "<p class=\"search-status\" role=\"status\">" +
      (found.total ? found.total + " result" + (found.total === 1 ? "" : "s") : noResults()) + "</p>";
    var facetHtml = "";
    FACETS.forEach(function (f) {
      var values = Object.keys(counts[f]).sort(function (a, b) { return counts[f][b] - counts[f][a] || (a < b ? -1 : 1); }).slice(0, 8);
      var selected = filters[f] || [];
      selected.forEach(function (v) { if (values.indexOf(v) < 0) values.push(v); });
      if (!values.length) return;
      facetHtml += "<div class=\"facet\" role=\"group\" aria-label=\"" + f + "\"><span class=\"facet-name\">" + f + "</span>";
      values.forEach(function (v) {
        var on = selected.indexOf(v) >= 0;
        facetHtml += "<button type=\"button\" data-facet=\"" + f + "\" data-value=\"" + escapeHtml(v) + "\" aria-pressed=\"" + on + "\">" +
          escapeHtml(v) + " <span class=\"count\">" + (counts[f][v] || 0) + "</span></button>";
      });
      facetHtml += "</div>";
    });
    // Collapsed until asked for (or while a value is chosen): on a phone
    // the facets would otherwise push the results off the first screen.
    var chosen = FACETS.some(function (f) { return (filters[f] || []).length > 0; });
    if (facetHtml) html += "<details class=\"facets-box\"" + (facetsOpen || chosen ? " open" : "") +
      "><summary>Filter the results</summary><div class=\"facets\">" + facetHtml + "</div></details>";
    html += "<ol class=\"search-hits\">";
    found.hits.forEach(function (h, i) {
      if (h.partial && (i === 0 || !found.hits[i - 1].partial)) {
        html += "<li class=\"search-partial\" role=\"presentation\">" + (i === 0 ?
          "No result has every word; results with most of them:" : "Results with only some of the words:") + "</li>";
      }
      html += "<li><a href=\"" + escapeHtml(root + h.url) + "\"><span class=\"hit-title\">" + h.titleHtml + "</span> <span class=\"hit-kind\">" + escapeHtml(h.kind) + "</span><span class=\"hit-crumb\">" + escapeHtml(h.breadcrumb) +
        "</span><span class=\"hit-snippet\">" + h.snippet + "</span></a></li>";
    });
    html += "</ol>";
    if (found.total > found.hits.length) html += "<button type=\"button\" class=\"search-more\">More results</button>";
    panel.innerHTML = html;
    panel.hidden = false;
    // No wider than the window from the box's left edge: in a window just
    // wider than a phone's the box starts far right and the panel would
    // push the page sideways.
    var room = document.documentElement.clientWidth - form.getBoundingClientRect().left - 8;
    panel.style.maxWidth = Math.max(room, 200) + "px";
    var box = panel.querySelector("details.facets-box");
    if (box) box.addEventListener("toggle", function () { facetsOpen = box.open; });
    form.setAttribute("data-ms", String(Math.round(performance.now() - started)));
    // What the results shown answer (tests and scripts wait for it).
    form.setAttribute("data-query", query);
    linkable(query);
  }
  // The query in the address (`?q=`), so a search can be linked and survives
  // a reload. Browsers may refuse history changes on file:// pages; the
  // search works the same without.
  function linkable(query) {
    try {
      var url = new URL(location.href);
      if (query.trim()) url.searchParams.set("q", query); else url.searchParams.delete("q");
      if (url.href !== location.href) history.replaceState(history.state, "", url.href);
    } catch (e) { /* not allowed here: nothing to do */ }
  }
  // `since`: when the user acted (data-ms is measured from it, pause included).
  // Searches for what the box holds; the promise settles once shown.
  function run(since) {
    var query = input.value;
    var mine = ++generation;
    var started = typeof since === "number" ? since : performance.now();
    if (!query.trim()) { panel.hidden = true; panel.innerHTML = ""; linkable(""); return Promise.resolve(); }
    return start().then(function () { return rank(query); }).then(function (ranked) {
      if (mine !== generation) return null;
      return results(ranked, filters, shownLimit).then(function (found) {
        if (mine === generation) render(query, ranked, found, started);
      });
    }).catch(function (e) {
      if (mine !== generation) return;
      panel.innerHTML = "<p class=\"search-status\" role=\"status\">Search is unavailable: " + escapeHtml(String(e.message || e)) + "</p>";
      panel.hidden = false;
    });
  }
  // Results follow typing, but not every keystroke of a fast typist: each
  // half-typed word would load its own part of the index.
  var pause = null;
  input.addEventListener("input", function () {
    shownLimit = 10;
    clearTimeout(pause);
    var typedAt = performance.now();
    pause = setTimeout(function () { run(typedAt); }, TYPING_PAUSE_MS);
  });
  // Escape hides the list and gives the box its focus back without the
  // focus opening the list again.
  var closing = false;
  input.addEventListener("focus", function () { start(); if (!closing && input.value.trim() && panel.innerHTML) panel.hidden = false; });
  // Enter opens the first result of what the box holds: results still
  // shown for an earlier query (typed fast, Enter before the pause) wait.
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var open = function () {
      if (form.getAttribute("data-query") !== input.value) return;
      var first = panel.querySelector(".search-hits a");
      if (first) first.click();
    };
    if (form.getAttribute("data-query") === input.value) return open();
    clearTimeout(pause);
    run().then(open);
  });
  panel.addEventListener("click", function (e) {
    var button = e.target.closest("button");
    if (!button) return;
    if (button.classList.contains("search-more")) {
      // Focus goes on to the first result added (the button is redrawn).
      var before = links().length;
      shownLimit += 10;
      run().then(function () { var added = links()[before]; if (added) added.focus(); });
      return;
    }
    var f = button.getAttribute("data-facet"), v = button.getAttribute("data-value");
    var list = filters[f] || (filters[f] = []);
    var at = list.indexOf(v);
    if (at >= 0) list.splice(at, 1); else list.push(v);
    // The panel is drawn again: focus goes back to the same value's
    // button, not to the page's body.
    run().then(function () {
      var again = Array.prototype.filter.call(panel.querySelectorAll("button[data-facet]"), function (b) {
        return b.getAttribute("data-facet") === f && b.getAttribute("data-value") === v;
      })[0];
      if (again) again.focus();
    });
  });
  // Focus moving on past the results (Tab from the last one) closes the
  // panel, which would cover the links focus lands on. A redraw removing
  // the focused button moves focus nowhere (no related target): kept open.
  form.addEventListener("focusout", function (e) {
    if (e.relatedTarget && !form.contains(e.relatedTarget)) panel.hidden = true;
  });
  function links() { return Array.prototype.slice.call(panel.querySelectorAll(".search-hits a")); }
  form.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { panel.hidden = true; closing = true; input.focus(); closing = false; return; }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    var all = links();
    if (!all.length) return;
    var at = all.indexOf(document.activeElement);
    var next = e.key === "ArrowDown" ? Math.min(at + 1, all.length - 1) : at - 1;
    e.preventDefault();
    if (next < 0) input.focus(); else all[next].focus();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    e.preventDefault();
    input.focus();
    input.select();
  });
  // A linked search (`page.html?q=words`) runs as the page opens.
  var linked = new URLSearchParams(location.search).get("q");
  if (linked && linked.trim()) {
    input.value = linked;
    run();
  }
  document.addEventListener("click", function (e) {
    // The path, not e.target: a facet click re-renders the panel before
    // this runs, detaching the button that was clicked.
    if (e.composedPath().indexOf(form) < 0) panel.hidden = true;
  });
})();
