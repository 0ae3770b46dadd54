//! Building the pages of one docs site: each page read, rendered, laid
//! out and placed for the link check, or taken whole from the memo when
//! nothing it depends on changed (`portico serve`); renders are taken from
//! the build cache on disk when there is one (`portico build`).

use super::build::{DocsOptions, Layout, PageSummary};
use super::links::{PageCheck, PlacedLink};
use super::markdown::template_tags::{PageDates, uses_dates};
use super::markdown::{self, PageEnv};
use super::memo::{self, Key, PageMemo};
use super::nav::{self, NavItem};
use super::page::{PagePlace, page_view};
use super::site::DocSource;
use super::snippets::Snippets;
use super::versions::SiteVersions;
use crate::catalog::location::RepoLocation;
use crate::diagnostics::{Diagnostic, LineIndex, SourceFile};
use crate::read::{RepoSource, Snapshot};
use std::collections::HashMap;
use std::sync::Arc;

/// A page's source, read before rendering (rendering runs in parallel).
pub(super) struct PageInput {
    pub(super) src: String,
    /// Repository-relative path of the file read.
    pub(super) path: String,
    pub(super) text: Arc<str>,
}

/// The repository path of a page's Markdown (the README for a fallback index).
pub(super) fn page_path(source: &DocSource, src: &str) -> String {
    super::site::page_file(&source.docs_dir, source.readme_index.as_deref(), src)
}

pub(super) fn read_pages(
    snapshot: &Snapshot,
    source: &DocSource,
    kept: KeptTexts<'_>,
    out: &mut Vec<Diagnostic>,
) -> Vec<PageInput> {
    let repo = &snapshot.source;
    let mut inputs = Vec::with_capacity(source.pages.len());
    for src in &source.pages {
        let path = page_path(source, src);
        match read_page(snapshot, &path, kept) {
            Ok(text) => inputs.push(PageInput {
                src: src.clone(),
                path,
                text,
            }),
            Err(e) => out.push(Diagnostic::error("docs-unreadable", e.to_string()).in_repo(
                &repo.name,
                &repo.display,
                &path,
            )),
        }
    }
    inputs
}

/// What `portico serve` keeps of the pages' texts: the memo and the
/// watcher's versions. `None` in a `portico build`.
pub(super) type KeptTexts<'a> = Option<(&'a super::build::DocsMemo, &'a crate::memo::Versions)>;

/// A page's text. In `portico serve`, a work tree's page is read again
/// only after the watcher reported a change at it or at a folder on its
/// way: one edit in a 2,000-page site then reads one file, not 2,000. A
/// text read through a symlink, or from a file with another name (a hard
/// link), is never kept (a change to it is reported at the other name),
/// nor is a failed read (its problem is reported on every build).
fn read_page(
    snapshot: &Snapshot,
    path: &str,
    kept: KeptTexts<'_>,
) -> Result<Arc<str>, crate::read::ReadError> {
    let repo = &snapshot.source;
    let kept = kept.filter(|_| repo.kind != crate::read::RepoKind::Bare);
    let key = kept.and_then(|(_, versions)| {
        let normal = crate::read::safe_path::normalize(path).ok()?;
        let version = versions.of_file(&repo.root, &normal)?;
        let mut key = memo::hasher();
        memo::part(&mut key, repo.root.as_os_str().as_encoded_bytes());
        memo::part(&mut key, normal.as_bytes());
        key.update(&version.to_le_bytes());
        Some(key.digest128())
    });
    if let (Some((memo, _)), Some(key)) = (kept, key)
        && let Some(text) = memo.texts.get(key)
    {
        return Ok(text);
    }
    let (text, in_place) = snapshot.read_text_placed(path)?;
    let text: Arc<str> = text.into();
    if let (Some((memo, _)), Some(key), true) = (kept, key, in_place) {
        memo.texts.insert(key, text.clone());
    }
    Ok(text)
}

/// One page built: its laid-out file (when the site is written), what the
/// portal keeps of it, what the link check needs, and its problems placed
/// in its file. Cheap to clone: the memo hands it out again.
#[derive(Clone, Debug)]
pub struct BuiltPage {
    pub(super) html: Option<Arc<[u8]>>,
    pub(super) summary: PageSummary,
    pub(super) check: Arc<PageCheck>,
    pub(super) problems: Arc<Vec<Diagnostic>>,
}

