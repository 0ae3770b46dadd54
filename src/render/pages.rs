//! The pages of the first plain site.

use super::Look;
use super::shell::PageView;
use super::{canonical_url, graph};
use crate::address::{self, entity_dir};
use crate::catalog::Entity;
use crate::catalog::entity_ref::EntityRef;
use crate::catalog::relations::Relation;
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::docs::DocSiteSummary;
use crate::html::{escape, external_link, row};
use crate::portal::Portal;
use minijinja::value::Serde;
use minijinja::{Value, context};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// A catalog page in the shell. `path`: the page's file from the site
/// root (its depth gives the way back to the root; with a base URL, it is
/// the canonical link).
pub(super) fn layout(portal: &Portal, look: &Look, title: &str, path: &str, body: &str) -> String {
    layout_described(portal, look, title, "", path, body)
}

/// [`layout`] with the page's own summary for `<meta name="description">`
/// (empty: the title and the portal's name).
pub(super) fn layout_described(
    portal: &Portal,
    look: &Look,
    title: &str,
    description: &str,
    path: &str,
    body: &str,
) -> String {
    let root = "../".repeat(path.matches('/').count());
    let description = match description.trim() {
        "" => format!("{title} in {}", portal.title),
        own => one_line(own, 300),
    };
    let page = PageView {
        title: format!("{title} · {}", portal.title),
        description,
        root: &root,
        canonical: canonical_url(portal, path),
        body_class: "",
        main_id: "main",
        mermaid: false,
        downloads: true,
    };
    look.shell
        .render(portal, &page, format!("<main id=\"main\">\n{body}</main>"))
}

/// A page made of parts through one of the part templates (`list.html`,
/// `org.html`, `problems.html`), inside the shell. `data`: the template's
/// own variable, `(name, value)`.
pub(super) fn parts_page(
    portal: &Portal,
    look: &Look,
    template: &str,
    data: (&str, Value),
    title: &str,
    path: &str,
    parts: &[(&str, String)],
) -> String {
    let root = "../".repeat(path.matches('/').count());
    let page = PageView {
        title: String::new(),
        description: String::new(),
        root: &root,
        canonical: None,
        body_class: "",
        main_id: "main",
        mermaid: false,
        downloads: true,
    };
    let inside = look.shell.parts(template, &page, parts, data);
    layout(portal, look, title, path, &inside)
}

/// A link to an entity page if the entity exists, else the ref as text.
pub(super) fn ref_link(portal: &Portal, r: &EntityRef, root: &str) -> String {
    match portal.catalog.get(r) {
        Some(e) => format!(
            "<a href=\"{root}{}index.html\">{}</a>",
            escape(&entity_dir(&e.entity_ref)),
            escape(&short_ref(&e.entity_ref))
        ),
        None => format!(
            "<span class=\"missing\" title=\"not in the catalog\">{}</span>",
            escape(&r.to_string())
        ),
    }
}

/// `name` in the default namespace, `namespace/name` elsewhere.
pub(super) fn short_ref(r: &EntityRef) -> String {
    if r.namespace == "default" {
        r.name.clone()
    } else {
        format!("{}/{}", r.namespace, r.name)
    }
}

/// The first relation target of a kind, e.g. the owner.
pub(super) fn first_target<'a>(entity: &'a Entity, relation: &str) -> Option<&'a EntityRef> {
    entity
        .relations
        .iter()
        .find(|r| r.kind == relation)
        .map(|r| &r.target)
}

/// The diagnostics of each file, found once for all entity pages: by
/// repository and path as diagnostics show it, in line order, so each page
/// looks only at its own file's lines.
pub struct ProblemsByFile<'a> {
    /// (repository, path) → its diagnostics, sorted by line then place.
    by_file: HashMap<(&'a str, &'a str), Vec<Placed<'a>>>,
}

/// A diagnostic with its line and its place in the list given.
type Placed<'a> = (usize, usize, &'a Diagnostic);

impl<'a> ProblemsByFile<'a> {
    pub fn new(diagnostics: &'a [Diagnostic]) -> Self {
        let mut by_file: HashMap<_, Vec<_>> = HashMap::new();
        for (i, d) in diagnostics.iter().enumerate() {
            by_file
                .entry((d.repo.as_str(), d.path.as_str()))
                .or_default()
                .push((d.line, i, d));
        }
        for list in by_file.values_mut() {
            list.sort_by_key(|&(line, i, _)| (line, i));
        }
        ProblemsByFile { by_file }
    }

