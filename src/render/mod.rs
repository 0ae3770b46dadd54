//! Turning the portal into files, in memory. Never touches the disk.
//!
//! This first site is deliberately plain: an index of every entity, one page
//! per entity, the problems list, `catalog.json` and `catalog.csv`. Every link is relative,
//! so the site works from `file://` and under any path of a static host.

mod about;
mod api;
mod catalog_list;
mod csv;
mod delivery;
pub mod docs_page;
pub mod graph;
mod icons;
mod indexes;
mod kept;
mod keyed;
mod kind_sections;
mod org;
mod pages;
mod people;
mod scorecards;
pub mod shell;
pub mod theme;
mod trend;

use crate::address;
use crate::catalog::entity_ref::EntityRef;
use crate::diagnostics::Diagnostic;
use crate::docs::DocSiteSummary;
use crate::output::OutputFile;
use crate::portal::Portal;
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

const STYLESHEET: &str = include_str!("../../themes/default/static/portico.css");
const SCRIPT: &str = include_str!("../../themes/default/static/portico.js");
const FAVICON: &str = include_str!("../../themes/default/static/favicon.svg");
/// The search box (see `search::web` for the index it reads).
const SEARCH_SCRIPT: &str = include_str!("../../themes/default/static/search.js");
/// The English stemmer the index used, for query words (loaded on first search).
const STEMMER: &str = include_str!("../../themes/default/static/stem.js");
/// The vendored Mermaid script (5.5 MB), raw-deflated by `build.rs` after
/// its plain length (8 bytes, little-endian): a quarter of the size in the
/// binary. Written only for sites with ```mermaid diagrams.
const MERMAID_DEFLATED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/mermaid.min.js.deflate"));

/// The Mermaid script, inflated on first use and kept for the process
/// (`serve` writes it on every rebuild of a site with diagrams).
static MERMAID: std::sync::LazyLock<std::sync::Arc<[u8]>> =
    std::sync::LazyLock::new(|| inflate_embedded(MERMAID_DEFLATED).into());

/// Inflates what `build.rs` embedded. The bytes are the build's own, so a
/// failure is a build defect: it panics, and the tests inflate it.
fn inflate_embedded(embedded: &[u8]) -> Vec<u8> {
    let (length, packed) = embedded.split_at(8);
    let length = u64::from_le_bytes(length.try_into().expect("8 bytes")) as usize;
    let mut plain = vec![0; length];
    let config = zlib_rs::InflateConfig { window_bits: -15 };
    let (inflated, code) = zlib_rs::decompress_slice(&mut plain, packed, config);
    assert!(
        matches!(code, zlib_rs::ReturnCode::Ok) && inflated.len() == length,
        "the embedded Mermaid script does not inflate ({code:?}): rebuild Portico"
    );
    plain
}

/// How the site looks: the theme's files and the compiled page templates.
#[derive(Debug, Default)]
pub struct Look {
    pub theme: theme::Theme,
    pub shell: shell::Shell,
}

impl Look {
    /// Reads the theme folder and the logo and compiles the templates,
    /// trying them on sample pages: a problem is a usage error, found before
    /// any work.
    pub fn load(
        theme_dir: Option<&std::path::Path>,
        logo: Option<&std::path::Path>,
    ) -> Result<Look, String> {
        let theme = theme::load(theme_dir, logo)?;
        let shell = shell::Shell::new(&theme)?;
        Ok(Look { theme, shell })
    }

    /// A key of the theme: its files, templates, stylesheet and logo (the
    /// default theme's are Portico's, keyed by its version).
    pub fn key(&self) -> crate::memo::Key {
        let mut key = crate::memo::hasher();
        for file in &self.theme.files {
            crate::memo::part(&mut key, file.path.as_bytes());
            crate::memo::part(&mut key, &file.bytes);
        }
        for (name, path, text) in &self.theme.templates {
            for part in [name, path, text] {
                crate::memo::part(&mut key, part.as_bytes());
            }
        }
        crate::memo::part(&mut key, &[u8::from(self.theme.custom_css)]);
        crate::memo::part(
            &mut key,
            self.theme.logo.as_deref().unwrap_or("").as_bytes(),
        );
        key.digest128()
    }
}

