#!/usr/bin/env node
/* eslint-disable no-console */
// Portico ↔ Backstage catalog conformance check.
//
// Runs Backstage's own catalog processing code (from npm, see README.md) on
// the same catalog files Portico read, and diffs the result against
// Portico's catalog.json and `portico check --format json` diagnostics.
//
// Usage: node conformance.js [--portico BIN] [--out DIR] [--only NAME[,NAME]]
//                            [--allowed FILE]
//
// Exits 1 when a difference in URL mode (the way deployments register
// repositories) is not listed in the allow-list (allowed.txt beside this
// file), 0 otherwise. See README.md.
'use strict';

const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const cp = require('node:child_process');

// ---------------------------------------------------------------------------
// Backstage code. The processing orchestrator and some helpers are not
// exported from the package entry points (package.json "exports" blocks deep
// imports by name), so they are required by absolute path from dist/.
// ---------------------------------------------------------------------------
const NM = path.join(__dirname, 'node_modules');
const BE = path.join(NM, '@backstage/plugin-catalog-backend/dist');
const be = p => require(path.join(BE, p));
const { DefaultCatalogProcessingOrchestrator } = be('processing/DefaultCatalogProcessingOrchestrator.cjs.js');
const { ProcessorOutputCollector } = be('processing/ProcessorOutputCollector.cjs.js');
const bkUtil = be('processing/util.cjs.js');
const PH = be('processors/PlaceholderProcessor.cjs.js');
const { defaultEntityDataParser } = be('util/parse.cjs.js');
const { ModelProcessor } = be('processors/ModelProcessor.cjs.js');
const { ModelHolder } = be('model/ModelHolder.cjs.js');
const alphaModel = require('@backstage/catalog-model/alpha');
const { filterAndSortProcessors } = be('service/util.cjs.js');
const {
  BuiltinKindsEntityProcessor,
  FileReaderProcessor,
  UrlReaderProcessor,
  AnnotateLocationEntityProcessor,
} = require('@backstage/plugin-catalog-backend');
const { ScaffolderEntitiesProcessor } = require('@backstage/plugin-catalog-backend-module-scaffolder-entity-model');
const cm = require('@backstage/catalog-model');
const { locationSpecToLocationEntity } = require('@backstage/plugin-catalog-node');
const { ScmIntegrations } = require('@backstage/integration');
const { ConfigReader } = require('@backstage/config');
const { NotFoundError } = require('@backstage/errors');
const YAML = require(require.resolve('yaml', { paths: [path.join(NM, '@backstage/plugin-catalog-node')] }));
const { minimatch } = require(require.resolve('minimatch', { paths: [BE] }));

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const PROJECT = path.join(__dirname, '..', '..');
const PORTICO = path.resolve(opt('--portico', path.join(PROJECT, 'target', 'debug', 'portico')));
const OUT = path.resolve(opt('--out', path.join(__dirname, 'out')));
const ONLY = opt('--only', '') ? opt('--only').split(',') : null;
const ALLOWED = path.resolve(opt('--allowed', path.join(__dirname, 'allowed.txt')));
const INVALID = 'portico.dev/invalid';
// Real paths: Portico writes canonical `file:` locations.
const real = p => (p && fs.existsSync(p) ? fs.realpathSync(p) : p);
const C = real(process.env.CORPUS || path.join(PROJECT, '..', 'shared', 'corpus'));
const ORG = real(process.env.EXAMPLE_ORG || path.join(PROJECT, 'example-org'));
const EXTRA = real(process.env.EXTRA_ORG || '');  // any further folder of repositories to compare

const subdirs = dir =>
  fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).filter(d => d.isDirectory() && !d.name.startsWith('.')).map(d => path.join(dir, d.name)).sort()
    : [];
const loc = f => ['--location', f];

// repos: the folders that are repositories (for URL mode, each gets its own
// synthetic https://github.com/conformance/<name>/blob/main/ base).
const CORPORA = [
  { name: 'corpus/backstage-examples', repos: [`${C}/backstage-examples`],
    portico: [...loc(`${C}/backstage-examples/all.yaml`), ...loc(`${C}/backstage-examples/acme-corp.yaml`)] },
  { name: 'corpus/backstage-examples-extra', repos: [`${C}/backstage-examples-extra`],
    portico: loc(`${C}/backstage-examples-extra/components/invalid-component.yaml`) },
  { name: 'corpus/backstage-templates', repos: [`${C}/backstage-templates`],
    portico: [...loc(`${C}/backstage-templates/docs-template/template.yaml`), ...loc(`${C}/backstage-templates/pull-request/template.yaml`), ...loc(`${C}/backstage-templates/conditional-parameters-demo/template.yaml`)] },
  { name: 'corpus/techdocs-backstage-documented-component', repos: [`${C}/techdocs-backstage-documented-component`],
    portico: [`${C}/techdocs-backstage-documented-component`] },
  { name: 'corpus/techdocs-systems-techdocs', repos: [`${C}/techdocs-systems-techdocs`],
    portico: [...loc(`${C}/techdocs-systems-techdocs/tap-catalog-info.yaml`), ...loc(`${C}/techdocs-systems-techdocs/tdp-catalog-info.yaml`)] },
  { name: 'example-org', repos: subdirs(ORG).filter(d => fs.existsSync(path.join(d, 'catalog-info.yaml'))), portico: [ORG] },
  { name: 'extra-org', repos: subdirs(EXTRA), portico: [EXTRA] },
  // Copies made by prepare-web.sh, with https://github.com/conformance/<name>
  // remotes: Portico then writes url: annotations, compared as they are.
  { name: 'example-org-web', repos: subdirs(`${__dirname}/web/org`), portico: [`${__dirname}/web/org`], web: true },
  { name: 'extra-org-web', repos: subdirs(`${__dirname}/web/extra`), portico: [`${__dirname}/web/extra`], web: true },
];

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------
const logger = {
  child() { return logger; },
  debug() {}, info() {}, error() {},
  warn(m) { currentWarnings.push(String(m)); },
};
let currentWarnings = [];
const lc = s => String(s).toLowerCase();
const refOf = e => cm.stringifyEntityRef(e);
function walkFiles(dir, out = [], base = dir) {
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    if (d.name === '.git' || d.name === 'node_modules') continue;
    const p = path.join(dir, d.name);
    if (d.isDirectory()) walkFiles(p, out, base);
    else if (d.isFile()) out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out;
}
const isGlob = s => /[*?[\]{}]/.test(s);