    /// Diagnostics inside `entity`'s YAML document (same file, same lines),
    /// in the order they were given.
    pub(super) fn of(&self, entity: &Entity) -> Vec<&'a Diagnostic> {
        let path = entity.source_file().display_path();
        let Some(list) = self
            .by_file
            .get(&(entity.source.repo.as_str(), path.as_str()))
        else {
            return Vec::new();
        };
        let lines = &entity.source.lines;
        let start = list.partition_point(|&(line, _, _)| line < lines.start);
        let mut found: Vec<(usize, &Diagnostic)> = list[start..]
            .iter()
            .take_while(|&&(line, _, _)| line < lines.end)
            .map(|&(_, i, d)| (i, d))
            .collect();
        found.sort_by_key(|&(i, _)| i);
        found.into_iter().map(|(_, d)| d).collect()
    }
}

pub fn entity(
    portal: &Portal,
    look: &Look,
    entity: &Entity,
    problems_by_file: &ProblemsByFile<'_>,
    docs: Option<&DocSiteSummary>,
    scorecards: &str,
    relations: &SortedRelations<'_>,
) -> String {
    let root = &address::up(address::ENTITY_DEPTH);
    // The about card's rows: (label, HTML), left out when empty.
    let mut about: Vec<(&str, String)> = Vec::new();
    let mut row = |label: &'static str, html: Option<String>| {
        if let Some(html) = html {
            about.push((label, html));
        }
    };
    row(
        "Owner",
        first_target(entity, "ownedBy").map(|r| ref_link(portal, r, root)),
    );
    // Backstage's About card: the system of a component, API or resource,
    // the domain of a system.
    let part_of = entity
        .relations
        .iter()
        .filter(|r| r.kind == "partOf")
        .map(|r| (r.target.kind.as_str(), ref_link(portal, &r.target, root)));
    for (kind, link) in part_of {
        row(
            match kind {
                "system" => "System",
                "domain" => "Domain",
                _ => "Part of",
            },
            Some(link),
        );
    }
    for (term, key) in [("Type", "type"), ("Lifecycle", "lifecycle")] {
        row(term, entity.spec_str(key).map(escape));
    }
    let tags = super::about::tags(entity);
    row("Tags", (!tags.is_empty()).then_some(tags));
    row("Links", super::about::links(entity));
    row(
        "Docs",
        docs.map(|d| {
            // Freshness: the newest page's last commit.
            let updated = d
                .pages
                .iter()
                .filter_map(|p| p.last_updated.as_deref())
                .max()
                .map(|date| format!(", updated <time datetime=\"{date}\">{date}</time>"))
                .unwrap_or_default();
            format!(
                "<a href=\"{root}{}\">{}</a> ({}{updated})",
                escape(&d.home()),
                escape(&d.site_name),
                crate::diagnostics::plural(d.pages.len(), "page")
            )
        }),
    );
    let source = format!(
        "{}/{}:{}",
        entity.source.repo_dir, entity.source.file, entity.source.line
    );
    row(
        "Last commit",
        entity.source.commit.as_ref().map(|c| {
            let short: String = c.id.chars().take(7).collect();
            let mut html = format!("<code title=\"{}\">{short}</code>", escape(&c.id));
            if let Some(branch) = &c.branch {
                let _ = write!(html, " on <code>{}</code>", escape(branch));
            }
            if !c.date.is_empty() {
                let _ = write!(
                    html,
                    ", <time datetime=\"{0}\">{0}</time> by {1}",
                    escape(&c.date),
                    escape(&c.author)
                );
            }
            html
        }),
    );
    row(
        "Source",
        Some(match entity.annotation("backstage.io/view-url") {
            Some(url) => external_link(url, &source),
            None => format!("<code>{}</code>", escape(&source)),
        }),
    );
    let mut graph = String::new();
    graph_section(&mut graph, entity, relations);
    let mut relations = String::new();
    relations_section(&mut relations, portal, entity);
    let mut problems = String::new();
    problems_section(&mut problems, &problems_by_file.of(entity));
    let raw = serde_json::to_string_pretty(&entity.to_api_json()).unwrap_or_default();
    let safe = Value::from_safe_string;
    let view = context! {
        kind => &entity.kind,
        kind_dir => address::kind_dir(&entity.kind),
        title => entity.display_name(),
        name => &entity.name,
        namespace => &entity.namespace,
        ref => entity.entity_ref.to_string(),
        description => entity.metadata_str("description"),
        invalid => entity.rejected.as_ref().map(|r| safe(with_code_spans(&r.message))),
        metadata => Value::from(Serde(&entity.metadata())),
        spec => Value::from(Serde(&entity.spec())),
        icon => safe(match entity.kind.as_str() {
            "Group" | "User" => super::people::avatar(entity, 44),
            kind => super::icons::svg(kind),
        }),
        facts => safe(super::about::header_facts(portal, entity, root)),
        about => about
            .into_iter()
            .map(|(label, html)| context! { label => label, html => safe(html) })
            .collect::<Vec<Value>>(),
        sections => context! {
            graph => safe(graph),
            kind => safe(super::kind_sections::sections(portal, entity, root)),
            relations => safe(relations),
            problems => safe(problems),
            tools => safe(super::about::tool_cards(portal, entity)),
            scorecards => safe(scorecards.to_string()),
        },
        json => raw,
    };
    let path = address::entity_page(&entity.entity_ref);
    let page = PageView {
        title: String::new(),
        description: String::new(),
        root,
        canonical: None,
        body_class: "",
        main_id: "main",
        mermaid: false,
        downloads: true,
    };
    let inside = look.shell.entity(&page, view);
    let summary = match entity.metadata_str("description") {
        Some(own) if !own.trim().is_empty() => own.to_string(),
        _ => format!("{} {}", entity.kind, short_ref(&entity.entity_ref)),
    };
    layout_described(
        portal,
        look,
        &format!("{} ({})", entity.display_name(), entity.kind),
        &summary,
        &path,
        &inside,
    )
}