/// The page's published address, when the site's base URL is known.
pub fn canonical_url(portal: &Portal, path: &str) -> Option<String> {
    portal
        .base_url
        .as_ref()
        .map(|base| format!("{base}{}", canonical_path(path)))
}

/// `a/b/index.html` is published as `a/b/`, as a URL path: a page
/// folder named `a#b` or `Sub Dir` percent-encoded, as the site's own
/// links write it (else `#` starts a fragment and a space is no URL).
fn canonical_path(path: &str) -> String {
    about::url_component(path.strip_suffix("index.html").unwrap_or(path))
}

/// `sitemap.xml`: every page of the site, at the base URL.
fn sitemap(base: &str, pages: &[&str]) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        xml.push_str("  <url><loc>");
        xml.push_str(&crate::html::escape(&format!(
            "{base}{}",
            canonical_path(page)
        )));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    xml
}

/// An entity page's key with its scorecard section in it.
fn with_cards(key: crate::memo::Key, cards: &str) -> crate::memo::Key {
    let mut hasher = crate::memo::hasher();
    hasher.update(&key.to_le_bytes());
    crate::memo::part(&mut hasher, cards.as_bytes());
    hasher.digest128()
}

/// An entity page's key with the theme's in it.
fn with_look(key: crate::memo::Key, look: crate::memo::Key) -> crate::memo::Key {
    let mut hasher = crate::memo::hasher();
    hasher.update(&key.to_le_bytes());
    hasher.update(&look.to_le_bytes());
    hasher.digest128()
}

/// The string at `key` of a JSON object, or `""`.
fn str_of<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(serde_json::Value::as_str).unwrap_or("")
}

/// Entity pages kept between builds of one process (`portico serve`), by a
/// key of everything a page shows (see `kept.rs`).
#[derive(Debug, Default)]
pub struct RenderMemo {
    entity_pages: crate::memo::Kept<Arc<[u8]>>,
    /// The keys of entities' JSON and source files, for the pages' keys.
    keys: kept::KeyMemo,
    /// The rule lists of entities' scorecard cards, by what they show.
    card_rules: scorecards::RuleLists,
}

impl RenderMemo {
    /// Starts a build.
    pub fn start(&self) {
        self.entity_pages.start();
        self.keys.start();
        self.card_rules.start();
    }

    /// Ends a build; returns how many entity pages were (reused, drawn).
    pub fn finish(&self) -> (usize, usize) {
        self.keys.finish();
        self.card_rules.finish();
        self.entity_pages.finish()
    }
}

/// Every file of the site: [`entity_pages`], then [`lists`].
pub fn site(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    memo: Option<&RenderMemo>,
) -> Vec<OutputFile> {
    let mut files = entity_pages(portal, look, diagnostics, memo);
    let pages: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let lists = lists(portal, look, diagnostics, &pages);
    files.extend(lists);
    files
}

/// Asked, with the build cache, whether the last site's page at a path
/// was drawn from the same key; if so it has taken the page over (the
/// page is then not drawn).
pub type CarryPage<'a> = &'a (dyn Fn(&str, crate::memo::Key) -> bool + Sync);

/// One entity page of a build with the build cache: its key, and its
/// bytes unless the last site's page was carried over.
#[derive(Debug)]
pub struct KeptPage {
    pub path: String,
    /// `None` for a page that is always drawn (a Location's).
    pub key: Option<crate::memo::Key>,
    /// `None`: carried over from the last site.
    pub bytes: Option<Arc<[u8]>>,
}