/// `(last commit date, its author)` and whether the work tree differs.
pub(super) type GitFacts = (Option<(String, String)>, bool);

/// Everything the pages of one site are built from.
pub(super) struct SitePages<'s> {
    pub(super) source: &'s DocSource,
    pub(super) repo: &'s RepoSource,
    pub(super) links: &'s RepoLocation,
    /// The site's folder, e.g. `docs/default/component/x/`.
    pub(super) url: &'s str,
    pub(super) site_name: &'s str,
    pub(super) nav: &'s [NavItem],
    pub(super) order: &'s [(String, String)],
    /// Each page's own title (`title::page_title`), when it gives one.
    pub(super) titles: &'s HashMap<String, String>,
    pub(super) positions: &'s HashMap<&'s str, usize>,
    pub(super) paths: &'s HashMap<String, Vec<usize>>,
    pub(super) page_urls: &'s HashMap<String, String>,
    pub(super) snippets: &'s Snippets,
    pub(super) git_facts: &'s HashMap<String, GitFacts>,
    /// Each page's git dates, for the date plugin's template tags.
    pub(super) dates: &'s HashMap<String, PageDates>,
    pub(super) expand_all: bool,
    pub(super) all_pages: Option<&'s str>,
    pub(super) options: &'s DocsOptions<'s>,
    /// Lays a page out; `None` when nothing is written (`check`).
    pub(super) layout: Option<Layout<'s>>,
    /// The site's versions and which one this is (`None`: the latest),
    /// when it has old versions built from git tags.
    pub(super) versions: Option<(&'s SiteVersions, Option<usize>)>,
    /// Renders shared by the versions of the repository's sites, so a page
    /// unchanged across versions is rendered once.
    pub(super) shared: Option<&'s PageMemo>,
}

/// What every page of a site shares in its memo keys.
struct SiteKeys {
    /// Read by every render: the site's pages, the sanitising settings.
    render: Key,
    /// Every snippet the site's pages may include.
    snippets: Key,
    /// Read by every layout: the nav, the site's name and settings.
    layout: Key,
}