/// `text` on one line (runs of white space as one space), cut to at most
/// `max` characters at a word boundary with an ellipsis.
pub(super) fn one_line(text: &str, max: usize) -> String {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if line.chars().count() + word.chars().count() + 1 > max {
            line.push('…');
            return line;
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    line
}

/// Every entity's relations in the order graphs draw them (by relation,
/// then target), each list sorted once per site, when a page first needs
/// it: a page's two-hop graph reads its neighbours' lists (a Group owning
/// thousands is every member's neighbour), and `serve` rebuilds that take
/// every page from the memo sort none.
pub struct SortedRelations<'p> {
    by_entity: HashMap<&'p EntityRef, Neighbour<'p>, foldhash::fast::RandomState>,
    catalog: &'p crate::catalog::Catalog,
}

/// What other pages' graphs draw of an entity, each made once per site
/// when a page first needs it.
struct Neighbour<'p> {
    entity: &'p Entity,
    relations: std::sync::OnceLock<Sorted<'p>>,
    /// Its box: a neighbour's name, kind and link were made again for
    /// every page that drew it (a Group's for each of its members).
    node: std::sync::OnceLock<graph::Node>,
}

/// One entity's relations, all of them and each graph side's alone (in
/// the same order): a neighbour's second hop reads only its side's, so a
/// page next to a Group owning thousands does not walk all of them (that
/// walk was a seventh of a catalog-heavy merge's CPU).
struct Sorted<'p> {
    all: Vec<&'p Relation>,
    left: Vec<&'p Relation>,
    right: Vec<&'p Relation>,
}

impl<'p> SortedRelations<'p> {
    pub fn new(portal: &'p Portal) -> SortedRelations<'p> {
        let by_entity = portal
            .catalog
            .entities
            .iter()
            .map(|e| {
                let neighbour = Neighbour {
                    entity: e,
                    relations: std::sync::OnceLock::new(),
                    node: std::sync::OnceLock::new(),
                };
                (&e.entity_ref, neighbour)
            })
            .collect();
        SortedRelations {
            by_entity,
            catalog: &portal.catalog,
        }
    }

    /// The entity `target` names, as the catalog finds it (a ref may
    /// differ from the entity's own in the case of its name).
    fn find(&self, target: &EntityRef) -> Option<&Neighbour<'p>> {
        self.by_entity.get(target).or_else(|| {
            let entity = self.catalog.get(target)?;
            self.by_entity.get(&entity.entity_ref)
        })
    }

    fn sorted(&self, entity: &EntityRef) -> Option<&Sorted<'p>> {
        self.find(entity)
            .map(|n| n.relations.get_or_init(|| sorted_relations(n.entity)))
    }

    /// The box drawn for `target`: its page's link when it is in the
    /// catalog, else its short ref, dashed.
    fn node(&self, target: &EntityRef) -> std::borrow::Cow<'_, graph::Node> {
        use std::borrow::Cow;
        match self.find(target) {
            Some(n) => Cow::Borrowed(n.node.get_or_init(|| graph::Node {
                label: n.entity.display_name().to_string(),
                kind: n.entity.kind.clone(),
                href: Some(format!(
                    "{}{}index.html",
                    address::up(address::ENTITY_DEPTH),
                    entity_dir(&n.entity.entity_ref)
                )),
            })),
            None => Cow::Owned(graph::Node {
                label: short_ref(target),
                kind: target.kind.clone(),
                href: None,
            }),
        }
    }

    fn of(&self, entity: &EntityRef) -> &[&'p Relation] {
        self.sorted(entity).map_or(&[], |s| s.all.as_slice())
    }

    /// [`SortedRelations::of`], only the relations drawn on `side`.
    fn on_side(&self, entity: &EntityRef, side: graph::Side) -> &[&'p Relation] {
        self.sorted(entity).map_or(&[], |s| match side {
            graph::Side::Left => s.left.as_slice(),
            graph::Side::Right => s.right.as_slice(),
        })
    }
}