// Repository mapping for URL mode.
class RepoMap {
  constructor(repos) {
    const branch = dir => {
      if (!fs.existsSync(path.join(dir, '.git'))) return 'main';
      const r = cp.spawnSync('git', ['-C', dir, 'rev-parse', '--abbrev-ref', 'HEAD'], { encoding: 'utf8' });
      return r.status === 0 && r.stdout.trim() !== 'HEAD' ? r.stdout.trim() : 'main';
    };
    this.repos = repos.map(dir => ({ dir: path.resolve(dir), key: path.basename(dir).replace(/[^A-Za-z0-9._-]/g, '-'), ref: branch(dir) }));
    const keys = new Set();
    for (const r of this.repos) { while (keys.has(r.key)) r.key += '_'; keys.add(r.key); }
  }
  repoOf(file) {
    const abs = path.resolve(file);
    return this.repos.filter(r => abs === r.dir || abs.startsWith(r.dir + path.sep)).sort((a, b) => b.dir.length - a.dir.length)[0];
  }
  urlFor(file) {
    const r = this.repoOf(file);
    if (!r) return null;
    const rel = path.relative(r.dir, path.resolve(file)).split(path.sep).map(encodeURIComponent).join('/');
    return `https://github.com/conformance/${r.key}/blob/${r.ref}/${rel}`;
  }
  // https://github.com/conformance/<key>/(blob|tree|raw)/<ref>/<path> -> {repo, rel, file}
  parse(url) {
    const m = /^https:\/\/github\.com\/conformance\/([^/]+)\/(?:blob|tree|raw|edit)\/(.*)$/.exec(String(url).split(/[?#]/)[0]);
    if (!m) return null;
    const repo = this.repos.find(r => r.key === m[1]);
    if (!repo || !(m[2] === repo.ref || m[2].startsWith(`${repo.ref}/`))) return null;
    const rel = m[2].slice(repo.ref.length + 1).split('/').map(s => decodeURIComponent(s)).join('/');
    return { repo, rel, file: path.join(repo.dir, rel) };
  }
  canonical(url) {
    const p = this.parse(url);
    return p ? this.urlFor(p.file) : url;
  }
}

// A UrlReaderService that serves the synthetic GitHub URLs from the local
// files (like GithubUrlReader would serve them from the git host). Anything
// else is a remote URL that Backstage would fetch: it is recorded and
// answered with a stub, so that processing can go on.
class LocalReader {
  constructor(map, remote) { this.map = map; this.remote = remote; }
  async readUrl(url) {
    new URL(url); // like UrlReaders (backend-defaults): a relative path is "TypeError: Invalid URL"
    const p = this.map.parse(url);
    if (!p) {
      this.remote.push({ op: 'readUrl', url });
      const stub = Buffer.from(`<<remote ${url} not fetched>>`);
      return { buffer: async () => stub };
    }
    if (!fs.existsSync(p.file) || !fs.statSync(p.file).isFile()) throw new NotFoundError(`${url} not found`);
    const data = fs.readFileSync(p.file);
    return { buffer: async () => data };
  }
  async readTree() { throw new Error('readTree not supported'); }
  async search(url) {
    new URL(url); // as above
    const p = this.map.parse(url);
    if (!p) {
      this.remote.push({ op: 'search', url });
      return { files: [{ url, content: async () => Buffer.from('') }], etag: '' };
    }
    if (!isGlob(p.rel)) {
      try {
        const r = await this.readUrl(url);
        const data = await r.buffer();
        // as GithubUrlReader.search: the URL as asked for (a relative target
        // resolved by GitHub's resolveUrl is a /tree/ URL)
        return { files: [{ url, content: async () => data }], etag: '' };
      } catch (e) {
        if (e.name === 'NotFoundError') return { files: [], etag: '' };
        throw e;
      }
    }
    const files = walkFiles(p.repo.dir).filter(f => minimatch(f, p.rel)).sort();
    return {
      files: files.map(f => ({ url: this.map.urlFor(path.join(p.repo.dir, f)), content: async () => fs.readFileSync(path.join(p.repo.dir, f)) })),
      etag: '',
    };
  }
}

// Capture per-file errors (with the location they were emitted for) and
// envelope failures, which the collector otherwise records without a place.
let hook = null;
const origReceive = ProcessorOutputCollector.prototype.receive;
ProcessorOutputCollector.prototype.receive = function receive(log, i) {
  if (!this.done && hook) {
    if (i.type === 'error') hook.fileErrors.push({ location: cm.stringifyLocationRef(i.location), message: String(i.error && i.error.message), via: refOf(this.parentEntity) });
    if (i.type === 'entity') {
      try { bkUtil.validateEntityEnvelope(i.entity); } catch (e) {
        hook.fileErrors.push({ location: cm.stringifyLocationRef(i.location), message: `envelope: ${e.message}`, via: refOf(this.parentEntity), envelope: true, raw: i.entity });
      }
    }
  }
  return origReceive.call(this, log, i);
};

// ---------------------------------------------------------------------------
// Backstage: processors, policy and the processing loop
// ---------------------------------------------------------------------------
function makeOrchestrator(reader, integrations, config, withModel) {
  // As CatalogBuilder.buildProcessors(): Placeholder, BuiltinKinds, then the
  // default processors (FileReader, UrlReader, AnnotateLocation), then the
  // processors added by modules (here the scaffolder entity model module that
  // a standard backend installs), sorted by priority.
  const processors = filterAndSortProcessors([
    new PH.PlaceholderProcessor({
      resolvers: { json: PH.jsonPlaceholderResolver, yaml: PH.yamlPlaceholderResolver, text: PH.textPlaceholderResolver },
      reader, integrations,
    }),
    // With catalog model layers (alpha; CatalogBuilder uses a ModelProcessor
    // instead of BuiltinKindsEntityProcessor when a module adds a model source)
    withModel ? new ModelProcessor(ModelHolder.modelPassthroughForTest(alphaModel.compileCatalogModel(
      [alphaModel.defaultCatalogEntityModel, alphaModel.aiResourceEntityModel, alphaModel.mcpServerApiEntityModel])))
      : new BuiltinKindsEntityProcessor(),
    new FileReaderProcessor(),
    new UrlReaderProcessor({ reader, logger }),
    new AnnotateLocationEntityProcessor({ integrations }),
    new ScaffolderEntitiesProcessor(),
  ], config);
  // As CatalogBuilder.buildEntityPolicy() with no custom policies.
  const policy = cm.EntityPolicies.allOf([
    new cm.SchemaValidEntityPolicy(),
    new cm.DefaultNamespaceEntityPolicy(),
    new cm.NoForeignRootFieldsEntityPolicy(),
    new cm.FieldFormatEntityPolicy(cm.makeValidator({})),
  ]);
  // catalog.rules: allow every kind (the default allows only Component, API
  // and Location; real apps widen it).
  const rulesEnforcer = { isAllowed: () => true };
  return new DefaultCatalogProcessingOrchestrator({
    processors, integrations, rulesEnforcer, logger, parser: defaultEntityDataParser, policy,
  });
}

// Emulates DefaultCatalogProcessingEngine: process each unprocessed entity;
// only when processing is ok are its deferred entities and relations stored.
// Children of failed entities are processed too, in "shadow" mode, only to
// report what Backstage loses with them.
async function runBackstage(mode, rootFiles, map) {
  const withModel = mode === 'url-model';
  if (withModel) mode = 'url';
  const remote = [];
  const reader = new LocalReader(map, remote);
  const config = new ConfigReader({});
  const integrations = ScmIntegrations.fromConfig(config);
  const orchestrator = makeOrchestrator(reader, integrations, config, withModel);
  const toSpec = f => (mode === 'file' ? { type: 'file', target: path.resolve(f) } : { type: 'url', target: map.urlFor(f) });
  const records = [];
  const seen = new Map(); // lower ref -> record (real)
  const shadowSeen = new Set();
  const fileErrors = [];
  const queue = [];
  const enqueueRoots = files => {
    for (const f of files) {
      const spec = toSpec(f);
      if (!spec.target) continue;
      queue.push({ entity: locationSpecToLocationEntity({ location: spec }), locationKey: cm.stringifyLocationRef(spec), parent: null, shadow: false, generated: true, rootFile: f });
    }
  };
  enqueueRoots(rootFiles);
  const cwd = process.cwd();
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'bsconf-cwd-'));
  process.chdir(empty); // a backend's cwd: relative file targets without "./" resolve here
  try {
    while (queue.length) {
      const item = queue.shift();
      const ref = refOf(item.entity);
      const lower = lc(ref);
      if (item.shadow) {
        if (shadowSeen.has(lower) || seen.has(lower)) continue;
        shadowSeen.add(lower);
      }
      let replaced = null;
      if (!item.shadow && seen.has(lower)) {
        const ex = seen.get(lower);
        // The same file (under any spelling of its URL) shares one location
        // key: read again by another Location it is the same entity again;
        // another document of it with the same ref is written over the
        // first, and the last write stays (updateUnprocessedEntity: the key
        // matches), with no conflict and no message.
        if (refToFile(ex.locationKey, map) === refToFile(item.locationKey, map)) {
          if (JSON.stringify(ex.raw) === JSON.stringify(item.entity)) continue;
          replaced = ex;
        } else {
          records.push({ ref, lower, ok: false, conflict: true, shadow: false, parent: item.parent, locationKey: item.locationKey,
            errors: [`conflict: ${ref} from ${item.locationKey} ignored, already provided by ${ex.locationKey}`], raw: item.entity });
          continue;
        }
      }
      hook = { fileErrors: [] };
      currentWarnings = [];
      const result = await orchestrator.process({ entity: item.entity, state: {} });
      for (const fe of hook.fileErrors) fileErrors.push({ ...fe, shadow: item.shadow });
      hook = null;
      const rec = {
        ref, lower, ok: result.ok, shadow: item.shadow, parent: item.parent, generated: !!item.generated,
        locationKey: item.locationKey, rootFile: item.rootFile,
        errors: (result.errors || []).map(e => String(e.message || e)),
        warnings: currentWarnings,
        relations: result.ok ? result.relations : [],
        completed: result.completedEntity || null,
        raw: item.entity,
      };
      if (replaced) records[records.indexOf(replaced)] = rec; else records.push(rec);
      if (!item.shadow) seen.set(lower, rec);
      for (const d of result.deferredEntities || []) {
        queue.push({ entity: d.entity, locationKey: d.locationKey, parent: ref, shadow: item.shadow || !result.ok });
      }
    }
  } finally {
    process.chdir(cwd);
    fs.rmSync(empty, { recursive: true, force: true });
  }
  return { records, fileErrors, remote };
}

// location ref (file:/x or url:https://github.com/conformance/...) -> local path
function refToFile(locRef, map) {
  if (!locRef) return null;
  const m = /^(\w+):(.*)$/s.exec(locRef);
  if (!m) return null;
  if (m[1] === 'file') return path.resolve(m[2]);
  if (m[1] === 'url') { const p = map.parse(m[2]); return p ? p.file : m[2]; }
  return m[2];
}

// ---------------------------------------------------------------------------
// Documents of a file, to place entities and diagnostics in the same file
// ---------------------------------------------------------------------------
const docCache = new Map();
function docsOf(file) {
  if (docCache.has(file)) return docCache.get(file);
  let docs = [];
  try {
    const text = fs.readFileSync(file, 'utf8');
    const lineStarts = [0];
    for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
    const lineOf = off => { let lo = 0, hi = lineStarts.length - 1; while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (lineStarts[mid] <= off) lo = mid; else hi = mid - 1; } return lo + 1; };
    docs = YAML.parseAllDocuments(text, { merge: false }).map((d, index) => {
      let json = null;
      try { json = d.toJSON(); } catch { /* ignore */ }
      return { index, start: lineOf(d.range[0]), end: lineOf(Math.max(d.range[0], d.range[2] - 1)), json };
    });
  } catch { /* unreadable */ }
  docCache.set(file, docs);
  return docs;
}
function docIndexForLine(file, line) {
  const docs = docsOf(file);
  let best = null;
  for (const d of docs) if (d.start <= line) best = d.index;
  return best;
}
function docIndexForEntity(file, raw) {
  const docs = docsOf(file);
  const name = raw && raw.metadata && raw.metadata.name;
  const kind = raw && raw.kind;
  const hit = docs.find(d => d.json && d.json.kind === kind && d.json.metadata && d.json.metadata.name === name);
  return hit ? hit.index : null;
}

