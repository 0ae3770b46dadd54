// Page quality of a built Portico site, measured the way the issue asks:
// Lighthouse (performance, accessibility, best practices, SEO; mobile and
// desktop) and axe-core (serious and critical violations; desktop, phone
// and dark) on six pages, in Debian's Chromium (CHROME_PATH). Optionally
// screenshots of the same pages for the manual.
//
//   node quality.mjs --site DIR [--out DIR] [--bar 95] [--screenshots DIR]
//
// Exit status: 0 when every score reaches the bar and axe finds nothing
// serious; 1 when not; 2 when it cannot run.

import { createServer } from "node:http";
import { readFile, mkdir, writeFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";
import * as chromeLauncher from "chrome-launcher";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const VIEWPORTS = {
  desktop: { width: 1350, height: 940, deviceScaleFactor: 1 },
  phone: { width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
};

function usage(message) {
  console.error(`quality: ${message}`);
  console.error("usage: node quality.mjs --site DIR [--out DIR] [--bar 95] [--screenshots DIR]");
  process.exit(2);
}

function parseArgs(argv) {
  const args = { out: "out", bar: 95, screenshots: null, site: null };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    switch (argv[i]) {
      case "--site": args.site = value; i++; break;
      case "--out": args.out = value; i++; break;
      case "--bar": args.bar = Number(value); i++; break;
      case "--screenshots": args.screenshots = value; i++; break;
      default: usage(`unknown argument ${argv[i]}`);
    }
  }
  if (!args.site) usage("--site is required");
  if (!(args.bar >= 0 && args.bar <= 100)) usage("--bar takes a score from 0 to 100");
  return args;
}

// A static server for the site: what a user's static hosting does (a
// folder's index.html, a 404 page, the usual content types).
function serve(root) {
  const server = createServer(async (request, response) => {
    let file = decodeURIComponent(new URL(request.url, "http://x").pathname);
    if (file.endsWith("/")) file += "index.html";
    const full = path.join(root, path.normalize(file));
    if (!full.startsWith(root + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const info = await stat(full);
      if (info.isDirectory()) {
        response.writeHead(301, { location: request.url.replace(/\?.*/, "") + "/" }).end();
        return;
      }
      const type = TYPES[path.extname(full)] || "application/octet-stream";
      response.writeHead(200, { "content-type": type, "cache-control": "max-age=3600" });
      response.end(await readFile(full));
    } catch {
      const page = await readFile(path.join(root, "404.html")).catch(() => "not found");
      response.writeHead(404, { "content-type": TYPES[".html"] }).end(page);
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

// The six pages the issue names, chosen from the site's own catalog so the
// script works on any organisation: home, a kind list, a Component (one with
// docs when there is one), an API, a docs page and a search.
async function choosePages(root) {
  const catalog = JSON.parse(await readFile(path.join(root, "catalog.json"), "utf8"));
  const entities = catalog.entities || catalog.items || [];
  const page = (e) => `catalog/${(e.metadata.namespace || "default").toLowerCase()}/${e.kind.toLowerCase()}/${e.metadata.name.toLowerCase()}/`;
  const exists = (p) => stat(path.join(root, p)).then(() => true, () => false);
  const components = entities.filter((e) => e.kind === "Component");
  let withDocs = null;
  for (const c of components) {
    if (await exists(page(c).replace(/^catalog\//, "docs/") + "index.html")) { withDocs = c; break; }
  }
  const component = withDocs || components[0];
  const api = entities.find((e) => e.kind === "API");
  const pages = [
    { name: "home", path: "" },
    { name: "list", path: "kinds/component/" },
  ];
  if (component) pages.push({ name: "component", path: page(component) });
  if (api) pages.push({ name: "api", path: page(api) });
  if (withDocs) pages.push({ name: "docs", path: page(withDocs).replace(/^catalog\//, "docs/") });
  if (component && (await exists("_search"))) {
    pages.push({ name: "search", path: `?q=${encodeURIComponent(component.metadata.name.split("-")[0])}` });
  }
  return pages;
}

async function runLighthouse(url, port, formFactor) {
  const flags = { port, output: "json", logLevel: "error", onlyCategories: CATEGORIES };
  const config = formFactor === "desktop" ? desktopConfig : undefined;
  const result = await lighthouse(url, flags, config);
  const lhr = result.lhr;
  const scores = {};
  for (const id of CATEGORIES) scores[id] = Math.round((lhr.categories[id].score || 0) * 100);
  // What cost points, for the report: every failing audit of a category.
  const failing = [];
  for (const id of CATEGORIES) {
    for (const ref of lhr.categories[id].auditRefs) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        failing.push(`${id}: ${audit.id} (${audit.displayValue || audit.score})`);
      }
    }
  }
  return { scores, failing, runtimeError: lhr.runtimeError?.message };
}

// One run, or, when a score is below the bar, the median of three (by
// performance, as Lighthouse's own computeMedianRun): a busy CI machine
// makes single runs noisy, and a real regression fails all three.
async function medianLighthouse(url, port, formFactor, bar) {
  const first = await runLighthouse(url, port, formFactor);
  if (!Object.values(first.scores).some((s) => s < bar)) return { ...first, runs: 1 };
  const runs = [first, await runLighthouse(url, port, formFactor), await runLighthouse(url, port, formFactor)];
  runs.sort((a, b) => a.scores.performance - b.scores.performance);
  return { ...runs[1], runs: 3 };
}

async function runAxe(browser, url, viewport, dark) {
  const page = await browser.newPage();
  try {
    await page.setViewport(viewport);
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: dark ? "dark" : "light" }]);
    await page.goto(url, { waitUntil: "networkidle0" });
    await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
    const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    return results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  } finally {
    await page.close();
  }
}

async function screenshot(browser, url, viewport, dark, file) {
  const page = await browser.newPage();
  try {
    await page.setViewport(viewport);
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: dark ? "dark" : "light" }]);
    await page.goto(url, { waitUntil: "networkidle0" });
    await page.screenshot({ path: file, type: "webp", quality: 80 });
  } finally {
    await page.close();
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const root = path.resolve(args.site);
  try {
    await stat(path.join(root, "index.html"));
  } catch {
    usage(`no built site at ${root} (no index.html)`);
  }
  await mkdir(args.out, { recursive: true });
  const chromePath = process.env.CHROME_PATH || "/usr/bin/chromium";
  const server = await serve(root);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const chrome = await chromeLauncher.launch({
    chromePath,
    chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}`, defaultViewport: null });
  const pages = await choosePages(root);
  const report = { bar: args.bar, pages: [] };
  let failed = false;
  try {
    for (const page of pages) {
      const url = base + page.path;
      const entry = { name: page.name, path: page.path, lighthouse: {}, axe: {} };
      for (const formFactor of ["mobile", "desktop"]) {
        const result = await medianLighthouse(url, chrome.port, formFactor, args.bar);
        entry.lighthouse[formFactor] = result;
        const low = Object.entries(result.scores).filter(([, s]) => s < args.bar);
        if (low.length || result.runtimeError) failed = true;
      }
      for (const [name, viewport, dark] of [["desktop", VIEWPORTS.desktop, false], ["phone", VIEWPORTS.phone, false], ["dark", VIEWPORTS.desktop, true]]) {
        const violations = await runAxe(browser, url, viewport, dark);
        entry.axe[name] = violations;
        if (violations.length) failed = true;
        if (args.screenshots) {
          await mkdir(args.screenshots, { recursive: true });
          await screenshot(browser, url, viewport, dark, path.join(args.screenshots, `${page.name}-${name}.webp`));
        }
      }
      report.pages.push(entry);
      printEntry(entry, args.bar);
    }
  } finally {
    await browser.disconnect();
    await chrome.kill();
    server.close();
  }
  await writeFile(path.join(args.out, "quality.json"), JSON.stringify(report, null, 2) + "\n");
  await writeFile(path.join(args.out, "quality.md"), table(report));
  console.log(failed ? `quality: below the bar of ${args.bar} (see ${args.out}/quality.json)` : `quality: every page at or above ${args.bar}, no serious axe violation`);
  process.exit(failed ? 1 : 0);
}

function printEntry(entry, bar) {
  for (const [formFactor, result] of Object.entries(entry.lighthouse)) {
    const scores = CATEGORIES.map((c) => `${c} ${result.scores[c]}`).join(", ");
    const median = result.runs > 1 ? ` (median of ${result.runs} runs)` : "";
    console.log(`${entry.name} (${formFactor}): ${scores}${median}`);
    if (result.runtimeError) console.log(`  lighthouse error: ${result.runtimeError}`);
    if (Object.values(result.scores).some((s) => s < bar)) {
      for (const audit of result.failing) console.log(`  - ${audit}`);
    }
  }
  for (const [view, violations] of Object.entries(entry.axe)) {
    for (const v of violations) console.log(`${entry.name} (axe, ${view}): ${v.impact} ${v.id}: ${v.help} at ${v.nodes.join(", ")}`);
  }
}

// The scores as a Markdown table, for the manual.
function table(report) {
  const rows = ["| Page | Form | Performance | Accessibility | Best practices | SEO | axe serious/critical |", "|---|---|---|---|---|---|---|"];
  for (const entry of report.pages) {
    const axe = Object.values(entry.axe).reduce((n, v) => n + v.length, 0);
    for (const [formFactor, result] of Object.entries(entry.lighthouse)) {
      const s = result.scores;
      rows.push(`| ${entry.name} | ${formFactor} | ${s.performance} | ${s.accessibility} | ${s["best-practices"]} | ${s.seo} | ${axe} |`);
    }
  }
  return rows.join("\n") + "\n";
}

main().catch((error) => {
  console.error(`quality: ${error.stack || error}`);
  process.exit(2);
});