fn sorted_relations(e: &Entity) -> Sorted<'_> {
    let mut all: Vec<_> = e.relations.iter().collect();
    all.sort_by_cached_key(|r| (r.kind, r.target.to_string()));
    let (left, right) = all
        .iter()
        .partition(|r| graph::side_of(r.kind) == graph::Side::Left);
    Sorted { all, left, right }
}

/// Boxes made per neighbour for the second hop: the drawing shows at most
/// [`graph::MAX_PER_SIDE`] a column, some of which may be shared between
/// neighbours; the rest are only counted.
const FURTHER_BUILT: usize = 2 * graph::MAX_PER_SIDE;

/// The relations graph, drawn at build time one hop out and two (each
/// related entity's own relations on its side: an owner's parent group, a
/// dependency's dependencies); radio buttons choose which shows, without
/// script.
fn graph_section(body: &mut String, entity: &Entity, relations: &SortedRelations<'_>) {
    if entity.relations.is_empty() {
        return;
    }
    let own = relations.of(&entity.entity_ref);
    // Only the neighbours a column shows get their own relations looked at.
    let mut shown_on = [0usize; 2];
    let related: Vec<graph::Related<'_>> = own
        .iter()
        .map(|r| {
            let side = graph::side_of(r.kind);
            let column = &mut shown_on[usize::from(side == graph::Side::Right)];
            *column += 1;
            let mut further = Vec::new();
            let mut further_unbuilt = 0;
            if *column <= graph::MAX_PER_SIDE {
                for f in relations.on_side(&r.target, side) {
                    if f.target == entity.entity_ref {
                        continue;
                    }
                    if further.len() < FURTHER_BUILT {
                        further.push((f.kind, relations.node(&f.target)));
                    } else {
                        further_unbuilt += 1;
                    }
                }
            }
            graph::Related {
                relation: r.kind,
                node: relations.node(&r.target),
                further,
                further_unbuilt,
            }
        })
        .collect();
    let center = graph::Node {
        label: entity.display_name().to_string(),
        kind: entity.kind.clone(),
        href: None,
    };
    let one = graph::relations_svg(&center, &related, 1, "hop1", "#relations");
    body.push_str("<section aria-labelledby=\"graph\"><h2 id=\"graph\">Graph</h2>");
    if !graph::has_second_hop(&related) {
        // Nothing lies two hops out: one drawing.
        let _ = write!(body, "<div class=\"graph-wrap\">{one}</div>");
    } else {
        let two = graph::relations_svg(&center, &related, 2, "hop2", "#relations");
        let _ = write!(
            body,
            "<div class=\"graph-depth\"><input type=\"radio\" name=\"graph-depth\" id=\"graph-depth-1\" checked>\
             <label for=\"graph-depth-1\">1 hop</label> <input type=\"radio\" name=\"graph-depth\" id=\"graph-depth-2\">\
             <label for=\"graph-depth-2\">2 hops</label>\
             <div class=\"graph-wrap depth-1\">{one}</div><div class=\"graph-wrap depth-2\">{two}</div></div>"
        );
    }
    body.push_str(
        "<p class=\"legend\"><span class=\"arrow\">from an entity to what it relates to</span> \
         <span class=\"box-missing\">not in the catalog</span> \
         <span class=\"sides\">left: what it belongs to or relies on; right: what belongs to or relies on it</span></p></section>\n",
    );
}

fn relations_section(body: &mut String, portal: &Portal, entity: &Entity) {
    if entity.relations.is_empty() {
        return;
    }
    body.push_str("<section aria-labelledby=\"relations\"><h2 id=\"relations\">Relations</h2><dl>");
    let mut grouped: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for r in entity.relations.iter() {
        grouped.entry(r.kind).or_default().push(ref_link(
            portal,
            &r.target,
            &address::up(address::ENTITY_DEPTH),
        ));
    }
    for (kind, links) in grouped {
        row(body, kind, Some(links.join(", ")));
    }
    body.push_str("</dl></section>\n");
}