// ---------------------------------------------------------------------------
// Portico
// ---------------------------------------------------------------------------
function runPortico(corpus, dir) {
  corpus.cwd = dir;
  const site = path.join(dir, 'site');
  fs.rmSync(site, { recursive: true, force: true });
  const env = { ...process.env, NO_COLOR: '1' };
  const b = cp.spawnSync(PORTICO, ['build', ...corpus.portico, '--out', site], { cwd: dir, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  const c = cp.spawnSync(PORTICO, ['check', ...corpus.portico, '--format', 'json'], { cwd: dir, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  fs.writeFileSync(path.join(dir, 'portico-build.log'), `exit ${b.status}\n${b.stdout}\n${b.stderr}`);
  fs.writeFileSync(path.join(dir, 'portico-check.json'), c.stdout);
  fs.writeFileSync(path.join(dir, 'portico-check.stderr'), `exit ${c.status}\n${c.stderr}`);
  const catFile = path.join(site, 'catalog.json');
  const catalog = fs.existsSync(catFile) ? JSON.parse(fs.readFileSync(catFile, 'utf8')) : { entities: [] };
  // --backstage-exact: what Portico leaves when it drops what Backstage rejects
  const exactSite = path.join(dir, 'site-exact');
  fs.rmSync(exactSite, { recursive: true, force: true });
  const x = cp.spawnSync(PORTICO, ['build', '--backstage-exact', ...corpus.portico, '--out', exactSite], { cwd: dir, encoding: 'utf8', env, maxBuffer: 1 << 28 });
  fs.writeFileSync(path.join(dir, 'portico-build-exact.log'), `exit ${x.status}\n${x.stdout}\n${x.stderr}`);
  const exactFile = path.join(exactSite, 'catalog.json');
  const exact = fs.existsSync(exactFile) ? JSON.parse(fs.readFileSync(exactFile, 'utf8')) : { entities: [] };
  let diags = [];
  const text = c.stdout.trim();
  if (text) {
    try {
      const j = JSON.parse(text);
      diags = Array.isArray(j) ? j : j.diagnostics || [];
    } catch {
      diags = text.split('\n').filter(Boolean).map(l => JSON.parse(l));
    }
  }
  return { catalog, exact, diags, buildExit: b.status, checkExit: c.status };
}
function diagFile(d, corpus) {
  const f = d.path || d.file;
  if (!f) return null;
  if (path.isAbsolute(f)) return f;
  // as printed by Portico, relative to the folder it ran in
  if (corpus.cwd && fs.existsSync(path.resolve(corpus.cwd, f))) return real(path.resolve(corpus.cwd, f));
  // relative: try cwd-relative, then each repo
  for (const r of corpus.repos) { const p = path.join(r, f); if (fs.existsSync(p)) return p; }
  for (const r of corpus.repos) {
    const p = path.join(path.dirname(r), f); if (fs.existsSync(p)) return p;
  }
  return f;
}

// ---------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------
const LOC_ANN = [cm.ANNOTATION_LOCATION, cm.ANNOTATION_ORIGIN_LOCATION, cm.ANNOTATION_SOURCE_LOCATION, cm.ANNOTATION_VIEW_URL, cm.ANNOTATION_EDIT_URL];
function diffValues(a, b, p = '', out = []) {
  if (JSON.stringify(a) === JSON.stringify(b)) return out;
  if (p === 'relations' && Array.isArray(a) && Array.isArray(b)) {
    const k = r => `${r.type} ${r.targetRef}`;
    const A = new Set(a.map(k)); const B = new Set(b.map(k));
    const onlyA = [...A].filter(x => !B.has(x)); const onlyB = [...B].filter(x => !A.has(x));
    if (onlyA.length) out.push({ path: p, kind: 'backstage-only', backstage: onlyA, portico: undefined });
    if (onlyB.length) out.push({ path: p, kind: 'portico-only', backstage: undefined, portico: onlyB });
    if (!onlyA.length && !onlyB.length) out.push({ path: p, kind: 'order', backstage: a.map(k), portico: b.map(k) });
    return out;
  }
  const isObj = x => x && typeof x === 'object' && !Array.isArray(x);
  if (isObj(a) && isObj(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffValues(a[k], b[k], p ? `${p}.${k}` : k, out);
    return out;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    if (JSON.stringify([...a].map(x => JSON.stringify(x)).sort()) === JSON.stringify([...b].map(x => JSON.stringify(x)).sort())) {
      out.push({ path: p, kind: 'order', backstage: a, portico: b });
      return out;
    }
    a.forEach((x, i) => diffValues(x, b[i], `${p}[${i}]`, out));
    return out;
  }
  out.push({ path: p, kind: a === undefined ? 'portico-only' : b === undefined ? 'backstage-only' : 'value', backstage: a, portico: b });
  return out;
}
const trunc = (v, n = 120) => { const s = v === undefined ? 'undefined' : JSON.stringify(v); return s.length > n ? `${s.slice(0, n)}…` : s; };

function analyse(corpus, portico, bs, map, mode, extraRoots = new Set()) {
  const accepted = bs.records.filter(r => r.ok && !r.shadow && !r.generated);
  const acceptedSet = new Map(accepted.map(r => [r.lower, r]));
  const generated = bs.records.filter(r => r.generated && !r.shadow);
  // Entities Portico keeps but marks invalid (Backstage would reject them)
  // count as rejections, not as entities.
  const isInvalid = e => Boolean(((e.metadata || {}).annotations || {})[INVALID]);
  const pEntities = (portico.catalog.entities || []).filter(e => !isInvalid(e));
  const pInvalid = new Map((portico.catalog.entities || []).filter(isInvalid).map(e => [lc(refOf(e)), e]));
  const pByRef = new Map(pEntities.map(e => [lc(refOf(e)), e]));

  // (a) entities
  const bothRefs = [...acceptedSet.keys()].filter(k => pByRef.has(k));
  const onlyBackstage = [...acceptedSet.keys()].filter(k => !pByRef.has(k));
  const onlyPortico = [...pByRef.keys()].filter(k => !acceptedSet.has(k));

  // (b) rejections: every entity (or file-level error) Backstage did not accept
  const rejected = [];
  for (const r of bs.records) {
    if (r.ok && !r.shadow) continue;
    if (r.generated && r.ok) continue;
    // Read in shadow under a failed Location, and stored all the same
    // through another Location that names its file: no rejection.
    if (r.shadow && r.ref && acceptedSet.has(lc(r.ref))) continue;
    const file = r.generated ? r.rootFile : refToFile((r.raw && r.raw.metadata && r.raw.metadata.annotations || {})[cm.ANNOTATION_LOCATION], map);
    let why = r.errors.join(' | ');
    if (r.shadow && r.ok) why = `dropped: a parent Location failed (${r.parent}); its own processing would succeed`;
    else if (r.shadow) why = `dropped: parent ${r.parent} failed; own errors too: ${why}`;
    rejected.push({ ref: r.ref, file, doc: file ? docIndexForEntity(file, r.raw) : null, generated: r.generated, shadow: r.shadow, conflict: !!r.conflict, message: why });
  }
  for (const fe of bs.fileErrors) {
    const file = refToFile(fe.location, map);
    if (!fe.envelope) {
      // already part of the errors of the entity that read the file; listed
      // on its own only when it is about another, existing file (a YAML error
      // in a Location's target, say)
      const via = bs.records.find(r => r.ref === fe.via);
      const viaFile = via && (via.generated ? via.rootFile : refToFile(((via.raw.metadata || {}).annotations || {})[cm.ANNOTATION_LOCATION], map));
      if (!file || !fs.existsSync(file) || file === viaFile) continue;
    }
    let doc = null;
    if (fe.envelope) doc = docIndexForEntity(file, fe.raw);
    rejected.push({ ref: null, file, doc, fileLevel: true, shadow: fe.shadow, via: fe.via, message: fe.message });
  }
  const pErrors = portico.diags.filter(d => d.severity === 'error').map(d => {
    const file = diagFile(d, corpus);
    return { ...d, absFile: file, doc: file && d.line ? docIndexForLine(file, d.line) : null };
  });
  // match: same file and same document (or same file when a side has no document)
  const matchedP = new Set();
  for (const rj of rejected) {
    rj.portico = pErrors.filter((d, i) => {
      const hit = d.absFile === rj.file && (rj.doc == null || d.doc == null || d.doc === rj.doc);
      if (hit) matchedP.add(i);
      return hit;
    }).map(d => `${d.code}@${d.line}: ${d.message}`);
  }
  for (const rj of rejected) {
    const inv = rj.ref && pInvalid.get(lc(rj.ref));
    if (inv) rj.portico.unshift(`marked invalid: ${inv.metadata.annotations[INVALID]}`);
  }
  const unmatchedPortico = pErrors.filter((d, i) => !matchedP.has(i)).map(d => ({ file: d.absFile, line: d.line, code: d.code, message: d.message }));
  const invalidButAccepted = [...pInvalid.keys()].filter(k => acceptedSet.has(k));
  const invalidNotRejected = [...pInvalid.keys()].filter(k => !acceptedSet.has(k) && !rejected.some(r => r.ref && lc(r.ref) === k));

  // (c) relations
  const bRel = new Map(); // key -> {source,type,target}
  const bRelAll = new Set(); // every stored relation, for --backstage-exact
  let bDup = 0;
  let invisible = 0;
  // Relations touching an entity Portico keeps but marks invalid are left
  // out on both sides: Backstage stores none of those the invalid entity
  // emits (its inverses on valid entities included), while a valid entity's
  // own relation to it is stored (dangling). The --backstage-exact catalog
  // is compared with every relation below.
  for (const r of accepted) {
    for (const rel of r.relations) {
      const s = refOf(rel.source); const t = refOf(rel.target);
      if (acceptedSet.has(lc(s))) bRelAll.add(`${lc(s)}|${rel.type}|${t}`);
      if (pInvalid.has(lc(t)) || pInvalid.has(lc(s))) continue;
      if (!acceptedSet.has(lc(s))) { invisible++; continue; }
      const key = `${lc(s)}|${rel.type}|${t}`;
      if (bRel.has(key)) bDup++;
      bRel.set(key, { source: s, type: rel.type, target: t });
    }
  }
  const pRel = new Map();
  for (const e of pEntities) {
    for (const rel of e.relations || []) {
      if (pInvalid.has(lc(rel.targetRef))) continue;
      const key = `${lc(refOf(e))}|${rel.type}|${rel.targetRef}`;
      pRel.set(key, { source: refOf(e), type: rel.type, target: rel.targetRef });
    }
  }
  const relBoth = [...bRel.keys()].filter(k => pRel.has(k));
  const relOnlyB = [...bRel.keys()].filter(k => !pRel.has(k));
  const relOnlyP = [...pRel.keys()].filter(k => !bRel.has(k));
  const ci = k => lc(k);
  const pRelCi = new Set([...pRel.keys()].map(ci));
  const bRelCi = new Set([...bRel.keys()].map(ci));
  const danglingB = [...bRel.values()].filter(r => !acceptedSet.has(lc(r.target)));
  const danglingP = [...pRel.values()].filter(r => !pByRef.has(lc(r.target)));

  // (d) fields of every entity in both
  const fieldDiffs = {};
  for (const k of bothRefs) {
    const b = JSON.parse(JSON.stringify(acceptedSet.get(k).completed));
    const p = JSON.parse(JSON.stringify(pByRef.get(k)));
    delete b.relations; delete p.relations;
    if (b.metadata) { delete b.metadata.uid; delete b.metadata.etag; }
    // location annotations are compared as files (modes differ in spelling)
    const ba = (b.metadata && b.metadata.annotations) || {};
    const pa = (p.metadata && p.metadata.annotations) || {};
    if (mode === 'url' && corpus.web) {
      // Portico saw the same https://github.com/conformance/... remotes:
      // compare every annotation as it is.
    } else if (mode === 'url') {
      // URL mode: Backstage's location annotations are synthetic GitHub URLs;
      // compare managed-by(-origin)-location as local files, and leave out
      // source-location/view-url/edit-url (Portico writes file: values, or
      // none, for repositories without a web remote).
      for (const a of LOC_ANN) {
        if (a === cm.ANNOTATION_LOCATION || a === cm.ANNOTATION_ORIGIN_LOCATION) {
          if (ba[a] !== undefined) ba[a] = `<file ${refToFile(ba[a], map)}>`;
          if (pa[a] !== undefined) pa[a] = `<file ${refToFile(pa[a], map)}>`;
        } else { delete ba[a]; delete pa[a]; }
      }
    } else if (extraRoots.has(refToFile(ba[cm.ANNOTATION_ORIGIN_LOCATION], map))) {
      // registered on its own because its Location could not be followed in
      // file mode: the origin necessarily differs
      delete ba[cm.ANNOTATION_ORIGIN_LOCATION]; delete pa[cm.ANNOTATION_ORIGIN_LOCATION];
    }
    const d = diffValues(b, p);
    if (d.length) fieldDiffs[k] = d;
  }
  // --backstage-exact: the same entities as Backstage keeps, and the same relations.
  const xRefs = new Set((portico.exact.entities || []).map(e => lc(refOf(e))));
  const exactOnlyPortico = [...xRefs].filter(k => !acceptedSet.has(k));
  const exactOnlyBackstage = [...acceptedSet.keys()].filter(k => !xRefs.has(k));
  const xRel = new Set();
  for (const e of portico.exact.entities || []) for (const rel of e.relations || []) xRel.add(`${lc(refOf(e))}|${rel.type}|${rel.targetRef}`);
  const exactRelOnlyPortico = [...xRel].filter(k => !bRelAll.has(k));
  const exactRelOnlyBackstage = [...bRelAll].filter(k => !xRel.has(k));
  return {
    mode,
    exact: { onlyPortico: exactOnlyPortico, onlyBackstage: exactOnlyBackstage, relOnlyPortico: exactRelOnlyPortico, relOnlyBackstage: exactRelOnlyBackstage },
    counts: {
      backstageEntities: acceptedSet.size, porticoEntities: pByRef.size, bothEntities: bothRefs.length,
      generatedRootLocations: generated.length, generatedRootLocationsFailed: generated.filter(g => !g.ok).length,
      backstageRelations: bRel.size, porticoRelations: pRel.size, bothRelations: relBoth.length,
      backstageDanglingRelations: danglingB.length, porticoDanglingRelations: danglingP.length,
      backstageInvisibleInverseRelations: invisible, backstageDuplicateRelations: bDup,
      backstageRejections: rejected.length, porticoErrors: pErrors.length, porticoErrorsUnmatched: unmatchedPortico.length,
      remoteReads: bs.remote.length,
    },
    onlyBackstage: onlyBackstage.map(k => ({ ref: acceptedSet.get(k).ref, file: refToFile(acceptedSet.get(k).completed.metadata.annotations[cm.ANNOTATION_LOCATION], map) })),
    onlyPortico: onlyPortico.map(k => ({ ref: refOf(pByRef.get(k)), file: refToFile((pByRef.get(k).metadata.annotations || {})[cm.ANNOTATION_LOCATION], map), caseOnly: acceptedSet.has(k) })),
    rejected,
    unmatchedPortico,
    invalidButAccepted,
    invalidNotRejected,
    relOnlyBackstage: relOnlyB.map(k => ({ ...bRel.get(k), caseOnly: pRelCi.has(ci(k)) })),
    relOnlyPortico: relOnlyP.map(k => ({ ...pRel.get(k), caseOnly: bRelCi.has(ci(k)) })),
    danglingBackstage: danglingB.map(r => `${r.source} ${r.type} ${r.target}`),
    danglingPortico: danglingP.map(r => `${r.source} ${r.type} ${r.target}`),
    fieldDiffs,
    remote: bs.remote,
    warnings: bs.records.flatMap(r => r.warnings || []),
  };
}

// (d) five sample entities, compared field by field with nothing normalised
// (relations included, as /entities would show them).
const SAMPLES = [
  'api:default/petstore-webhook', 'group:default/team-a', 'resource:compliance/audit-log-bucket',
  'component:default/shipment-tracker', 'component:default/payment-gateway',
];
function samples(portico, bs, map) {
  const accepted = bs.records.filter(r => r.ok && !r.shadow && !r.generated);
  const set = new Set(accepted.map(r => r.lower));
  const out = [];
  const shorten = v => JSON.parse(JSON.stringify(v, (k, x) => (typeof x === 'string' && x.length > 80 ? `${x.slice(0, 60)}…(${x.length} chars)` : x)));
  for (const ref of SAMPLES) {
    const b = accepted.find(r => r.lower === ref);
    const p = (portico.catalog.entities || []).find(e => lc(refOf(e)) === ref);
    if (!b && !p) continue;
    let be = null;
    if (b) {
      be = JSON.parse(JSON.stringify(b.completed));
      const rels = new Map();
      for (const r2 of accepted) for (const rel of r2.relations) {
        if (lc(refOf(rel.source)) === ref && set.has(lc(refOf(rel.source)))) rels.set(`${rel.type}|${refOf(rel.target)}`, { type: rel.type, targetRef: refOf(rel.target) });
      }
      be.relations = [...rels.values()].sort((x, y) => (x.type + x.targetRef).localeCompare(y.type + y.targetRef));
    }
    const pe = p ? JSON.parse(JSON.stringify(p)) : null;
    if (pe && pe.relations) pe.relations = [...pe.relations].sort((x, y) => (x.type + x.targetRef).localeCompare(y.type + y.targetRef));
    out.push({ ref, backstage: be && shorten(be), portico: pe && shorten(pe), diff: be && pe ? diffValues(be, pe) : null });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------
function mdReport(corpus, res, entry) {
  const L = [];
  L.push(`# ${corpus.name}`, '');
  L.push(`Portico: build exit ${res.portico.buildExit}, check exit ${res.portico.checkExit}; ${res.portico.diags.length} diagnostics.`);
  L.push(`Backstage entry points (${entry.roots.length}): ${entry.roots.map(f => path.relative(path.dirname(corpus.repos[0] || '/'), f)).join(', ')}`);
  if (entry.extra.length) L.push(`Extra entry points (files Portico read/diagnosed that Backstage did not reach): ${entry.extra.join(', ')}`);
  L.push('');
  for (const a of [res.url, res.file, res['url-model']]) {
    const c = a.counts;
    L.push(`## Backstage mode: ${a.mode}`, '');
    L.push('| | Backstage | Portico | both |', '|---|---|---|---|');
    L.push(`| entities | ${c.backstageEntities} | ${c.porticoEntities} | ${c.bothEntities} |`);
    L.push(`| relations | ${c.backstageRelations} | ${c.porticoRelations} | ${c.bothRelations} |`);
    L.push(`| dangling relations (target not an entity) | ${c.backstageDanglingRelations} | ${c.porticoDanglingRelations} | |`);
    L.push(`| rejections / Portico errors | ${c.backstageRejections} | ${c.porticoErrors} | unmatched Portico errors: ${c.porticoErrorsUnmatched} |`);
    L.push('', `Generated root Location entities: ${c.generatedRootLocations} (failed: ${c.generatedRootLocationsFailed}); inverse relations on missing sources (invisible): ${c.backstageInvisibleInverseRelations}; remote reads stubbed: ${c.remoteReads}`, '');
    if (a.onlyBackstage.length) L.push('Entities only in Backstage:', ...a.onlyBackstage.map(e => `- ${e.ref} (${e.file})`), '');
    if (a.onlyPortico.length) L.push('Entities only in Portico:', ...a.onlyPortico.map(e => `- ${e.ref} (${e.file})`), '');
    if (a.rejected.length) L.push('Backstage rejections / errors:', ...a.rejected.map(r => `- ${r.ref || '(file)'} ${r.file}${r.doc != null ? ` doc#${r.doc}` : ''}${r.shadow ? ' [shadow]' : ''}: ${r.message.slice(0, 400)}\n  - Portico: ${r.portico.length ? r.portico.join(' ; ') : 'NO ERROR on that document'}`), '');
    if (a.unmatchedPortico.length) L.push('Portico errors with no Backstage rejection on that document:', ...a.unmatchedPortico.map(d => `- ${d.file}:${d.line} ${d.code}: ${d.message}`), '');
    if (a.relOnlyBackstage.length) L.push('Relations only in Backstage:', ...a.relOnlyBackstage.map(r => `- ${r.source} ${r.type} ${r.target}${r.caseOnly ? ' (case-only)' : ''}`), '');
    if (a.relOnlyPortico.length) L.push('Relations only in Portico:', ...a.relOnlyPortico.map(r => `- ${r.source} ${r.type} ${r.target}${r.caseOnly ? ' (case-only)' : ''}`), '');
    if (a.danglingBackstage.length) L.push('Dangling (Backstage):', ...a.danglingBackstage.map(s => `- ${s}`), '');
    const fd = Object.entries(a.fieldDiffs);
    if (fd.length) {
      L.push(`Field differences (${fd.length} of ${c.bothEntities} common entities):`);
      for (const [k, ds] of fd) L.push(`- ${k}`, ...ds.map(d => `  - ${d.path} [${d.kind}] backstage=${trunc(d.backstage)} portico=${trunc(d.portico)}`));
      L.push('');
    }
    for (const sm of a.samples || []) {
      L.push(`Sample ${sm.ref}: ${!sm.backstage ? 'not accepted by Backstage' : !sm.portico ? 'not in Portico' : sm.diff.length ? `${sm.diff.length} differing fields` : 'identical (relations included)'}`);
      for (const d of sm.diff || []) L.push(`  - ${d.path} [${d.kind}] backstage=${trunc(d.backstage)} portico=${trunc(d.portico)}`);
    }
    if ((a.samples || []).length) L.push('');
    if (a.remote.length) L.push('Remote reads (stubbed):', ...a.remote.map(r => `- ${r.op} ${r.url}`), '');
    if (a.warnings.length) L.push('Backstage warnings:', ...[...new Set(a.warnings)].map(w => `- ${w}`), '');
  }
  return L.join('\n');
}

// ---------------------------------------------------------------------------
// The gate: every URL-mode difference as one stable line, checked against
// the allow-list.
// ---------------------------------------------------------------------------
function differences(corpus, a) {
  const base = corpus.repos.length ? path.dirname(corpus.repos[0]) : '/';
  const rel = f => (f ? path.relative(base, f) : '(no file)');
  const D = [];
  for (const e of a.onlyBackstage) D.push(`entity only in Backstage: ${e.ref}`);
  for (const e of a.onlyPortico) D.push(`entity only in Portico: ${e.ref}`);
  for (const k of a.invalidButAccepted) D.push(`marked invalid but Backstage accepts it: ${k}`);
  for (const k of a.invalidNotRejected) D.push(`marked invalid but Backstage never read it: ${k}`);
  for (const r of a.rejected) {
    if (r.portico.length) continue;
    D.push(`rejection Portico does not predict: ${r.ref || rel(r.file)}${r.shadow ? ' (dropped with a failed Location)' : ''}`);
  }
  for (const d of a.unmatchedPortico) D.push(`Portico error without a Backstage rejection: ${rel(d.file)}:${d.line} ${d.code}`);
  for (const r of a.relOnlyBackstage) D.push(`relation only in Backstage: ${r.source} ${r.type} ${r.target}`);
  for (const r of a.relOnlyPortico) D.push(`relation only in Portico: ${r.source} ${r.type} ${r.target}`);
  for (const [k, ds] of Object.entries(a.fieldDiffs)) for (const d of ds) D.push(`field differs: ${k} ${d.path} [${d.kind}]`);
  for (const k of a.exact.onlyPortico) D.push(`--backstage-exact keeps what Backstage drops: ${k}`);
  for (const k of a.exact.onlyBackstage) D.push(`--backstage-exact drops what Backstage keeps: ${k}`);
  for (const k of a.exact.relOnlyPortico) D.push(`--backstage-exact relation only in Portico: ${k.replace(/\|/g, ' ')}`);
  for (const k of a.exact.relOnlyBackstage) D.push(`--backstage-exact relation only in Backstage: ${k.replace(/\|/g, ' ')}`);
  return [...new Set(D)].sort();
}

// allowed.txt: `<corpus> | <difference> | <reason>` lines; `#` comments.
function readAllowList(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => line.trim() && !line.trim().startsWith('#'))
    .map(({ line, n }) => {
      const [corpus, diff, reason] = line.split('|').map(x => (x || '').trim());
      if (!corpus || !diff || !reason) throw new Error(`${file}:${n}: expected "<corpus> | <difference> | <reason>"`);
      return { corpus, diff, reason, n, used: false };
    });
}

async function main() {
  if (!fs.existsSync(PORTICO)) { console.error(`no portico binary at ${PORTICO}`); process.exit(2); }
  fs.mkdirSync(OUT, { recursive: true });
  const summary = [];
  const allowed = readAllowList(ALLOWED);
  const unexplained = [];
  const explained = [];
  for (const corpus of CORPORA) {
    if (ONLY && !ONLY.some(o => corpus.name.includes(o))) continue;
    if (corpus.web && !corpus.repos.length) { console.log(`${corpus.name}: skipped (run prepare-web.sh first)`); continue; }
    const dir = path.join(OUT, corpus.name.replace(/\//g, '__'));
    fs.mkdirSync(dir, { recursive: true });
    const portico = runPortico(corpus, dir);
    const map = new RepoMap(corpus.repos);
    // Entry points: the origin locations in Portico's output, the files given
    // to Portico with --location, and each repository's catalog-info.yaml.
    const roots = new Set();
    const ann = e => (e.metadata && e.metadata.annotations) || {};
    for (const e of portico.catalog.entities) {
      const o = ann(e)[cm.ANNOTATION_ORIGIN_LOCATION];
      if (o) roots.add(refToFile(o, map));
    }
    for (let i = 0; i < corpus.portico.length; i++) if (corpus.portico[i] === '--location') roots.add(path.resolve(corpus.portico[i + 1]));
    for (const r of corpus.repos) { const f = path.join(r, 'catalog-info.yaml'); if (fs.existsSync(f)) roots.add(f); }
    // Files Portico read or reported on (catalog YAML only; not mkdocs files or Markdown).
    const porticoFiles = new Set();
    for (const e of portico.catalog.entities) { const l = ann(e)[cm.ANNOTATION_LOCATION]; if (l) porticoFiles.add(refToFile(l, map)); }
    for (const d of portico.diags) {
      const f = diagFile(d, corpus);
      if (f && /\.ya?ml$/.test(f) && !/(^|\/)mkdocs\.ya?ml$/.test(f) && fs.existsSync(f)) porticoFiles.add(f);
    }
    const res = { portico };
    const entry = { roots: [...roots].sort(), extra: [] };
    for (const mode of ['url', 'file', 'url-model']) {
      let bs = await runBackstage(mode, entry.roots, map);
      const readFiles = new Set(bs.records.filter(r => !r.generated && r.raw && r.raw.metadata && r.raw.metadata.annotations)
        .map(r => refToFile(r.raw.metadata.annotations[cm.ANNOTATION_LOCATION], map)));
      for (const fe of bs.fileErrors) readFiles.add(refToFile(fe.location, map));
      const extra = [...porticoFiles].filter(f => !readFiles.has(f) && !roots.has(f)).sort();
      if (mode === 'url') entry.extra = extra;
      if (extra.length) bs = await runBackstage(mode, [...entry.roots, ...extra], map);
      res[mode] = analyse(corpus, portico, bs, map, mode === 'url-model' ? 'url' : mode, new Set(extra));
      res[mode].mode = mode;
      res[mode].samples = samples(portico, bs, map);
      res[mode].extraRoots = extra;
    }
    fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ corpus: corpus.name, entry, url: res.url, file: res.file, urlModel: res['url-model'] }, null, 2));
    fs.writeFileSync(path.join(dir, 'report.md'), mdReport(corpus, res, entry));
    summary.push({ name: corpus.name, url: res.url.counts, file: res.file.counts, model: res['url-model'].counts });
    for (const d of differences(corpus, res.url)) {
      const hit = allowed.find(x => x.corpus === corpus.name && x.diff === d);
      if (hit) { hit.used = true; explained.push(`${corpus.name} | ${d} | ${hit.reason}`); } else unexplained.push(`${corpus.name} | ${d}`);
    }
    const u = res.url.counts;
    console.log(`${corpus.name}: entities B=${u.backstageEntities} P=${u.porticoEntities} both=${u.bothEntities}; relations B=${u.backstageRelations} P=${u.porticoRelations} both=${u.bothRelations}; rejections B=${u.backstageRejections} Perr=${u.porticoErrors} (unmatched ${u.porticoErrorsUnmatched}) [url mode]; file mode entities B=${res.file.counts.backstageEntities}`);
  }
  const L = ['# Summary (Backstage url mode / file mode / url mode with alpha model layers)', '',
    '| corpus | entities B(url) | B(file) | B(model) | Portico | both(url) | relations B(url) | B(file) | B(model) | Portico | both(url) | dangling B/P | rejections B(url) | Portico errors | unmatched P errors |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'];
  for (const s of summary) {
    L.push(`| ${s.name} | ${s.url.backstageEntities} | ${s.file.backstageEntities} | ${s.model.backstageEntities} | ${s.url.porticoEntities} | ${s.url.bothEntities} | ${s.url.backstageRelations} | ${s.file.backstageRelations} | ${s.model.backstageRelations} | ${s.url.porticoRelations} | ${s.url.bothRelations} | ${s.url.backstageDanglingRelations}/${s.url.porticoDanglingRelations} | ${s.url.backstageRejections} | ${s.url.porticoErrors} | ${s.url.porticoErrorsUnmatched} |`);
  }
  L.push('', `## Differences in URL mode: ${unexplained.length} unexplained, ${explained.length} allowed`, '');
  L.push(...unexplained.map(d => `- UNEXPLAINED ${d}`), ...explained.map(d => `- allowed: ${d}`));
  fs.writeFileSync(path.join(OUT, 'summary.md'), L.join('\n') + '\n');
  console.log(`\nReports: ${OUT}/*/report.md, ${OUT}/summary.md`);
  const ran = new Set(summary.map(s => s.name));
  for (const a of allowed) if (!a.used && ran.has(a.corpus)) console.log(`note: ${path.basename(ALLOWED)}:${a.n} matched no difference (stale?): ${a.corpus} | ${a.diff}`);
  console.log(`conformance: ${explained.length} allowed difference(s), ${unexplained.length} unexplained`);
  if (unexplained.length) {
    console.log('Unexplained differences with Backstage (fix Portico, or add them to the allow-list with a reason):');
    for (const d of unexplained) console.log(`  ${d}`);
    process.exitCode = 1;
  }
}

main().catch(e => { console.error(e); process.exit(1); });