impl SitePages<'_> {
    /// Builds every page (in parallel), taking what the memo kept.
    pub(super) fn build_all(&self, pages: &[PageInput], granted: &[bool]) -> Vec<BuiltPage> {
        use rayon::prelude::*;
        let kept =
            self.options.memo.is_some() || self.options.disk.is_some() || self.shared.is_some();
        let keys = kept.then(|| self.site_keys());
        let pack = self
            .options
            .disk
            .map(|disk| memo::SitePack::load(disk, self.pack_key()));
        let built = pages
            .par_iter()
            .zip(granted)
            .map(|(page, granted)| match (&keys, self.options.memo) {
                (Some(keys), Some((memo, _))) => {
                    let render_key = self.render_key(keys, page, *granted);
                    let output_key = self.output_key(keys, render_key, page);
                    memo.outputs.get_or_make(output_key, || {
                        self.build(page, *granted, Some(render_key), None)
                    })
                }
                (Some(keys), None) => {
                    let render_key = self.render_key(keys, page, *granted);
                    self.build(page, *granted, Some(render_key), pack.as_ref())
                }
                _ => self.build(page, *granted, None, None),
            })
            .collect();
        if let (Some(disk), Some(pack)) = (self.options.disk, pack) {
            pack.store(disk);
        }
        built
    }

    /// The key the site's renders are kept under in the build cache: which
    /// site it is, not what it holds.
    fn pack_key(&self) -> Key {
        let mut key = memo::hasher();
        memo::part(&mut key, self.repo.display.as_bytes());
        memo::part(&mut key, self.url.as_bytes());
        key.digest128()
    }

    fn site_keys(&self) -> SiteKeys {
        let mut layout = memo::hasher();
        memo::part(&mut layout, format!("{:?}", self.nav).as_bytes());
        memo::part(&mut layout, self.site_name.as_bytes());
        memo::part(&mut layout, self.url.as_bytes());
        memo::part(&mut layout, self.source.request.entity_title.as_bytes());
        memo::part(&mut layout, self.source.config_text.as_bytes());
        memo::part(&mut layout, format!("{:?}", self.links).as_bytes());
        memo::part(
            &mut layout,
            format!("{:?}", self.source.readme_index).as_bytes(),
        );
        memo::part(
            &mut layout,
            &[
                u8::from(self.expand_all),
                u8::from(self.all_pages.is_some()),
            ],
        );
        memo::part(&mut layout, format!("{:?}", self.versions).as_bytes());
        let mut render = memo::hasher();
        let settings = memo::render_settings_key(&self.options.sanitize);
        render.update(&settings.to_le_bytes());
        memo::part(
            &mut render,
            format!("{:?}", self.source.config.markdown).as_bytes(),
        );
        SiteKeys {
            render: render.digest128(),
            snippets: self.snippets.key(),
            layout: layout.digest128(),
        }
    }

    /// The key of a page's render: its text and what every render reads.
    fn render_key(&self, keys: &SiteKeys, page: &PageInput, granted: bool) -> Key {
        let mut key = memo::hasher();
        key.update(&keys.render.to_le_bytes());
        let snippets = markdown::snippet_syntax::may_include_snippets(&page.text);
        if snippets {
            key.update(&keys.snippets.to_le_bytes());
        }
        // Links to other sites (`/docs/…`) climb out of the site: their
        // render depends on its depth. Text that may hide one (encoded,
        // or in a snippet) counts as one.
        let text = &page.text;
        if snippets || text.contains("/docs/") || text.contains('%') || text.contains('&') {
            key.update(&(self.source.request.depth() as u64).to_le_bytes());
        }
        memo::part(&mut key, &[u8::from(granted)]);
        if uses_dates(&page.text, &self.source.config.markdown.dates) {
            memo::part(&mut key, format!("{:?}", self.page_dates(page)).as_bytes());
        }
        memo::part(&mut key, page.src.as_bytes());
        memo::part(&mut key, page.text.as_bytes());
        key.digest128()
    }

    /// The key of a page's whole output: its render, the site's layout
    /// inputs, its place and title in the nav, its git facts.
    fn output_key(&self, keys: &SiteKeys, render: Key, page: &PageInput) -> Key {
        let mut key = memo::hasher();
        key.update(&render.to_le_bytes());
        key.update(&keys.layout.to_le_bytes());
        key.update(&[u8::from(self.layout.is_some())]);
        memo::part(&mut key, page.path.as_bytes());
        let position = self.positions.get(page.src.as_str()).copied();
        memo::part(&mut key, format!("{position:?}").as_bytes());
        memo::part(
            &mut key,
            format!("{:?}", self.git_facts.get(&page.src)).as_bytes(),
        );
        key.digest128()
    }

    fn page_dates(&self, page: &PageInput) -> PageDates {
        self.dates.get(&page.src).copied().unwrap_or_default()
    }

    /// Builds one page: rendered (or its render taken from the memo, under
    /// `render_key`), laid out, placed.
    fn build(
        &self,
        page: &PageInput,
        granted: bool,
        render_key: Option<Key>,
        pack: Option<&memo::SitePack>,
    ) -> BuiltPage {
        let page_url = self.page_urls.get(&page.src).cloned().unwrap_or_default();
        let snippet = |name: &str| self.snippets.get(name);
        let env = PageEnv {
            src: &page.src,
            url: &page_url,
            site_depth: self.source.request.depth(),
            page_urls: self.page_urls,
            snippet: granted.then_some(&snippet),
            settings: &self.source.config.markdown,
            dates: self.page_dates(page),
            sanitize: &self.options.sanitize,
        };
        let render = || match (render_key, self.options.disk, pack) {
            (Some(key), Some(disk), Some(pack)) => {
                pack.rendered(disk, key, || render_guarded(&page.text, &env))
            }
            _ => render_guarded(&page.text, &env),
        };
        let mut rendered = match (render_key, self.options.memo, self.shared) {
            (Some(key), Some((memo, _)), _) => memo::rendered(&memo.pages, key, render),
            (Some(key), None, Some(shared)) => memo::rendered(shared, key, render),
            _ => render(),
        };
        let position = self.positions.get(page.src.as_str()).copied();
        let title = position
            .map(|i| self.order[i].1.clone())
            .or_else(|| self.titles.get(&page.src).cloned())
            .unwrap_or_else(|| nav::title_from_path(&page.src));
        let facts = self.git_facts.get(&page.src).cloned().unwrap_or_default();
        let html = self.layout.map(|layout| {
            let place = PagePlace {
                nav: self.nav,
                order: self.order,
                position,
                path: self.paths.get(&page.src).map(Vec::as_slice),
                src: &page.src,
                url: &page_url,
                expand_all: self.expand_all,
                all_pages: self.all_pages,
            };
            let mut content = std::mem::take(&mut rendered.html);
            if !content.contains("<h1") {
                // Material shows the page title when the page's HTML has no
                // `<h1` (`partials/content.html`): no `# ` heading and no
                // `<h1>` of the author's (a README's centred title).
                content.insert_str(0, &format!("<h1>{}</h1>\n", crate::html::escape(&title)));
            }
            let mut view = page_view(
                self.source,
                self.links,
                &place,
                &title,
                self.site_name,
                &rendered,
                content,
            );
            (view.last_updated, view.uncommitted) = facts.clone();
            if let Some((versions, current)) = self.versions {
                view.versions = versions.links(current, &page.src, &page_url);
                view.old_version = versions.note(current, &page.src, &page_url);
            }
            Arc::from(layout(view).into_bytes())
        });
        // Placed now, while the page's text is at hand.
        let lines = LineIndex::new(&page.text);
        let file = SourceFile {
            repo: &self.repo.name,
            repo_dir: &self.repo.display,
            path: &page.path,
            text: &page.text,
            line_index: Some(&lines),
        };
        let problems: Vec<Diagnostic> = std::mem::take(&mut rendered.problems)
            .into_iter()
            .map(|(line, d)| d.in_file(&file, line, 1))
            .collect();
        let check = PageCheck {
            site: self.url.to_string(),
            src: page.src.clone(),
            file: super::links::PageFile::of(&file),
            ids: std::mem::take(&mut rendered.ids),
            links: std::mem::take(&mut rendered.links)
                .into_iter()
                .map(|link| PlacedLink::new(link, &file))
                .collect(),
        };
        let summary = PageSummary {
            src: page.src.clone(),
            url: page_url,
            title,
            headings: Arc::new(rendered.headings),
            has_mermaid: rendered.has_mermaid,
            sections: Arc::new(rendered.sections),
            last_updated: facts.0.map(|(date, _)| date),
            draft: self.source.drafts.binary_search(&page.src).is_ok(),
        };
        BuiltPage {
            html,
            summary,
            check: Arc::new(check),
            problems: Arc::new(problems),
        }
    }
}