fn problems_section(body: &mut String, problems: &[&Diagnostic]) {
    if problems.is_empty() {
        return;
    }
    let errors = problems
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    // A banner at the top of the page, coloured by the worst problem.
    let _ = write!(
        body,
        "<section class=\"banner {}\" aria-labelledby=\"problems\"><h2 id=\"problems\">Problems \
         <span class=\"count\">{}</span></h2><ul class=\"problems\">",
        if errors > 0 { "error" } else { "warning" },
        problems.len()
    );
    for d in problems {
        problem_item(body, d);
    }
    body.push_str("</ul></section>\n");
}

fn problem_item(body: &mut String, d: &Diagnostic) {
    let _ = write!(
        body,
        "<li class=\"{sev}\"><strong>{sev}</strong> <code>{}</code> {}<br><span class=\"where\">{}</span>",
        escape(d.code),
        with_code_spans(&d.message),
        escape(&d.location()),
        sev = d.severity.label()
    );
    if let Some(hint) = &d.hint {
        let _ = write!(
            body,
            "<br><span class=\"hint\">{}</span>",
            with_code_spans(hint)
        );
    }
    body.push_str("</li>\n");
}

/// `text` with its code spans (`` `x` ``) as `<code>`, the rest escaped,
/// as CommonMark reads them: a run of backticks opens a span the next run
/// of as many closes (so ``` ``a `b` c`` ``` holds backticks), one space
/// each side taken off when both are there; a run nothing closes is text.
pub(super) fn with_code_spans(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let run = rest[open..].bytes().take_while(|&b| b == b'`').count();
        let after = &rest[open + run..];
        match closing_run(after, run) {
            Some(close) => {
                html.push_str(&escape(&rest[..open]));
                let mut code = &after[..close];
                if code.len() > 2 && code.starts_with(' ') && code.ends_with(' ') {
                    code = &code[1..code.len() - 1];
                }
                let _ = write!(html, "<code>{}</code>", escape(code));
                rest = &after[close + run..];
            }
            None => {
                html.push_str(&escape(&rest[..open + run]));
                rest = after;
            }
        }
    }
    html.push_str(&escape(rest));
    html
}

/// Where in `text` the first run of exactly `run` backticks starts.
fn closing_run(text: &str, run: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let length = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if length == run {
                return Some(i);
            }
            i += length;
        } else {
            i += 1;
        }
    }
    None
}

/// Who should fix a problem: the owner of the entity whose YAML document
/// holds it; for any other file of a repository (docs pages, unreadable
/// files), the owner of the repository's entities when they share one.
/// Worked out once for the repositories' entities, not per problem.
struct ProblemOwners<'a> {
    /// Repository → path as diagnostics show it → its entities by first line.
    files: HashMap<&'a str, HashMap<String, Vec<&'a Entity>>>,
    /// Repository → the owner its entities share, if they do.
    shared: HashMap<&'a str, Option<&'a EntityRef>>,
    /// Repository → the owner of its entities with TechDocs, if they share one:
    /// who fixes a docs page when the repository's entities have several owners.
    documented: HashMap<&'a str, Option<&'a EntityRef>>,
}

impl<'a> ProblemOwners<'a> {
    fn new(entities: &'a [Entity]) -> Self {
        let mut files: HashMap<&str, HashMap<String, Vec<&Entity>>> = HashMap::new();
        let mut owners: HashMap<&str, Vec<&EntityRef>> = HashMap::new();
        let mut documented: HashMap<&str, Vec<&EntityRef>> = HashMap::new();
        for e in entities {
            if e.annotation(crate::docs::site::ANNOTATION).is_some() {
                documented
                    .entry(e.source.repo.as_str())
                    .or_default()
                    .extend(first_target(e, "ownedBy"));
            }
            let repo = e.source.repo.as_str();
            files
                .entry(repo)
                .or_default()
                .entry(e.source_file().display_path())
                .or_default()
                .push(e);
            owners
                .entry(repo)
                .or_default()
                .extend(first_target(e, "ownedBy"));
        }
        // A file's documents own disjoint lines: sorted, one search finds the holder.
        for in_file in files.values_mut().flat_map(HashMap::values_mut) {
            in_file.sort_by_key(|e| e.source.lines.start);
        }
        let one_owner = |by_repo: HashMap<&'a str, Vec<&'a EntityRef>>| {
            by_repo
                .into_iter()
                .map(|(repo, owners)| {
                    let first = owners.first().copied();
                    (repo, first.filter(|f| owners.iter().all(|o| o == f)))
                })
                .collect()
        };
        ProblemOwners {
            files,
            shared: one_owner(owners),
            documented: one_owner(documented),
        }
    }

