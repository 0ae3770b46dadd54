/*
 * Portico: English stemmer for in-browser search.
 *
 * A hand-written port of the Snowball English stemmer (english.sbl) as shipped
 * in the Rust crate frostem 1.20260821.8 (Snowball 3.1.1, upstream commit
 * 81dd074), which tantivy 0.27 applies to lower-cased tokens. Query words must
 * stem exactly like the index, so this follows the generated Rust step by step
 * (english_stemmer.rs); after any change, re-compare it with frostem word by word.
 *
 * Snowball: Copyright (c) 2001, Dr Martin Porter; (c) 2004,2005, Richard
 * Boulton; (c) 2013, Yoshiki Shibukawa; (c) 2006-2025, Olly Betts.
 * All rights reserved. Used under the BSD 3-clause licence of the Snowball
 * project (https://snowballstem.org/license.html).
 *
 * Defines one global: porticoStem(word) -> stem. Input must be lower-case.
 */
(function (root) {
  "use strict";

  // Groupings from english.sbl. 'Y' marks a y that acts as a consonant.
  var V = "aeiouy";
  var V_WXY = "aeiouwxyY";
  var AEO = "aeo";
  var VALID_LI = "cdeghkmnrt";

  // An `among` table: entry -> value. Lookups take the longest entry that matches
  // and never fall back to a shorter one, as Snowball does.
  function among(entries) {
    var table = new Map(Object.entries(entries));
    table.longest = Math.max.apply(null, Object.keys(entries).map(function (k) { return k.length; }));
    return table;
  }
  function list(words) {
    var entries = {};
    words.split(" ").forEach(function (w) { entries[w] = true; });
    return among(entries);
  }

  // Whole words with a fixed stem (null: the word is its own stem).
  var EXCEPTION1 = among({
    skis: "ski", skies: "sky", idly: "idl", gently: "gentl", ugly: "ugli",
    early: "earli", only: "onli", singly: "singl",
    sky: null, news: null, howe: null, atlas: null, cosmos: null, bias: null, andes: null
  });
  // Prefixes that end R1 early (so "generous" keeps "gener").
  var R1_PREFIX = list("arsen commun emerg gener inter later organ past univers");
  var STEP1A_APOSTROPHE = list("' 's 's'");
  var STEP1A = list("sses ied ies s ss us");
  // '' is a real entry: it always matches, so Step 1b always has a value.
  var STEP1B = list(" ed eed ing edly eedly ingly");
  var STEP1B_EED_KEEP = list("succ proc exc");      // succeed, proceed, exceed
  // Before "ing": whole words kept (evening, inning...) and consonant+y (dying -> die).
  var STEP1B_ING_KEEP = list("even cann inn earr herr out y");
  var STEP1B_AFTER = list(" bb dd ff gg bl mm nn pp rr at tt iz");
  var STEP2 = among({
    tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent",
    izer: "ize", ization: "ize", ational: "ate", ation: "ate", ator: "ate",
    alism: "al", aliti: "al", alli: "al", fulness: "ful", fulli: "ful",
    ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive",
    biliti: "ble", bli: "ble", ogist: "og", ogi: "og", li: "", lessli: "less"
  });
  var STEP3 = among({
    tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic",
    ical: "ic", ful: "", ness: "", ative: ""
  });
  var STEP4 = list("al ance ence er ic able ible ant ement ment ent ism ate iti ous ive ize ion");
  var STEP5 = list("e l");

  // Snowball machine state. Positions index code points (Rust uses UTF-8
  // bytes; the results agree because every entry and grouping is ASCII).
  var s, c, l, lb, bra, ket, p1, p2, yFound;

  function inGB(g) { if (c > lb && g.includes(s[c - 1])) { c--; return true; } return false; }
  function outGB(g) { if (c > lb && !g.includes(s[c - 1])) { c--; return true; } return false; }
  // gopast: step past the next char whose membership in g equals `want`.
  function gopast(g, want) { while (c < l) { if (g.includes(s[c++]) === want) return true; } return false; }
  function gopastB(g, want) { while (c > lb) { if (g.includes(s[--c]) === want) return true; } return false; }
  function eqSB(str) {
    if (c - lb < str.length || s.slice(c - str.length, c).join("") !== str) return false;
    c -= str.length;
    return true;
  }
  function amongF(table) {
    for (var n = Math.min(table.longest, l - c); n >= 0; n--) {
      var key = s.slice(c, c + n).join("");
      if (table.has(key)) { c += n; return key; }
    }
    return null;
  }
  function amongB(table) {
    for (var n = Math.min(table.longest, c - lb); n >= 0; n--) {
      var key = s.slice(c - n, c).join("");
      if (table.has(key)) { c -= n; return key; }
    }
    return null;
  }
  // Replace [bra, ket) and keep cursor and limit in step, as SnowballEnv does.
  function sliceFrom(str) {
    var add = str.split("");
    var adjust = add.length - (ket - bra);
    s.splice.apply(s, [bra, ket - bra].concat(add));
    l += adjust;
    if (c >= ket) c += adjust; else if (c > bra) c = bra;
    ket = bra + add.length;
  }

  function prelude() {
    yFound = false;
    if (s[0] === "'") { bra = 0; ket = 1; sliceFrom(""); }
    if (s[0] === "y") { s[0] = "Y"; yFound = true; }
    // y after a vowel is a consonant; scanning left to right makes "ayy" -> "aYy".
    for (var i = 0; i + 1 < l; i++) {
      if (V.includes(s[i]) && s[i + 1] === "y") { s[i + 1] = "Y"; yFound = true; }
    }
  }

  function markRegions() {
    p1 = p2 = l;
    c = 0;
    if (amongF(R1_PREFIX) === null && !(gopast(V, true) && gopast(V, false))) return;
    p1 = c;
    if (gopast(V, true) && gopast(V, false)) p2 = c;
  }

  // Short syllable ending at the cursor: non-v_WXY v non-v, or v non-v at the
  // start of the word, or (new in this version) "past".
  function shortv() {
    var at = c;
    if (outGB(V_WXY) && inGB(V) && outGB(V)) return true;
    c = at;
    if (outGB(V) && inGB(V) && c === lb) return true;
    c = at;
    return eqSB("past");
  }

  function step1a() {
    ket = c;
    if (amongB(STEP1A_APOSTROPHE) !== null) { bra = c; sliceFrom(""); }
    ket = c;
    var m = amongB(STEP1A);
    if (m === null) return;
    bra = c;
    if (m === "sses") sliceFrom("ss");
    else if (m === "ied" || m === "ies") sliceFrom(c - lb >= 2 ? "i" : "ie"); // cries -> cri, ties -> tie
    else if (m === "s") {
      // Delete only if a vowel comes before the letter preceding the s (gas, this stay).
      if (c > lb) { c--; if (gopastB(V, true)) sliceFrom(""); }
    }
    // "ss" and "us" match so that the plain "s" rule does not apply.
  }

  function step1b() {
    ket = c;
    var m = amongB(STEP1B);
    bra = c;
    if (m === "eed" || m === "eedly") {
      if (p1 > c) return;
      var keep = amongB(STEP1B_EED_KEEP) !== null && c === lb;
      c = bra;
      if (!keep) sliceFrom("ee");
      return;
    }
    if (m === "") return;
    if (m === "ing") {
      // This replaces classic Porter2's exception2 list and dying/lying/tying.
      var k = amongB(STEP1B_ING_KEEP);
      if (k === "y") {
        var y = c;
        if (outGB(V) && c === lb) { c = y; bra = c; sliceFrom("ie"); return; }
      } else if (k !== null && c === lb) {
        return;
      }
    }
    // ed, edly, ingly, or an ing that is not an exception: strip it if a vowel precedes.
    c = bra;
    if (!gopastB(V, true)) return;
    c = bra;
    sliceFrom("");
    ket = bra = c;
    var end = amongB(STEP1B_AFTER);
    if (end === "at" || end === "bl" || end === "iz") {
      sliceFrom("e");
    } else if (end === "") {
      // Short word: hop -> hope.
      if (c === p1 && shortv()) { c = bra; sliceFrom("e"); }
    } else {
      // Double consonant: undo it (hopp -> hop), except in add, egg, odd...
      if (inGB(AEO) && c === lb) return;
      c = l;
      ket = c;
      c--;
      bra = c;
      sliceFrom("");
    }
  }

  function step1c() {
    ket = c;
    if (!eqSB("y") && !eqSB("Y")) return;
    bra = c;
    if (outGB(V) && c > lb) sliceFrom("i");
  }

  function step2() {
    ket = c;
    var m = amongB(STEP2);
    if (m === null) return;
    bra = c;
    if (p1 > c) return;
    if (m === "ogi" && !eqSB("l")) return;
    if (m === "li" && !inGB(VALID_LI)) return;
    sliceFrom(STEP2.get(m));
  }

  function step3() {
    ket = c;
    var m = amongB(STEP3);
    if (m === null) return;
    bra = c;
    if (p1 > c) return;
    if (m === "ative" && p2 > c) return;
    sliceFrom(STEP3.get(m));
  }

  function step4() {
    ket = c;
    var m = amongB(STEP4);
    if (m === null) return;
    bra = c;
    if (p2 > c) return;
    if (m === "ion" && !eqSB("s") && !eqSB("t")) return;
    sliceFrom("");
  }

  function step5() {
    ket = c;
    var m = amongB(STEP5);
    if (m === null) return;
    bra = c;
    if (m === "e") {
      // Delete in R2, or in R1 unless it ends a short syllable.
      if (p2 > c) {
        if (p1 > c) return;
        var at = c;
        if (shortv()) return;
        c = at;
      }
      sliceFrom("");
    } else if (p2 <= c && eqSB("l")) {
      sliceFrom("");
    }
  }

  function postlude() {
    if (!yFound) return;
    for (var i = 0; i < l; i++) if (s[i] === "Y") s[i] = "y";
  }

  function stem(word) {
    word = String(word);
    if (EXCEPTION1.has(word)) return EXCEPTION1.get(word) || word;
    s = Array.from(word);
    if (s.length < 3) return word;
    c = 0; l = s.length; lb = 0; bra = ket = 0;
    prelude();
    markRegions();
    // The steps work backwards over the whole word; each starts at its end.
    lb = 0;
    c = l; step1a();
    c = l; step1b();
    c = l; step1c();
    c = l; step2();
    c = l; step3();
    c = l; step4();
    c = l; step5();
    c = 0;
    postlude();
    return s.join("");
  }

  root.porticoStem = stem;
  // Lets node tests require() this file; browsers have no `module`.
  if (typeof module !== "undefined" && module.exports) module.exports = stem;
})(typeof window !== "undefined" ? window : globalThis);
