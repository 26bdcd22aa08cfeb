/* carebook search: the engine that queries the index `carebook build` writes
 * under search/, and the header search box and /search/ page that use it.
 * Plain JavaScript, no dependencies, no build step.
 *
 * The analyzer below must give exactly the words and stems of
 * src/search/analyzer.rs; tests/search/vectors.jsonl is checked against both.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------------ analyzer

  var MAX_WORD_CHARS = 40;
  var STOPWORDS = new Set(("a about above after again against all am an and any are as at be because been " +
    "before being below between both but by can could did do does doing down during each few for from " +
    "further had has have having he her here hers herself him himself his how i if in into is it its " +
    "itself just me more most my myself no nor not now of off on once only or other our ours ourselves " +
    "out over own same she should so some such than that the their theirs them themselves then there " +
    "these they this those through to too under until up very was we were what when where which while " +
    "who whom why will with would you your yours yourself yourselves").split(" "));
  var WORD_CHAR = /[\p{Alphabetic}\p{N}]/u;
  var MARKS = /\p{M}/gu;
  var NUMBER = /\p{N}/u;

  // Lowercases and folds diacritics: "Pilatès" → "pilates".
  function fold(text) {
    return text.toLowerCase().normalize("NFD").replace(MARKS, "");
  }

  function isApostrophe(c) {
    return c === "'" || c === "\u2019" || c === "\u02BC";
  }

  // Every word of `text`, folded, stopwords included.
  function words(text) {
    var chars = Array.from(fold(text));
    var out = [];
    var current = "";
    var len = 0;
    for (var i = 0; i < chars.length; i++) {
      var c = chars[i];
      if (WORD_CHAR.test(c)) {
        current += c;
        len++;
      } else if (isApostrophe(c) && current && i + 1 < chars.length && WORD_CHAR.test(chars[i + 1])) {
        // joined: runner's → runners
      } else {
        if (current && len <= MAX_WORD_CHARS) out.push(current);
        current = "";
        len = 0;
      }
    }
    if (current && len <= MAX_WORD_CHARS) out.push(current);
    return out;
  }

  function isStopword(word) {
    return STOPWORDS.has(word);
  }

  function indexWords(text) {
    return words(text).filter(function (w) { return !STOPWORDS.has(w); });
  }

  function typoTolerant(word) {
    return !NUMBER.test(word);
  }

  // Snowball English (Porter2) stemmer, a port of english.sbl as the Rust
  // crate rust-stemmers 1.2 compiles it. Only words of ASCII letters are
  // stemmed; anything else is its own stem.
  var EXCEPTIONS = {
    skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", idly: "idl", gently: "gentl",
    ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe",
    atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes"
  };
  var EXCEPTIONS2 = ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"];
  var ASCII_WORD = /^[a-z]+$/;

  function isV(c) { return c === "a" || c === "e" || c === "i" || c === "o" || c === "u" || c === "y"; }

  function longest(w, list) {
    var best = null;
    for (var i = 0; i < list.length; i++) {
      var s = list[i];
      if (s.length <= w.length && w.endsWith(s) && (best === null || s.length > best.length)) best = s;
    }
    return best;
  }

  function stem(word) {
    if (!ASCII_WORD.test(word)) return word;
    if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, word)) return EXCEPTIONS[word];
    if (word.length < 3) return word;
    var w = word;
    // prelude
    var yFound = false;
    var a = w.split("");
    if (a[0] === "y") { a[0] = "Y"; yFound = true; }
    for (var i = 1; i < a.length; i++) {
      if (a[i] === "y" && isV(a[i - 1])) { a[i] = "Y"; yFound = true; }
    }
    w = a.join("");
    // mark_regions
    function pastVowelConsonant(from) {
      var k = from;
      while (k < w.length && !isV(w[k])) k++;
      if (k >= w.length) return -1;
      k++;
      while (k < w.length && isV(w[k])) k++;
      if (k >= w.length) return -1;
      return k + 1;
    }
    var p1 = w.length;
    var p2 = w.length;
    var pre = /^(gener|commun|arsen)/.exec(w);
    var r = pre ? pre[0].length : pastVowelConsonant(0);
    if (r >= 0) {
      p1 = r;
      var r2 = pastVowelConsonant(p1);
      if (r2 >= 0) p2 = r2;
    }
    function shortv(end) {
      // a short syllable ends at `end`
      if (end >= 3 && !isV(w[end - 1]) && "wxY".indexOf(w[end - 1]) < 0 && isV(w[end - 2]) && !isV(w[end - 3])) return true;
      return end === 2 && !isV(w[1]) && isV(w[0]);
    }
    function hasVowel(end) {
      for (var k = 0; k < end; k++) if (isV(w[k])) return true;
      return false;
    }
    var s;
    // Step 1a
    s = longest(w, ["'", "'s", "'s'"]);
    if (s) w = w.slice(0, w.length - s.length);
    s = longest(w, ["sses", "ied", "ies", "s", "us", "ss"]);
    if (s === "sses") w = w.slice(0, -4) + "ss";
    else if (s === "ied" || s === "ies") w = w.slice(0, -3) + (w.length - 3 >= 2 ? "i" : "ie");
    else if (s === "s") { if (hasVowel(w.length - 2)) w = w.slice(0, -1); }
    if (EXCEPTIONS2.indexOf(w) < 0) {
      // Step 1b
      s = longest(w, ["eed", "eedly", "ed", "edly", "ing", "ingly"]);
      if (s === "eed" || s === "eedly") {
        if (w.length - s.length >= p1) w = w.slice(0, w.length - s.length) + "ee";
      } else if (s) {
        var start = w.length - s.length;
        if (hasVowel(start)) {
          w = w.slice(0, start);
          var end2 = w.slice(-2);
          if (end2 === "at" || end2 === "bl" || end2 === "iz") w += "e";
          else if (["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"].indexOf(end2) >= 0) w = w.slice(0, -1);
          else if (p1 === w.length && shortv(w.length)) w += "e";
        }
      }
      // Step 1c
      var last = w[w.length - 1];
      if ((last === "y" || last === "Y") && w.length > 2 && !isV(w[w.length - 2])) w = w.slice(0, -1) + "i";
      // Step 2
      s = longest(w, ["tional", "enci", "anci", "abli", "entli", "izer", "ization", "ational", "ation", "ator",
        "alism", "aliti", "alli", "fulness", "ousli", "ousness", "iveness", "iviti", "biliti", "bli", "ogi",
        "fulli", "lessli", "li"]);
      if (s && w.length - s.length >= p1) {
        var base = w.slice(0, w.length - s.length);
        var step2 = {
          tional: "tion", enci: "ence", anci: "ance", abli: "able", entli: "ent", izer: "ize", ization: "ize",
          ational: "ate", ation: "ate", ator: "ate", alism: "al", aliti: "al", alli: "al", fulness: "ful",
          ousli: "ous", ousness: "ous", iveness: "ive", iviti: "ive", biliti: "ble", bli: "ble", fulli: "ful",
          lessli: "less"
        };
        if (s === "ogi") { if (base.endsWith("l")) w = base + "og"; }
        else if (s === "li") { if (base && "cdeghkmnrt".indexOf(base[base.length - 1]) >= 0) w = base; }
        else w = base + step2[s];
      }
      // Step 3
      s = longest(w, ["tional", "ational", "alize", "icate", "iciti", "ical", "ful", "ness", "ative"]);
      if (s && w.length - s.length >= p1) {
        var base3 = w.slice(0, w.length - s.length);
        var step3 = { tional: "tion", ational: "ate", alize: "al", icate: "ic", iciti: "ic", ical: "ic", ful: "", ness: "" };
        if (s === "ative") { if (base3.length >= p2) w = base3; }
        else w = base3 + step3[s];
      }
      // Step 4
      s = longest(w, ["al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism",
        "ate", "iti", "ous", "ive", "ize", "ion"]);
      if (s && w.length - s.length >= p2) {
        var base4 = w.slice(0, w.length - s.length);
        if (s !== "ion") w = base4;
        else if (base4.endsWith("s") || base4.endsWith("t")) w = base4;
      }
      // Step 5
      last = w[w.length - 1];
      var at = w.length - 1;
      if (last === "e") {
        if (at >= p2 || (at >= p1 && !shortv(at))) w = w.slice(0, -1);
      } else if (last === "l") {
        if (at >= p2 && w[at - 1] === "l") w = w.slice(0, -1);
      }
    }
    return yFound ? w.replace(/Y/g, "y") : w;
  }

  // Optimal string alignment distance (edits: insert, delete, substitute,
  // transpose), or max + 1 once it is certainly larger than `max`.
  function editDistance(a, b, max) {
    var n = a.length;
    var m = b.length;
    if (Math.abs(n - m) > max) return max + 1;
    var prev2 = null;
    var prev = new Array(m + 1);
    for (var j = 0; j <= m; j++) prev[j] = j;
    for (var i = 1; i <= n; i++) {
      var row = new Array(m + 1);
      row[0] = i;
      var best = row[0];
      for (j = 1; j <= m; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        row[j] = v;
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      prev2 = prev;
      prev = row;
    }
    return prev[m];
  }

  // ------------------------------------------------------------------ engine

  // How much a match of each kind counts, exact first.
  var WEIGHTS = { exact: 1, stemmed: 0.8, synonym: 0.7, prefix: 0.5, typo: 0.35, typo2: 0.25 };
  var MAX_PREFIX_WORDS = 12;
  var MAX_TYPO_WORDS = 6;
  // Typo-list files fetched per half of a word, and shards fetched for the
  // words a typo may be meant for: bounds on a typo's bytes.
  var MAX_TYPO_LISTS = 2;
  var MAX_TYPO_SHARDS = 3;
  var MAX_SUBHITS = 3;

  function impact(byte) {
    var x = byte / 255;
    return x * x;
  }

  function readVarint(bytes, pos) {
    var value = 0;
    var shift = 1;
    for (;;) {
      var b = bytes[pos.i++];
      value += (b & 0x7f) * shift;
      if (b < 0x80) return value;
      shift *= 128;
    }
  }

  function readPostings(bytes, pos) {
    var n = readVarint(bytes, pos);
    var list = new Array(n);
    var page = 0;
    for (var k = 0; k < n; k++) {
      page += readVarint(bytes, pos);
      var score = bytes[pos.i++];
      var flags = readVarint(bytes, pos);
      var ns = flags >> 1;
      var sections = new Array(ns);
      for (var j = 0; j < ns; j++) {
        var unit = readVarint(bytes, pos);
        sections[j] = [unit, bytes[pos.i++]];
      }
      list[k] = { page: page, impact: score, named: (flags & 1) === 1, sections: sections };
    }
    return list;
  }

  var decoder = typeof TextDecoder !== "undefined" ? new TextDecoder() : null;

  function readString(bytes, pos) {
    var len = readVarint(bytes, pos);
    var s = decoder.decode(bytes.subarray(pos.i, pos.i + len));
    pos.i += len;
    return s;
  }

  // `load(path)` returns a promise of the file's text (`.json`) or ArrayBuffer (`.bin`).
  function Engine(load) {
    this.load = load;
    this.manifest = null;
    this.shards = new Map();
    this.lists = new Map();
    this.pages = new Map();
    this.ready = null;
  }

  Engine.prototype.init = function () {
    var self = this;
    if (!this.ready) {
      this.ready = this.load("manifest.json").then(function (text) {
        self.manifest = JSON.parse(text);
      });
      this.ready.catch(function () { self.ready = null; });
    }
    return this.ready;
  };

  // The shard whose range holds `word`: the last one starting at or before it.
  Engine.prototype.shardOf = function (word) {
    return firstAtOrBefore(this.manifest.shards, word);
  };

  // In [first key, file] entries sorted by key: the last starting at or before `key`.
  function firstAtOrBefore(entries, key) {
    var lo = 0;
    var hi = entries.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (entries[mid][0] <= key) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // Shards holding the words from `lo` to `hi` (at most `max` of them).
  Engine.prototype.shardRange = function (lo, hi, max) {
    var out = [];
    if (!this.manifest.shards.length) return out;
    for (var k = this.shardOf(lo), end = this.shardOf(hi); k <= end && out.length < max; k++) out.push(k);
    return out;
  };

  Engine.prototype.fetchShard = function (k) {
    var self = this;
    var cached = this.shards.get(k);
    if (cached) return cached;
    var promise = this.load(this.manifest.shards[k][1]).then(function (buffer) {
      var bytes = new Uint8Array(buffer);
      var pos = { i: 0 };
      var count = readVarint(bytes, pos);
      var words = count ? unfront(readString(bytes, pos)) : (readVarint(bytes, pos), []);
      var postings = new Map();
      for (var w = 0; w < words.length; w++) postings.set(words[w], readPostings(bytes, pos));
      var synonyms = [];
      var ns = readVarint(bytes, pos);
      for (var j = 0; j < ns; j++) {
        var phrase = readString(bytes, pos);
        var canonical = readString(bytes, pos);
        synonyms.push({ phrase: phrase.split(" "), canonical: canonical, postings: readPostings(bytes, pos) });
      }
      return { words: words, postings: postings, synonyms: synonyms };
    });
    promise.catch(function () { self.shards.delete(k); });
    this.shards.set(k, promise);
    return promise;
  };

  // Front-coded words (a shard's dictionary, a typo list): each line is a
  // character ('0' + n) for the letters shared with the previous word, then the rest.
  function unfront(text) {
    var list = text.split("\n");
    var words = new Array(list.length);
    var prev = [];
    for (var i = 0; i < list.length; i++) {
      var shared = list[i].charCodeAt(0) - 48;
      prev = prev.slice(0, shared).concat(Array.from(list[i].slice(1)));
      words[i] = prev.join("");
    }
    return words;
  }

  function reversed(word) {
    return Array.from(word).reverse().join("");
  }

  // Between the part after the rotation point and the part before it in a
  // middles entry (see src/search/typos.rs): a space, which no word holds.
  var MIDDLE_SEPARATOR = " ";

  // How to look `q` up in each typo list: [key, typed word spelled as that
  // list is sorted], or null. One edit leaves intact either its first half
  // (a beginning, looked up in the heads) or what follows the letter after
  // it (an ending, looked up reversed in the tails, which hold reversed
  // words). Two edits, allowed from 9 letters, leave intact one of its
  // thirds: the first, the last, or the middle one (looked up in the
  // middles, which hold words rotated where that may begin).
  function typoKeys(q) {
    var c = Array.from(q);
    var back = reversed(q);
    if (maxEdits(c.length) < 2) {
      var half = Math.floor(c.length / 2);
      return { heads: [c.slice(0, half).join(""), q], middles: null, tails: [c.slice(half + 1).reverse().join(""), back] };
    }
    var third = Math.floor(c.length / 3);
    return {
      heads: [c.slice(0, third).join(""), q],
      middles: [c.slice(third, c.length - third).join(""), c.slice(third).join("")],
      tails: [c.slice(c.length - third).reverse().join(""), back]
    };
  }

  function sharedLength(a, b) {
    var n = 0;
    while (n < a.length && n < b.length && a[n] === b[n]) n++;
    return n;
  }

  // The files of `lists` ([first key, file], sorted) whose range holds the
  // words beginning with the key of `lookup`, at most MAX_TYPO_LISTS: when
  // there are more (a short key, a large site), those around where the typed
  // word would be, leaning towards the nearer border, as the word meant
  // likely shares more with it than the key.
  function listFiles(lists, lookup) {
    if (!lookup || !lists || !lists.length) return [];
    var key = lookup[0];
    var near = lookup[1];
    var lo = firstAtOrBefore(lists, key);
    var hi = firstAtOrBefore(lists, key + "\uffff");
    if (hi - lo + 1 > MAX_TYPO_LISTS) {
      var at = firstAtOrBefore(lists, near);
      var later = at < hi && sharedLength(near, lists[at + 1][0]) > sharedLength(near, lists[at][0]);
      lo = Math.min(Math.max(later ? at : at - MAX_TYPO_LISTS + 1, lo), hi - MAX_TYPO_LISTS + 1);
      hi = lo + MAX_TYPO_LISTS - 1;
    }
    var out = [];
    for (var k = lo; k <= hi; k++) out.push(lists[k][1]);
    return out;
  }

  // The typo-list files where the words within the allowed edits of `q` are.
  Engine.prototype.typoLists = function (q) {
    var keys = typoKeys(q);
    var m = this.manifest;
    return listFiles(m.heads, keys.heads).concat(listFiles(m.middles, keys.middles), listFiles(m.tails, keys.tails));
  };

  // A middles entry turned back into its word: "iformis pir" → "piriformis".
  function unrotated(entry) {
    var at = entry.indexOf(MIDDLE_SEPARATOR);
    return entry.slice(at + 1) + entry.slice(0, at);
  }

  // A typo list's words, tails and middles turned back into words.
  Engine.prototype.fetchList = function (file) {
    var self = this;
    var cached = this.lists.get(file);
    if (cached) return cached;
    var promise = this.load(file).then(function (text) {
      var words = unfront(text);
      if (file.indexOf("tails-") === 0) return words.map(reversed);
      return file.indexOf("middles-") === 0 ? words.map(unrotated) : words;
    });
    promise.catch(function () { self.lists.delete(file); });
    this.lists.set(file, promise);
    return promise;
  };

  Engine.prototype.fetchShards = function (ks) {
    var self = this;
    return Promise.all(ks.map(function (k) {
      return self.fetchShard(k).then(function (s) { return [k, s]; });
    })).then(function (pairs) { return new Map(pairs); });
  };

  // A page's document: item id % group of the file id / group.
  Engine.prototype.page = function (id) {
    var self = this;
    var group = this.manifest.group || 1;
    var file = Math.floor(id / group);
    var cached = this.pages.get(file);
    if (!cached) {
      cached = this.load(this.manifest.docs + file + ".json").then(JSON.parse);
      cached.catch(function () { self.pages.delete(file); });
      this.pages.set(file, cached);
    }
    return cached.then(function (docs) { return docs[id % group]; });
  };

  // Where a query word's matches can be, as a word range: the word itself,
  // its stem-mates (words sharing most of its stem) and, when asked, the
  // words it begins.
  function wordRange(q) {
    var st = stem(q);
    var common = 0;
    while (common < q.length && common < st.length && q[common] === st[common]) common++;
    var start = q.slice(0, Math.max(Math.min(3, q.length), common - 1));
    return [start, start + "\uffff"];
  }

  // The dictionary words a query word matches in the loaded shards, each
  // with its kind: exact, stemmed, prefix (when allowed), else typo.
  function expandIn(q, allowPrefix, loaded) {
    var seen = new Map();
    var out = [];
    var all = [];
    loaded.forEach(function (shard) {
      if (!shard.stems) shard.stems = shard.words.map(stem);
      shard.words.forEach(function (w, i) { all.push([w, shard.postings.get(w).length, shard.stems[i]]); });
    });
    function add(w, kind) {
      if (!seen.has(w)) { seen.set(w, kind); out.push({ word: w, kind: kind }); }
    }
    var st = stem(q);
    all.forEach(function (e) { if (e[0] === q) add(e[0], "exact"); });
    all.forEach(function (e) { if (e[0] !== q && e[2] === st) add(e[0], "stemmed"); });
    var n = Array.from(q).length;
    if (allowPrefix && n >= 3) {
      var found = all.filter(function (e) { return e[0].length > q.length && e[0].startsWith(q) && !seen.has(e[0]); });
      found.sort(function (a, b) { return b[1] - a[1] || (a[0] < b[0] ? -1 : 1); });
      found.slice(0, MAX_PREFIX_WORDS).forEach(function (e) { add(e[0], "prefix"); });
    }
    return out;
  }

  // How many edits a word of `n` letters may have: none under 5 letters.
  function maxEdits(n) {
    return n >= 9 ? 2 : n >= 5 ? 1 : 0;
  }

  // Words of `pools` (lists of words) within the allowed edits of `q`:
  // [word, edits], fewest edits first.
  function typoCandidates(q, pools) {
    var qc = Array.from(q);
    var max = maxEdits(qc.length);
    var seen = new Set();
    var out = [];
    pools.forEach(function (pool) {
      pool.forEach(function (w) {
        if (seen.has(w)) return;
        seen.add(w);
        var wc = Array.from(w);
        if (Math.abs(wc.length - qc.length) > max || !typoTolerant(w)) return;
        var d = editDistance(qc, wc, max);
        if (d <= max) out.push([w, d]);
      });
    });
    return out.sort(function (a, b) { return a[1] - b[1] || (a[0] < b[0] ? -1 : 1); });
  }

  // The shards to fetch for typo candidates: those already loaded cost
  // nothing; at most MAX_TYPO_SHARDS more, for the closest candidates.
  Engine.prototype.typoShards = function (candidates, loaded, wanted) {
    var self = this;
    candidates.forEach(function (c) {
      var k = self.shardOf(c[0]);
      if (!loaded.has(k) && !wanted.has(k) && wanted.size < MAX_TYPO_SHARDS) wanted.add(k);
    });
  };

  // The candidates found in `shards`, as expansions: fewest edits, then the
  // words on most pages.
  function typosIn(candidates, engine, shards) {
    var typos = [];
    candidates.forEach(function (c) {
      var shard = shards.get(engine.shardOf(c[0]));
      var postings = shard && shard.postings.get(c[0]);
      if (postings) typos.push([c[0], c[1], postings.length]);
    });
    typos.sort(function (a, b) { return a[1] - b[1] || b[2] - a[2] || (a[0] < b[0] ? -1 : 1); });
    return typos.slice(0, MAX_TYPO_WORDS).map(function (t) { return { word: t[0], kind: t[1] === 1 ? "typo" : "typo2" }; });
  }

  // Runs a query. `options.prefix`: the last word may be a beginning
  // (as-you-type). Resolves to { terms, results, synonym, highlight,
  // sectionsOf }; results are ranked { page, matched, named, score }.
  //
  // Shards are fetched in one round: those holding each word's range. Only
  // a word found nowhere there (a typo) costs a second round, for its typo
  // lists, and a third for the shards of the words it may be meant for
  // when those are not loaded yet (a typo in the first letters).
  Engine.prototype.search = function (query, options) {
    var self = this;
    options = options || {};
    return this.init().then(function () {
      var all = words(query);
      var qwords = all.filter(function (w) { return !isStopword(w); });
      var lastIsPartial = options.prefix && all.length > 0 && !/[\s\p{P}]$/u.test(query);
      if (qwords.length === 0 && lastIsPartial) qwords = [all[all.length - 1]];
      var plans = qwords.map(function (q, j) {
        var prefix = !!lastIsPartial && j === qwords.length - 1;
        var range = wordRange(q);
        var ks = self.shardRange(range[0], range[1], Infinity);
        if (ks.length > 3) {
          var own = self.shardOf(q);
          ks = ks.filter(function (k) { return Math.abs(k - own) <= 1; });
        }
        return { q: q, prefix: prefix, shards: ks };
      });
      var needed = new Set();
      plans.forEach(function (p) { p.shards.forEach(function (k) { needed.add(k); }); });
      return self.fetchShards(Array.from(needed)).then(function (shards) {
        var terms = plans.map(function (p) {
          var mine = p.shards.map(function (k) { return shards.get(k); });
          var exp = expandIn(p.q, true, mine);
          // A word of the index is read as a beginning only while typed.
          if (!p.prefix && exp.some(function (e) { return e.kind === "exact" || e.kind === "stemmed"; })) {
            exp = exp.filter(function (e) { return e.kind !== "prefix"; });
          }
          return { text: p.q, stem: stem(p.q), expansions: exp, shards: p.shards };
        });
        var lost = terms.filter(function (t) {
          return t.expansions.length === 0 && typoTolerant(t.text) && maxEdits(Array.from(t.text).length) > 0;
        });
        if (!lost.length) return self.rank(terms, shards);
        // Second round: the typo lists of each lost word; third, if needed,
        // the shards of the words it may be meant for.
        var files = new Set();
        lost.forEach(function (t) { self.typoLists(t.text).forEach(function (f) { files.add(f); }); });
        return Promise.all(Array.from(files).map(function (f) {
          return self.fetchList(f).then(function (words) { return [f, words]; });
        })).then(function (pairs) {
          var lists = new Map(pairs);
          var wanted = new Set();
          lost.forEach(function (t) {
            var pools = self.typoLists(t.text).map(function (f) { return lists.get(f); })
              .concat(t.shards.map(function (k) { return shards.get(k).words; }));
            t.candidates = typoCandidates(t.text, pools);
            self.typoShards(t.candidates, shards, wanted);
          });
          return self.fetchShards(Array.from(wanted)).then(function (extra) {
            extra.forEach(function (v, k) { shards.set(k, v); });
            lost.forEach(function (t) { t.expansions = typosIn(t.candidates, self, shards); });
            return self.rank(terms, shards);
          });
        });
      });
    });
  };

  Engine.prototype.postingsOf = function (word, shards) {
    var shard = shards.get(this.shardOf(word));
    return (shard && shard.postings.get(word)) || [];
  };

  function findPosting(list, page) {
    var lo = 0;
    var hi = list.length - 1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      var p = list[mid].page;
      if (p === page) return list[mid];
      if (p < page) lo = mid + 1; else hi = mid - 1;
    }
    return null;
  }

  // Scores every page in one pass over the postings (typed arrays, no
  // objects per page); a page's sections are worked out only when shown.
  Engine.prototype.rank = function (terms, shards) {
    var self = this;
    var n = this.manifest.pages;
    var t = terms.length;
    // What adds to each query word: its matched words' postings, and synonyms.
    var sources = [];
    terms.forEach(function (term, j) {
      term.expansions.forEach(function (e) {
        sources.push({ from: j, to: j + 1, weight: WEIGHTS[e.kind], postings: self.postingsOf(e.word, shards) });
      });
    });
    var synonym = null;
    var qstems = terms.map(function (term) { return term.stem; });
    var matchWords = terms.map(function (term) {
      return new Set(term.expansions.filter(function (e) { return e.kind !== "prefix"; }).map(function (e) { return e.word; }));
    });
    shards.forEach(function (shard) {
      shard.synonyms.forEach(function (syn) {
        var stems = syn.phrase.map(stem);
        for (var j = 0; j + stems.length <= t; j++) {
          var ok = stems.every(function (st, k) {
            return st === qstems[j + k] || matchWords[j + k].has(syn.phrase[k]);
          });
          if (!ok) continue;
          // The phrase's score is shared by the query words it covers.
          sources.push({ from: j, to: j + stems.length, weight: WEIGHTS.synonym / stems.length, postings: syn.postings });
          if (!synonym || stems.length > synonym.words.length) {
            synonym = { canonical: syn.canonical, words: terms.slice(j, j + stems.length).map(function (x) { return x.text; }) };
          }
        }
      });
    });
    var best = new Float64Array(t * n);
    var named = new Uint8Array(t * n);
    var seen = new Uint8Array(n);
    var touched = [];
    sources.forEach(function (src) {
      var list = src.postings;
      for (var i = 0; i < list.length; i++) {
        var p = list[i];
        var score = src.weight * impact(p.impact);
        for (var j = src.from; j < src.to; j++) {
          var at = j * n + p.page;
          if (score > best[at]) best[at] = score;
          if (p.named) named[at] = 1;
        }
        if (!seen[p.page]) { seen[p.page] = 1; touched.push(p.page); }
      }
    });
    var results = touched.map(function (page) {
      var matched = 0;
      var names = 0;
      var score = 0;
      for (var j = 0; j < t; j++) {
        var b = best[j * n + page];
        if (b > 0) { matched++; score += b; }
        names += named[j * n + page];
      }
      return { page: page, matched: matched, named: names, score: score };
    });
    // Pages with more of the query's words first; then those naming more
    // of them (in the title or other names); then by score.
    results.sort(function (a, b) {
      return b.matched - a.matched || b.named - a.named || b.score - a.score || a.page - b.page;
    });
    // A page's sections, best first: [unit, score].
    function sectionsOf(page) {
      var units = new Map();
      sources.forEach(function (src) {
        var p = findPosting(src.postings, page);
        if (!p) return;
        p.sections.forEach(function (sec) {
          var u = units.get(sec[0]) || new Float64Array(t);
          var score = src.weight * impact(sec[1]);
          for (var j = src.from; j < src.to; j++) if (score > u[j]) u[j] = score;
          units.set(sec[0], u);
        });
      });
      var out = [];
      units.forEach(function (u, unit) {
        var sum = 0;
        for (var j = 0; j < t; j++) sum += u[j];
        out.push([unit, sum]);
      });
      return out.sort(function (a, b) { return b[1] - a[1] || a[0] - b[0]; });
    }
    return { terms: terms, results: results, synonym: synonym, highlight: this.highlighter(terms), sectionsOf: sectionsOf };
  };

  // A function telling whether a folded word of a document matches the query.
  Engine.prototype.highlighter = function (terms) {
    var exact = new Set();
    var stems = new Set();
    var prefixes = [];
    terms.forEach(function (t) {
      stems.add(t.stem);
      t.expansions.forEach(function (e) { exact.add(e.word); });
      if (Array.from(t.text).length >= 3) prefixes.push(t.text);
    });
    return function (word) {
      if (exact.has(word)) return true;
      if (STOPWORDS.has(word)) return false;
      if (stems.has(stem(word))) return true;
      return prefixes.some(function (p) { return word.startsWith(p); });
    };
  };

  // Loads the documents of results [from, to) and shapes them for display:
  // { url, title, kind, heading, snippet, hits: [{ url, heading, snippet }] }.
  Engine.prototype.documents = function (outcome, from, to) {
    var self = this;
    return Promise.all(outcome.results.slice(from, to).map(function (r) {
      if (!r.sections) r.sections = outcome.sectionsOf(r.page);
      return self.page(r.page).then(function (doc) {
        var hits = r.sections.filter(function (s) { return s[0] > 0 && doc.s[s[0]]; }).slice(0, MAX_SUBHITS)
          .map(function (s) {
            var sec = doc.s[s[0]];
            return { url: doc.u + "#" + sec[1], heading: sec[0], snippet: sec[2] };
          });
        var best = r.sections.length && doc.s[r.sections[0][0]] ? r.sections[0][0] : 0;
        var top = doc.s[best] || ["", "", ""];
        return {
          url: best > 0 ? doc.u + "#" + top[1] : doc.u,
          page: doc.u,
          title: doc.t,
          kind: doc.k,
          alsoCalled: doc.a || [],
          heading: top[0],
          snippet: top[2] || (doc.s[0] ? doc.s[0][2] : ""),
          hits: hits
        };
      });
    }));
  };

  // Splits text into [text, isMatch] runs for highlighting.
  function marks(text, isMatch) {
    var out = [];
    var re = /[\p{Alphabetic}\p{N}]+(?:['\u2019\u02BC][\p{Alphabetic}\p{N}]+)*/gu;
    var last = 0;
    var m;
    while ((m = re.exec(text)) !== null) {
      var folded = words(m[0]).join("");
      if (folded && isMatch(folded)) {
        if (m.index > last) out.push([text.slice(last, m.index), false]);
        out.push([m[0], true]);
        last = m.index + m[0].length;
      }
    }
    if (last < text.length) out.push([text.slice(last), false]);
    return out;
  }

  // The part of `text` around its first match, at most `max` characters.
  function window_(text, isMatch, max) {
    if (text.length <= max) return text;
    var runs = marks(text, isMatch);
    var offset = 0;
    for (var i = 0; i < runs.length; i++) {
      if (runs[i][1]) break;
      offset += runs[i][0].length;
    }
    if (offset >= text.length) offset = 0;
    var start = Math.max(0, offset - Math.floor(max / 3));
    if (start > 0) {
      var space = text.indexOf(" ", start);
      start = space >= 0 && space < offset ? space + 1 : start;
    }
    var cut = text.slice(start, start + max);
    var end = cut.lastIndexOf(" ");
    if (start + max < text.length && end > max / 2) cut = cut.slice(0, end);
    return (start > 0 ? "…" : "") + cut + (start + cut.length < text.length && !/…$/.test(cut) ? "…" : "");
  }

  var api = {
    fold: fold, words: words, indexWords: indexWords, isStopword: isStopword, stem: stem,
    typoTolerant: typoTolerant, editDistance: editDistance, Engine: Engine, marks: marks,
    snippetWindow: window_, WEIGHTS: WEIGHTS
  };
  (typeof globalThis !== "undefined" ? globalThis : window).CarebookSearch = api;

  // ------------------------------------------------------------------ UI

  if (typeof document === "undefined") return;

  function fetchLoader(base) {
    return function (path) {
      return fetch(base + path).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status + " for " + path);
        return /\.bin$/.test(path) ? r.arrayBuffer() : r.text();
      });
    };
  }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "className") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function highlighted(tag, className, text, isMatch) {
    var e = el(tag, { className: className });
    marks(text, isMatch).forEach(function (run) {
      e.appendChild(run[1] ? el("mark", { text: run[0] }) : document.createTextNode(run[0]));
    });
    return e;
  }

  function plural(n) {
    return n === 1 ? "1 result" : n + " results";
  }

  function synonymNote(outcome) {
    if (!outcome.synonym) return "";
    return "Showing results for " + outcome.synonym.canonical + " (" + outcome.synonym.words.join(" ") + ")";
  }

  // The header search box: a WAI-ARIA combobox with a listbox of results.
  function setupBox(form, engine) {
    var input = form.querySelector("input[name=q]");
    var list = form.querySelector("[role=listbox]");
    var popup = form.querySelector(".search-popup") || list;
    var noteEl = form.querySelector(".search-note");
    var status = form.querySelector("[data-search-status]");
    if (!input || !list) return;
    // Combobox semantics only once the script can honour them: without it
    // the box is a plain search field that submits to /search/.
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var help = form.querySelector("[data-search-help]");
    if (help) input.setAttribute("aria-describedby", help.id);
    var timer = 0;
    var generation = 0;
    var active = -1;
    var warm = function () { engine.init().catch(function () {}); };
    input.addEventListener("focus", warm);
    form.addEventListener("pointerenter", warm);

    function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }

    function setActive(i) {
      var opts = options();
      active = opts.length ? (i + opts.length) % opts.length : -1;
      opts.forEach(function (o, k) { o.setAttribute("aria-selected", k === active ? "true" : "false"); });
      if (active >= 0) {
        input.setAttribute("aria-activedescendant", opts[active].id);
        opts[active].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }

    function close() {
      popup.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!list.children.length) return;
      popup.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function render(q, outcome, docs) {
      list.textContent = "";
      var note = synonymNote(outcome);
      if (noteEl) { noteEl.textContent = note; noteEl.hidden = !note; }
      docs.forEach(function (d, i) {
        var opt = el("a", { role: "option", id: form.id + "-option-" + i, href: d.url, tabindex: "-1", "aria-selected": "false", className: "search-option" }, [
          el("span", { className: "search-option-head" }, [
            highlighted("span", "search-title", d.title, outcome.highlight),
            el("span", { className: "search-kind", text: d.kind })
          ]),
          d.heading ? highlighted("span", "search-heading", d.heading, outcome.highlight) : null,
          d.snippet ? highlighted("span", "search-snippet", window_(d.snippet, outcome.highlight, 140), outcome.highlight) : null
        ]);
        list.appendChild(opt);
      });
      var all = el("a", {
        role: "option", id: form.id + "-option-all", tabindex: "-1", "aria-selected": "false",
        className: "search-option search-all", href: form.action + "?q=" + encodeURIComponent(q),
        text: outcome.results.length ? "See all " + plural(outcome.results.length) + " for “" + q + "”" : "No results for “" + q + "”"
      });
      list.appendChild(all);
      active = -1;
      open();
      if (status) status.textContent = (outcome.results.length ? plural(outcome.results.length) : "No results") + " for " + q + (note ? ". " + note : "");
    }

    function run() {
      var q = input.value.trim();
      var mine = ++generation;
      if (!q) { list.textContent = ""; close(); if (status) status.textContent = ""; return; }
      engine.search(q, { prefix: true }).then(function (outcome) {
        if (mine !== generation) return null;
        return engine.documents(outcome, 0, 6).then(function (docs) {
          if (mine === generation) render(q, outcome, docs);
        });
      }).catch(function () {
        if (mine === generation && status) status.textContent = "Search is not available right now.";
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (popup.hidden) { open(); if (popup.hidden) return; }
        e.preventDefault();
        setActive(active + (e.key === "ArrowDown" ? 1 : -1) + (active < 0 && e.key === "ArrowUp" ? 1 : 0));
      } else if (e.key === "Enter") {
        var opts = options();
        if (!popup.hidden && active >= 0 && opts[active]) {
          e.preventDefault();
          window.location.href = opts[active].href;
        }
      } else if (e.key === "Escape") {
        if (!popup.hidden) { e.preventDefault(); close(); } else if (input.value) { e.preventDefault(); input.value = ""; }
      }
    });
    popup.addEventListener("mousedown", function (e) { e.preventDefault(); });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // The /search/ page: full results for ?q=.
  function setupPage(root, engine) {
    var results = document.getElementById("search-results");
    var summary = document.getElementById("search-summary");
    var note = document.getElementById("search-synonym");
    var more = document.getElementById("search-more");
    var q = (new URLSearchParams(window.location.search).get("q") || "").trim();
    root.querySelectorAll("input[name=q]").forEach(function (i) { if (!i.value) i.value = q; });
    if (!q || !results) return;
    document.title = "Search: " + q + " | " + document.title.replace(/^[^|]*\|\s*/, "");
    var PAGE = 20;
    var shown = 0;
    var outcome;
    function append(docs) {
      docs.forEach(function (d) {
        var item = el("li", { className: "search-result" }, [
          el("p", { className: "search-result-head" }, [
            (function () { var a = el("a", { href: d.page }); a.appendChild(highlighted("span", "search-title", d.title, outcome.highlight)); return a; })(),
            el("span", { className: "search-kind", text: d.kind })
          ]),
          d.alsoCalled.length ? el("p", { className: "search-also", text: "Also called " + d.alsoCalled.slice(0, 4).join(", ") }) : null,
          d.snippet ? highlighted("p", "search-snippet", window_(d.snippet, outcome.highlight, 220), outcome.highlight) : null
        ]);
        if (d.hits.length) {
          var sub = el("ul", { className: "search-hits" });
          d.hits.forEach(function (h) {
            var a = el("a", { href: h.url });
            a.appendChild(highlighted("span", "search-heading", h.heading, outcome.highlight));
            sub.appendChild(el("li", {}, [a, h.snippet ? highlighted("p", "search-snippet", window_(h.snippet, outcome.highlight, 160), outcome.highlight) : null]));
          });
          item.appendChild(sub);
        }
        results.appendChild(item);
      });
    }
    function next() {
      return engine.documents(outcome, shown, shown + PAGE).then(function (docs) {
        shown += docs.length;
        append(docs);
        if (more) more.hidden = shown >= outcome.results.length;
      });
    }
    engine.search(q, { prefix: true }).then(function (o) {
      outcome = o;
      var text = synonymNote(o);
      if (note) { note.textContent = text; note.hidden = !text; }
      if (summary) summary.textContent = (o.results.length ? plural(o.results.length) : "No results") + " for “" + q + "”";
      return next();
    }).catch(function () {
      if (summary) summary.textContent = "Search is not available right now.";
    });
    if (more) more.addEventListener("click", function () { next(); });
  }

  // The manifest (the dictionary and the shard list, a few KB) is fetched
  // once the page is idle, so that a search needs at most two round trips
  // after the box gets focus: the term shards, then the result pages.
  function whenIdle(fn) {
    var saveData = navigator.connection && navigator.connection.saveData;
    if (saveData) return;
    if (window.requestIdleCallback) window.requestIdleCallback(fn, { timeout: 3000 });
    else setTimeout(fn, 1500);
  }

  function start() {
    document.querySelectorAll("form[data-search-index]").forEach(function (form) {
      var engine = new Engine(fetchLoader(form.getAttribute("data-search-index")));
      setupBox(form, engine);
      var page = document.querySelector("[data-search-page]");
      if (page) setupPage(page, engine);
      else whenIdle(function () { engine.init().catch(function () {}); });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