    fn of(&self, d: &Diagnostic) -> Option<EntityRef> {
        let repo = d.repo.as_str();
        let in_file = self.files.get(repo).and_then(|f| f.get(&d.path));
        if let Some(in_file) = in_file {
            let after = in_file.partition_point(|e| e.source.lines.start <= d.line);
            let holder = after
                .checked_sub(1)
                .map(|i| in_file[i])
                .filter(|e| e.source.lines.contains(&d.line));
            if let Some(e) = holder {
                return first_target(e, "ownedBy").cloned();
            }
        }
        // A document that is not a valid entity still names its owner.
        if let Some(owner) = d.owner.as_deref() {
            return EntityRef::parse(owner, Some("group"), "default").ok();
        }
        let shared = self.shared.get(repo).copied().flatten();
        // Not a catalog file: most likely a docs page or one of its files.
        let documented = in_file
            .is_none()
            .then(|| self.documented.get(repo).copied().flatten())
            .flatten();
        shared.or(documented).cloned()
    }
}

pub fn problems(portal: &Portal, look: &Look, diagnostics: &[Diagnostic]) -> String {
    let shown: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity != Severity::Info)
        .collect();
    let mut body = format!(
        "<h1>Problems</h1>\n<p class=\"lead\">{}</p>\n",
        escape(&diagnostics::summary(diagnostics::count(diagnostics)))
    );
    // Owner (its key, or "" for none) → repository → problems.
    type ByRepo<'a> = BTreeMap<&'a str, Vec<&'a Diagnostic>>;
    let mut by_owner: BTreeMap<String, (Option<EntityRef>, ByRepo<'_>)> = BTreeMap::new();
    let owners = ProblemOwners::new(&portal.catalog.entities);
    for d in shown {
        let owner = owners.of(d);
        let key = owner.as_ref().map(EntityRef::key).unwrap_or_default();
        let entry = by_owner.entry(key).or_insert((owner, BTreeMap::new()));
        entry.1.entry(d.repo.as_str()).or_default().push(d);
    }
    let labels = owner_labels(by_owner.values().filter_map(|(o, _)| o.as_ref()));
    let label = |owner: &Option<EntityRef>| {
        owner.as_ref().map_or_else(
            || "(no owner)".to_string(),
            |o| {
                labels
                    .get(&o.key())
                    .cloned()
                    .unwrap_or_else(|| o.to_string())
            },
        )
    };
    let heading_end = body.len();
    if !by_owner.is_empty() {
        body.push_str(
            "<table class=\"owners\"><thead><tr><th scope=\"col\">Owner</th><th scope=\"col\">Errors</th>\
             <th scope=\"col\">Warnings</th></tr></thead><tbody>",
        );
        for (key, (owner, repos)) in &by_owner {
            let all: Vec<&Diagnostic> = repos.values().flatten().copied().collect();
            let errors = all.iter().filter(|d| d.severity == Severity::Error).count();
            let _ = write!(
                body,
                "<tr><td><a href=\"#owner-{}\">{}</a></td><td>{errors}</td><td>{}</td></tr>",
                escape(&owner_anchor(key)),
                escape(&label(owner)),
                all.len() - errors
            );
        }
        body.push_str("</tbody></table>\n");
    }
    let owners_end = body.len();
    for (key, (owner, repos)) in &by_owner {
        // One heading style for every owner: the name as text; the page of
        // an owner in the catalog is linked beside it, a missing one said so.
        let _ = write!(
            body,
            "<section><h2 id=\"owner-{}\">{}</h2>",
            escape(&owner_anchor(key)),
            escape(&label(owner))
        );
        if let Some(owner) = owner {
            let about = match portal.catalog.get(owner) {
                Some(e) => format!(
                    "<a href=\"../{}index.html\">{} page</a>",
                    escape(&entity_dir(&e.entity_ref)),
                    escape(&e.kind)
                ),
                None => format!("{} is not in the catalog", escape(&owner.to_string())),
            };
            let _ = write!(body, "<p class=\"meta\">{about}</p>");
        }
        for (repo, items) in repos {
            let _ = write!(
                body,
                "<h3>{}</h3><ul class=\"problems\">",
                escape(if repo.is_empty() {
                    "(no repository)"
                } else {
                    repo
                })
            );
            for d in items {
                problem_item(&mut body, d);
            }
            body.push_str("</ul>");
        }
        body.push_str("</section>\n");
    }
    let counts = diagnostics::count(diagnostics);
    let parts = [
        ("heading", body[..heading_end].to_string()),
        ("owners", body[heading_end..owners_end].to_string()),
        ("problems", body[owners_end..].to_string()),
    ];
    let data = context! { errors => counts.errors, warnings => counts.warnings };
    parts_page(
        portal,
        look,
        "problems.html",
        ("problems", data),
        "Problems",
        address::PROBLEMS,
        &parts,
    )
}