/// [`site`] for a build with the build cache: each entity page whose key
/// `carry` finds in the last site is taken over rather than drawn. The
/// key covers the theme as well (`Look::key`): unlike `portico serve`'s
/// memo, the cache outlives a theme change.
///
/// The [`lists`] are made only when `kept.lists` cannot take the last
/// site's over by their key ([`kept::lists_key`]: everything they read);
/// they come back with that key, `None` when carried over. When they are
/// made, a part of them with a key of its own that `kept.part` takes over
/// from the last site (the scorecard pages: [`kept::scorecard_pages_key`])
/// is not made again. The same key
/// covers every entity page's (each entity's own key, so its neighbours'
/// summaries; every scorecard result, so every card; the theme): when
/// `kept.page_keys` has the pages' keys of a build with that key, each page
/// is carried over by its key without its card or key being made (a page
/// the last site no longer holds as recorded is made as usual).
pub fn site_carrying(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    carry: CarryPage<'_>,
    kept: KeptSite<'_>,
) -> (Vec<KeptPage>, crate::memo::Key, Option<MadeLists>) {
    let mut timer = crate::timings::Timer::new();
    let look_key = look.key();
    let problems = pages::ProblemsByFile::new(diagnostics);
    let docs: HashMap<&EntityRef, &DocSiteSummary> =
        portal.docs.iter().map(|d| (&d.entity, &**d)).collect();
    let own = kept::OwnKeys::new(portal, &problems, &docs, None);
    let paths: Vec<String> = portal
        .catalog
        .entities
        .iter()
        .map(|e| address::entity_page(&e.entity_ref))
        .collect();
    let path_refs: Vec<&str> = paths.iter().map(String::as_str).collect();
    let key = kept::lists_key(portal, look_key, diagnostics, own.catalog_key(), &path_refs);
    let page_keys = (kept.page_keys)(key);
    timer.lap(&format!(
        "  site: own keys and the lists' key (pages' keys {})",
        if page_keys.is_some() { "kept" } else { "made" }
    ));
    let carrying = Carrying {
        carry,
        look_key,
        own,
        kept: page_keys.as_ref(),
    };
    let pages = entity_pages_by(portal, look, diagnostics, Pages::Carry(&carrying));
    let carried = (kept.lists)(key);
    let lists = (!carried)
        .then(|| {
            let parts = PartsFrom {
                carry: kept.part,
                look_key,
                own: &carrying.own,
            };
            lists_by(
                portal,
                look,
                diagnostics,
                &path_refs,
                &|| false,
                Some(parts),
            )
        })
        .flatten();
    (pages, key, lists)
}

/// Asked, with the build cache, to take over from the last site a part of
/// the lists made from the same key; gives back the paths of the part's
/// files when it did (for the sitemap).
pub type CarryPart<'a> = &'a (dyn Fn(crate::memo::Key) -> Option<Vec<String>> + Sync);

/// With the build cache: how parts of the lists are taken over from the
/// last site, and what their keys read besides the portal.
#[derive(Clone, Copy)]
struct PartsFrom<'a> {
    carry: CarryPart<'a>,
    /// The theme's key.
    look_key: crate::memo::Key,
    /// What each entity's pages show of it.
    own: &'a kept::OwnKeys,
}

/// A part of the lists: taken over from the last site (its files' paths),
/// or made (its key and files).
enum ListPart {
    Carried(Vec<String>),
    Made(crate::memo::Key, Vec<OutputFile>),
}

/// The lists made by a build with the build cache.
#[derive(Debug, Default)]
pub struct MadeLists {
    /// Every file made.
    pub files: Vec<OutputFile>,
    /// The parts with keys of their own that were made (not taken over):
    /// each one's key and its files' paths (among `files`).
    pub parts: Vec<(crate::memo::Key, Vec<String>)>,
}

/// With the build cache, what the last builds left: the lists' files and
/// the entity pages' keys, each by the key of what they read.
#[derive(Clone, Copy)]
pub struct KeptSite<'a> {
    /// Takes over the last site's lists made from a key; true when it did.
    pub lists: &'a dyn Fn(crate::memo::Key) -> bool,
    /// Each entity page's key (by path) recorded by a build with a key.
    pub page_keys: &'a dyn Fn(crate::memo::Key) -> Option<HashMap<String, crate::memo::Key>>,
    /// Takes over a part of the lists made from a key of its own.
    pub part: CarryPart<'a>,
}

/// A build with the build cache: how its entity pages are carried over.
struct Carrying<'a> {
    carry: CarryPage<'a>,
    /// The theme's key, in every page's.
    look_key: crate::memo::Key,
    /// Each entity's own key, made first (for the lists' key).
    own: kept::OwnKeys,
    /// Each page's key, when the last build with the same lists' key
    /// recorded them.
    kept: Option<&'a HashMap<String, crate::memo::Key>>,
}

/// Where entity pages drawn before come from.
#[derive(Clone, Copy)]
enum Pages<'a> {
    /// Every page drawn.
    Drawn,
    /// `portico serve`'s memo.
    Memo(&'a RenderMemo),
    /// The last site (`portico build` with the cache).
    Carry(&'a Carrying<'a>),
}