/// Renders one page. A bug in Portico that panics on the page's content
/// (the last resort: every known hazard has a budget) costs that page its
/// layout, not the build: the page shows its text, with an internal-error
/// diagnostic. Stack overflows are not panics: nesting budgets prevent them.
pub(super) fn render_guarded(text: &str, env: &PageEnv<'_>) -> markdown::RenderedPage {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| markdown::render(text, env)))
        .unwrap_or_else(|_| {
            let problem = Diagnostic::error(
                "internal-error",
                "Portico failed while rendering this page; it is shown as plain text and the rest of the site was built",
            )
            .with_hint("this is a bug in Portico: please report it with the page's Markdown");
            markdown::plain_text_page(text, Vec::new(), problem)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docs::markdown::SanitizeOptions;

    #[test]
    fn a_panic_while_rendering_costs_the_page_its_layout_only() {
        let urls: HashMap<String, String> = HashMap::new();
        let options = SanitizeOptions::default();
        let env = PageEnv {
            src: "index.md",
            url: "",
            site_depth: crate::address::ENTITY_DEPTH,
            page_urls: &urls,
            snippet: Some(&|_| panic!("a bug")),
            settings: &Default::default(),
            dates: Default::default(),
            sanitize: &options,
        };
        let page = render_guarded("# Title <b>\n\n--8<-- \"x.md\"\n", &env);
        assert!(page.html.contains("# Title &lt;b&gt;"), "{}", page.html);
        let codes: Vec<&str> = page.problems.iter().map(|(_, d)| d.code).collect();
        assert_eq!(codes, vec!["internal-error"]);
    }
}