/// How each owner is named on the problems page (by key): `name` in the
/// default namespace, `namespace/name` elsewhere, and the whole ref when two
/// owners would read the same (a user and a group of one name).
fn owner_labels<'a>(owners: impl Iterator<Item = &'a EntityRef>) -> HashMap<String, String> {
    let owners: Vec<&EntityRef> = owners.collect();
    let mut uses: HashMap<String, usize> = HashMap::new();
    for o in &owners {
        *uses.entry(short_ref(o).to_lowercase()).or_default() += 1;
    }
    owners
        .into_iter()
        .map(|o| {
            let short = short_ref(o);
            let label = if o.kind == "group" && uses[&short.to_lowercase()] == 1 {
                short
            } else if uses[&short.to_lowercase()] == 1 {
                format!("{}:{short}", o.kind)
            } else {
                o.to_string()
            };
            (o.key(), label)
        })
        .collect()
}

/// An id for an owner's section: `kind:namespace/name` as
/// `kind_namespace.name`. Kinds have no `_` and namespaces no `.`, so two
/// owners never share an id.
fn owner_anchor(key: &str) -> String {
    if key.is_empty() {
        return "none".to_string();
    }
    // An owner named in a YAML file may hold anything (`team 50%`, `a#b`),
    // which an id or a fragment cannot: other bytes are written `~XX`.
    let mut anchor = String::with_capacity(key.len());
    for (i, b) in key.bytes().enumerate() {
        match b {
            b':' if !key[..i].contains(':') => anchor.push('_'),
            b'/' if !key[..i].contains('/') => anchor.push('.'),
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') => {
                anchor.push(b as char)
            }
            b => anchor.push_str(&format!("~{b:02X}")),
        }
    }
    anchor
}