/// One page per entity. `portico serve` shows these (and the docs) first,
/// before the [`lists`] that every catalog edit changes.
pub fn entity_pages(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    memo: Option<&RenderMemo>,
) -> Vec<OutputFile> {
    let from = memo.map_or(Pages::Drawn, Pages::Memo);
    entity_pages_by(portal, look, diagnostics, from)
        .into_iter()
        .filter_map(|page| Some(OutputFile::shared(page.path, page.bytes?)))
        .collect()
}

fn entity_pages_by(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    from: Pages<'_>,
) -> Vec<KeptPage> {
    let mut timer = crate::timings::Timer::new();
    let problems = pages::ProblemsByFile::new(diagnostics);
    let docs: HashMap<&EntityRef, &DocSiteSummary> =
        portal.docs.iter().map(|d| (&d.entity, &**d)).collect();
    // Made on first use: a build whose pages are all carried over by
    // their kept keys needs none of them.
    let keys = std::sync::OnceLock::new();
    let keys = || {
        keys.get_or_init(|| match from {
            Pages::Drawn => None,
            Pages::Memo(memo) => Some(kept::EntityKeys::new(
                portal,
                &problems,
                &docs,
                Some(&memo.keys),
            )),
            Pages::Carry(carrying) => Some(kept::EntityKeys::from_own(
                portal,
                carrying.own.clone(),
                None,
            )),
        })
        .as_ref()
    };
    let look_key = std::sync::OnceLock::new();
    let look_key = || *look_key.get_or_init(|| look.key());
    let shared = std::sync::OnceLock::new();
    let shared = || {
        shared.get_or_init(|| {
            (
                card_indexes(portal),
                delivery::DeliveryIndex::new(portal.scorecards.delivery.as_ref()),
                pages::SortedRelations::new(portal),
            )
        })
    };
    let rules = match from {
        Pages::Memo(memo) => Some(&memo.card_rules),
        _ => None,
    };
    // The pages carried over by their kept keys first: the keys and the
    // card indexes are made only if a page is left to draw, and then
    // before the pages are drawn. Made on first use inside the loop
    // instead, their own parallel loops could let the thread making them
    // take another page's job, whose first use of them would wait for
    // the thread itself.
    let mut carried: Vec<Option<KeptPage>> = match from {
        Pages::Carry(
            carrying @ Carrying {
                kept: Some(kept), ..
            },
        ) => portal
            .catalog
            .entities
            .par_iter()
            .map(|entity| {
                let path = address::entity_page(&entity.entity_ref);
                let key = *kept.get(&path)?;
                (carrying.carry)(&path, key).then_some(KeptPage {
                    path,
                    key: Some(key),
                    bytes: None,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    carried.resize_with(portal.catalog.entities.len(), || None);
    if carried.iter().any(Option::is_none) {
        // Side by side: the card indexes are made on one thread.
        rayon::join(
            || {
                keys();
            },
            || {
                shared();
            },
        );
        timer.lap("  site: entity keys");
    }
    let pages = portal
        .catalog
        .entities
        .par_iter()
        .zip(carried)
        .enumerate()
        .map(|(place, (entity, carried))| {
            if let Some(page) = carried {
                return page;
            }
            let path = address::entity_page(&entity.entity_ref);
            let docs = docs.get(&entity.entity_ref).copied();
            let root = address::up(address::ENTITY_DEPTH);
            let (card_indexes, delivery, relations) = shared();
            let cards = scorecards::entity_section(card_indexes, delivery, entity, &root, rules);
            let page = || -> Arc<[u8]> {
                pages::entity(portal, look, entity, &problems, docs, &cards, relations)
                    .into_bytes()
                    .into()
            };
            // Scorecards read repository files the page key does not
            // cover: the card itself joins the key.
            // Location pages are always drawn: no key is made for them.
            let key = (entity.entity_ref.kind != "location")
                .then(keys)
                .flatten()
                .and_then(|keys| keys.page_key(place))
                .map(|key| with_cards(key, &cards));
            let (key, bytes) = match (from, key) {
                (Pages::Memo(memo), Some(key)) => {
                    // The theme joins the key: `portico serve` loads it
                    // again when a file of it changes.
                    let key = with_look(key, look_key());
                    (Some(key), Some(memo.entity_pages.get_or_make(key, page)))
                }
                (Pages::Carry(carrying), Some(key)) => {
                    let key = with_look(key, carrying.look_key);
                    (Some(key), (!(carrying.carry)(&path, key)).then(page))
                }
                (_, key) => (key, Some(page())),
            };
            KeptPage { path, key, bytes }
        })
        .collect();
    timer.lap("  site: entity pages");
    pages
}

fn card_indexes(portal: &Portal) -> Vec<crate::scorecards::rollup::CardIndex<'_>> {
    portal
        .scorecards
        .scorecards
        .iter()
        .map(|card| crate::scorecards::rollup::CardIndex::new(card, &portal.catalog))
        .collect()
}

/// Every file of the site but the entity pages and the docs: what shows
/// the whole catalog (`catalog.json`, the lists, problems, organisation and
/// scorecard pages), the assets, the theme's files, the 404 page, and the
/// sitemap of `pages` (the entity pages' paths) with these.
pub fn lists(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    pages: &[&str],
) -> Vec<OutputFile> {
    lists_until(portal, look, diagnostics, pages, &|| false).unwrap_or_default()
}

/// [`lists`], given up (`None`) as soon as `stop` says so, between one
/// part and the next (`portico serve`: a newer change is waiting, whose
/// lists will replace these).
pub fn lists_until(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    pages: &[&str],
    stop: &dyn Fn() -> bool,
) -> Option<Vec<OutputFile>> {
    lists_by(portal, look, diagnostics, pages, stop, None).map(|lists| lists.files)
}

/// [`lists_until`]; with `parts` (a build with the build cache), each kind's
/// list pages and the scorecard pages are taken over from the last site
/// when their key ([`kept::kind_pages_key`], [`kept::scorecard_pages_key`])
/// is one they were made from, else made and returned as a part.
fn lists_by(
    portal: &Portal,
    look: &Look,
    diagnostics: &[Diagnostic],
    pages: &[&str],
    stop: &dyn Fn() -> bool,
    parts: Option<PartsFrom<'_>>,
) -> Option<MadeLists> {
    let mut timer = crate::timings::Timer::new();
    let mut made_parts = Vec::new();
    // The paths of the parts taken over (for the sitemap).
    let mut carried: Vec<String> = Vec::new();
    let catalog_json = portal.catalog.to_json_pretty_until(stop)?;
    timer.lap("  site: catalog.json");
    let catalog_csv = csv::catalog_csv_until(&portal.catalog, stop)?;
    timer.lap("  site: catalog.csv");
    let problems = pages::ProblemsByFile::new(diagnostics);
    let home = catalog_list::home(portal, look, diagnostics, &problems);
    timer.lap("  site: home");
    if stop() {
        return None;
    }
    let problems_page = pages::problems(portal, look, diagnostics);
    timer.lap("  site: problems");
    let org_page = org::page(portal, look);
    let mut files = vec![
        OutputFile::new(address::CATALOG_JSON, catalog_json),
        OutputFile::new(address::CATALOG_CSV, catalog_csv),
        OutputFile::new("assets/portico.css", STYLESHEET),
        OutputFile::new("assets/portico.js", SCRIPT),
        OutputFile::new("assets/favicon.svg", FAVICON),
        OutputFile::new(address::HOME, home),
        OutputFile::new(address::PROBLEMS, problems_page),
        OutputFile::new(address::ORG, org_page),
    ];
    if portal.search {
        files.push(OutputFile::new("assets/search.js", SEARCH_SCRIPT));
        files.push(OutputFile::new("assets/stem.js", STEMMER));
    }
    let uses_mermaid = portal
        .docs
        .iter()
        .flat_map(|d| &d.pages)
        .any(|p| p.has_mermaid);
    if uses_mermaid {
        files.push(OutputFile::shared("assets/mermaid.min.js", MERMAID.clone()));
    }
    timer.lap("  site: org");
    if stop() {
        return None;
    }
    let mut kinds_carried = None;
    match parts {
        Some(from) => {
            let levels = portal.scorecards.first_card_levels();
            let groups = catalog_list::kind_groups(portal);
            let count = groups.len();
            let made: Vec<_> = groups
                .into_par_iter()
                .map(|(kind, places)| {
                    let key = kept::kind_pages_key(
                        portal,
                        from.look_key,
                        from.own,
                        &problems,
                        (kind, &places),
                        &levels,
                    );
                    match (from.carry)(key) {
                        Some(paths) => ListPart::Carried(paths),
                        None => {
                            let entities: Vec<&crate::catalog::Entity> = places
                                .iter()
                                .map(|p| &portal.catalog.entities[*p])
                                .collect();
                            let made = catalog_list::kind_group_pages(
                                portal, look, &problems, kind, &entities,
                            );
                            ListPart::Made(key, made)
                        }
                    }
                })
                .collect();
            let mut n = 0;
            for part in made {
                match part {
                    ListPart::Carried(paths) => {
                        carried.extend(paths);
                        n += 1;
                    }
                    ListPart::Made(key, made) => {
                        made_parts.push((key, made.iter().map(|f| f.path.clone()).collect()));
                        files.extend(made);
                    }
                }
            }
            kinds_carried = Some((n, count));
        }
        None => files.extend(catalog_list::kind_pages_until(
            portal, look, &problems, stop,
        )?),
    }
    files.push(OutputFile::new(
        address::APIS,
        indexes::apis(portal, look, &problems),
    ));
    files.push(OutputFile::new(
        address::DOCS_INDEX,
        indexes::docs(portal, look),
    ));
    timer.lap(&match kinds_carried {
        Some((carried, kinds)) => {
            format!("  site: kind pages ({carried} of {kinds} kinds carried over)")
        }
        None => "  site: kind pages".to_string(),
    });
    if stop() {
        return None;
    }
    let scorecard_files = || {
        scorecards::files_until(
            portal,
            look,
            &card_indexes(portal),
            &delivery::DeliveryIndex::new(portal.scorecards.delivery.as_ref()),
            stop,
        )
    };
    let scorecards_key = parts.map(|from| {
        let key = kept::scorecard_pages_key(portal, from.look_key);
        (key, (from.carry)(key))
    });
    match scorecards_key {
        Some((_, Some(paths))) => {
            carried.extend(paths);
            timer.lap("  site: scorecard pages (carried over)");
        }
        Some((key, None)) => {
            let made = scorecard_files()?;
            made_parts.push((key, made.iter().map(|f| f.path.clone()).collect()));
            files.extend(made);
            timer.lap("  site: scorecard pages");
        }
        None => {
            files.extend(scorecard_files()?);
            timer.lap("  site: scorecard pages");
        }
    }
    // The theme's files come last: of two files with one path the last is
    // kept, so a theme file replaces the default one. One file per path
    // also matters because files are written in parallel, and two writers
    // of one path would race. (Theme files are all under `assets/`, where
    // no entity page is.)
    files.extend(look.theme.files.iter().cloned());
    let mut seen = std::collections::HashSet::new();
    let mut unique: Vec<OutputFile> = files
        .into_iter()
        .rev()
        .filter(|f| seen.insert(f.path.clone()))
        .collect();
    unique.reverse();
    let mut files = unique;
    files.push(OutputFile::new("404.html", pages::not_found(portal)));
    if let Some(base) = &portal.base_url {
        let mut paths: Vec<String> = files
            .iter()
            .map(|f| f.path.as_str())
            .chain(pages.iter().copied())
            .chain(carried.iter().map(String::as_str))
            .filter(|p| p.ends_with("index.html"))
            .map(str::to_string)
            .collect();
        for site in &portal.docs {
            paths.extend(
                site.pages
                    .iter()
                    .map(|p| format!("{}{}index.html", site.url, p.url)),
            );
        }
        paths.sort();
        let refs: Vec<&str> = paths.iter().map(String::as_str).collect();
        files.push(OutputFile::new("sitemap.xml", sitemap(base, &refs)));
    }
    Some(MadeLists {
        files,
        parts: made_parts,
    })
}

/// example-org loaded (its catalog and docs), for the tests of the
/// render stage.
#[cfg(test)]
pub(crate) fn example_org() -> crate::pipeline::Outcome {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("example-org");
    let cli = crate::config::CliSettings {
        roots: vec![root],
        ..Default::default()
    };
    let config = crate::config::load(&cli).unwrap();
    crate::pipeline::load(&config).unwrap()
}

#[cfg(test)]
mod tests {
    use super::STYLESHEET;

    /// A page folder named `a#b`, `what?` or `Sub Dir/My Page` is published
    /// percent-encoded: raw, `#` and `?` cut the address and a space is no
    /// URL at all.
    #[test]
    fn sitemap_and_canonical_addresses_are_encoded() {
        let pages = [
            "docs/default/component/d/a#b/index.html",
            "docs/default/component/d/what?/index.html",
            "docs/default/component/d/Sub Dir/My Page/index.html",
            "docs/default/component/d/café/index.html",
        ];
        let xml = super::sitemap("https://example.github.io/portal/", &pages);
        for encoded in [
            "/d/a%23b/</loc>",
            "/d/what%3F/</loc>",
            "/d/Sub%20Dir/My%20Page/</loc>",
            "/d/caf%C3%A9/</loc>",
        ] {
            assert!(xml.contains(encoded), "{encoded} in {xml}");
        }
        assert_eq!(super::canonical_path("index.html"), "");
        assert_eq!(
            super::canonical_path("catalog/default/component/a.b/index.html"),
            "catalog/default/component/a.b/"
        );
    }

    /// Lists given up when asked (the parts asked about so far) are none;
    /// lists never asked to stop are `lists`' files, byte for byte.
    #[test]
    fn lists_are_given_up_between_parts_when_asked() {
        let outcome = super::example_org();
        let look = super::Look::default();
        let portal = &outcome.portal;
        let diagnostics = &outcome.diagnostics;
        let whole = super::lists(portal, &look, diagnostics, &[]);
        let asked = std::cell::Cell::new(0);
        let until = |after: usize| {
            asked.set(0);
            super::lists_until(portal, &look, diagnostics, &[], &|| {
                asked.set(asked.get() + 1);
                asked.get() > after
            })
        };
        let all = until(usize::MAX).unwrap();
        // Every place a build asks, the kind and scorecard pages' own too.
        let checks = asked.get();
        assert!(checks > 6, "asked {checks} times");
        for after in 0..checks {
            assert!(until(after).is_none(), "stopped after {after} parts");
            assert_eq!(asked.get(), after + 1);
        }
        let files = |f: &[crate::output::OutputFile]| -> Vec<(String, Vec<u8>)> {
            f.iter()
                .map(|f| (f.path.clone(), f.bytes.to_vec()))
                .collect()
        };
        assert_eq!(files(&all), files(&whole));
        assert!(whole.len() > 5);
    }

    /// The embedded Mermaid script inflates to the vendored file, byte for
    /// byte, and is smaller than a third of it in the binary.
    #[test]
    fn the_embedded_mermaid_script_is_the_vendored_one() {
        let vendored = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/themes/default/vendor/mermaid.min.js"
        ))
        .unwrap();
        assert_eq!(super::MERMAID.len(), vendored.len());
        assert!(super::MERMAID[..] == vendored[..]);
        assert!(super::MERMAID_DEFLATED.len() * 3 < vendored.len());
    }

    /// Every admonition type MkDocs Material styles, with its aliases, has
    /// Material's colour and an icon drawn from an inline SVG.
    #[test]
    fn the_stylesheet_gives_each_admonition_type_materials_colour_and_icon() {
        let types = [
            ("note", "#448aff"),
            ("abstract, .summary, .tldr", "#00b0ff"),
            ("info, .todo", "#00b8d4"),
            ("tip, .hint, .important", "#00bfa5"),
            ("success, .check, .done", "#00c853"),
            ("question, .help, .faq", "#64dd17"),
            ("warning, .caution, .attention", "#ff9100"),
            ("failure, .fail, .missing", "#ff5252"),
            ("danger, .error", "#ff1744"),
            ("bug", "#f50057"),
            ("example", "#7c4dff"),
            ("quote, .cite", "#9e9e9e"),
        ];
        for (classes, colour) in types {
            let rule = format!(
                ":is(.admonition, details):is(.{classes}) {{ --tint: {colour}; --icon: url(\"data:image/svg+xml,%3Csvg"
            );
            assert!(STYLESHEET.contains(&rule), "{classes}");
        }
        // Other types (`warn`) take the base rule: note's colour and icon.
        assert!(
            STYLESHEET
                .contains(".admonition, details:not(.docs-sites, .versions) { --tint: #448aff;")
        );
        assert!(!STYLESHEET.contains("@font-face"), "no icon font");
    }
}