/// The page for addresses that do not exist, served by static hosts as
/// `404.html` at whatever depth was asked: links are absolute when the
/// base URL is known, and relative to the host's root otherwise.
pub fn not_found(portal: &Portal) -> String {
    let root = portal.base_url.clone().unwrap_or_else(|| "/".to_string());
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <title>Page not found · {site}</title>\n<link rel=\"stylesheet\" href=\"{root}assets/portico.css\">\n</head>\n<body>\n\
         <header class=\"top\"><a class=\"brand\" href=\"{root}index.html\">{site}</a></header>\n<main id=\"main\">\n\
         <h1>Page not found</h1>\n<p class=\"lead\">Nothing is published at this address. The entity or page may have been \
         renamed or removed from the catalog.</p>\n<p><a href=\"{root}index.html\">Go to the catalog</a>, where the search box \
         finds entities and docs by name.</p>\n</main>\n</body>\n</html>\n",
        site = escape(&portal.title),
        root = escape(&root),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Code spans as CommonMark reads them, so evidence about a value with
    /// backticks (`` `Uses `curl` daily` `` before) shows it as one span.
    #[test]
    fn code_spans_take_longer_fences() {
        assert_eq!(with_code_spans("a `b` c"), "a <code>b</code> c");
        let quoted = crate::scorecards::fields::code_span("Uses `curl` daily");
        assert_eq!(quoted, "``Uses `curl` daily``");
        assert_eq!(
            with_code_spans(&format!("metadata.description is {quoted}")),
            "metadata.description is <code>Uses `curl` daily</code>"
        );
        let edge = crate::scorecards::fields::code_span("`x");
        assert_eq!(with_code_spans(&edge), "<code>`x</code>");
        assert_eq!(with_code_spans("one ` alone <b>"), "one ` alone &lt;b&gt;");
        assert_eq!(with_code_spans("``"), "``");
    }

    #[test]
    fn owner_anchors_do_not_collide() {
        assert_ne!(
            owner_anchor("group:default/a-b"),
            owner_anchor("group:default-a/b")
        );
        assert_eq!(
            owner_anchor("group:default/payments-team"),
            "group_default.payments-team"
        );
        assert_eq!(owner_anchor(""), "none");
        assert_eq!(
            owner_anchor("group:default/team 50%#x~"),
            "group_default.team~2050~25~23x~7E"
        );
        assert_ne!(
            owner_anchor("group:default/a b"),
            owner_anchor("group:default/a~20b")
        );
    }

    /// A component defined at `lines` of `repo/file`, owned by `owner`.
    fn entity(
        name: &str,
        file: &str,
        lines: std::ops::Range<usize>,
        owner: Option<&str>,
    ) -> Entity {
        let relations = owner
            .map(|o| crate::catalog::relations::Relation {
                kind: "ownedBy",
                target: EntityRef::new("group", "default", o),
            })
            .into_iter()
            .collect();
        Entity {
            entity_ref: EntityRef::new("component", "default", name),
            kind: "Component".into(),
            namespace: "default".into(),
            name: name.into(),
            json: Default::default(),
            relations,
            source: crate::catalog::Source {
                repo: "r".into(),
                repo_dir: "org/r".into(),
                file: file.into(),
                line: lines.start,
                lines,
                text: "".into(),
                line_index: Default::default(),
                commit: None,
            },
            doc: crate::yaml::Node {
                value: crate::yaml::Value::Null,
                pos: crate::yaml::Pos::default(),
                tag: None,
            }
            .into(),
            rejected: None,
        }
    }

    fn warning(file: &str, line: usize, message: &str) -> Diagnostic {
        let mut d = Diagnostic::warning("w", message).in_repo("r", "org/r", file);
        d.line = line;
        d
    }

    #[test]
    fn each_entity_page_gets_the_problems_of_its_own_lines_in_order() {
        let diagnostics = vec![
            warning("b.yaml", 9, "b second"),
            warning("a.yaml", 2, "a first"),
            warning("a.yaml", 7, "a second document"),
            warning("b.yaml", 3, "b first"),
            warning("a.yaml", 1, "a first, given after"),
            warning("a.yaml", 0, "the whole file"),
        ];
        let index = ProblemsByFile::new(&diagnostics);
        let messages =
            |e: &Entity| -> Vec<&str> { index.of(e).iter().map(|d| d.message.as_str()).collect() };
        assert_eq!(
            messages(&entity("a1", "a.yaml", 1..6, None)),
            ["a first", "a first, given after"]
        );
        assert_eq!(
            messages(&entity("a2", "a.yaml", 6..usize::MAX, None)),
            ["a second document"]
        );
        assert_eq!(
            messages(&entity("b", "b.yaml", 1..usize::MAX, None)),
            ["b second", "b first"]
        );
        assert!(messages(&entity("c", "c.yaml", 1..usize::MAX, None)).is_empty());
    }

    /// 10,000 entities each with a warning: every page went through every
    /// diagnostic, and the problems page through every entity per problem.
    #[test]
    fn many_entities_with_problems_are_matched_through_the_indexes() {
        let mut entities = Vec::new();
        let mut diagnostics = Vec::new();
        for i in 0..10_000 {
            let (file, line) = (format!("c{}.yaml", i % 10), 1 + 10 * (i / 10));
            entities.push(entity(
                &format!("e{i}"),
                &file,
                line..line + 10,
                Some(&format!("g{i}")),
            ));
            diagnostics.push(warning(&file, line + 7, &format!("w{i}")));
        }
        let problems = ProblemsByFile::new(&diagnostics);
        let owners = ProblemOwners::new(&entities);
        for (i, e) in entities.iter().enumerate() {
            let found = problems.of(e);
            assert_eq!(found.len(), 1);
            assert_eq!(found[0].message, format!("w{i}"));
            let owner = owners.of(&diagnostics[i]).unwrap();
            assert_eq!(owner.name, format!("g{i}"));
        }
    }

    #[test]
    fn problems_outside_documents_go_to_the_repositorys_shared_owner() {
        let entities = vec![
            entity("a", "a.yaml", 1..usize::MAX, Some("team")),
            entity("b", "b.yaml", 1..5, None),
            entity("c", "b.yaml", 5..usize::MAX, Some("team")),
        ];
        let owners = ProblemOwners::new(&entities);
        let owner =
            |file: &str, line: usize| owners.of(&warning(file, line, "")).map(|o| o.name.clone());
        assert_eq!(owner("a.yaml", 3).as_deref(), Some("team"));
        assert_eq!(owner("b.yaml", 2), None, "held by an entity without owner");
        assert_eq!(owner("docs/index.md", 4).as_deref(), Some("team"));
        assert_eq!(owner("b.yaml", 0).as_deref(), Some("team"));
        let mixed = vec![
            entity("a", "a.yaml", 1..9, Some("one")),
            entity("b", "b.yaml", 1..9, Some("two")),
        ];
        let owners = ProblemOwners::new(&mixed);
        assert_eq!(owners.of(&warning("docs/index.md", 4, "")), None);
    }
}
