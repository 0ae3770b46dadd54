//! The page shell: every page's `<head>`, header and site navigation, from
//! the template `base.html` (the default theme's, or a theme's own). The
//! template receives view types made for it, never the catalog itself; the
//! page's own HTML comes in as `content`, already escaped where it must be.

use super::theme::Theme;
use crate::portal::Portal;
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

/// The templates a theme may replace, with the default theme's text.
pub const TEMPLATES: [(&str, &str); 6] = [
    (
        "base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "entity.html",
        include_str!("../../themes/default/templates/entity.html"),
    ),
    (
        "list.html",
        include_str!("../../themes/default/templates/list.html"),
    ),
    (
        "docs.html",
        include_str!("../../themes/default/templates/docs.html"),
    ),
    (
        "org.html",
        include_str!("../../themes/default/templates/org.html"),
    ),
    (
        "problems.html",
        include_str!("../../themes/default/templates/problems.html"),
    ),
];

/// The parts each part-template receives, and the name of its data.
const PART_TEMPLATES: [(&str, &str, &[&str]); 3] = [
    (
        "list.html",
        "list",
        &["heading", "docs", "pager", "filters", "table"],
    ),
    (
        "org.html",
        "org",
        &["heading", "groups", "people", "unowned"],
    ),
    (
        "problems.html",
        "problems",
        &["heading", "owners", "problems"],
    ),
];

/// The compiled shell template.
#[derive(Debug)]
pub struct Shell {
    env: Environment<'static>,
    /// Where the template came from, for messages.
    origin: String,
    /// The theme's additions every page links to.
    custom_css: bool,
    logo: Option<String>,
}

/// An environment escaping like the rest of Portico's HTML: `& < > " '`
/// only (minijinja's own escaper also writes `/` as `&#x2f;`, which is
/// valid but turns every URL into noise).
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // Printing a misspelt variable (`page.titel`) is an error, found by the
    // sample render when the theme is loaded, not an empty string on every
    // page; `{% if entity.spec.system %}` still tests optional data.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    env.set_formatter(|out, state, value| {
        if !value.is_safe() && matches!(state.auto_escape(), minijinja::AutoEscape::Html) {
            let text = match value.as_str() {
                Some(text) => crate::html::escape(text),
                None => crate::html::escape(&value.to_string()),
            };
            return out.write_str(&text).map_err(minijinja::Error::from);
        }
        minijinja::escape_formatter(out, state, value)
    });
    env
}

impl Default for Shell {
    fn default() -> Self {
        let mut env = environment();
        // The default templates are ours and tested; should one ever fail to
        // compile, pages render without it rather than not at all.
        for (name, text) in TEMPLATES {
            let _ = env.add_template(name, text);
        }
        Shell {
            env,
            origin: "the default theme".into(),
            custom_css: false,
            logo: None,
        }
    }
}

/// What the template knows about the site.
#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    search: bool,
    custom_css: bool,
    logo: Option<&'a str>,
}

/// What the template knows about one page.
#[derive(Serialize)]
pub struct PageView<'a> {
    /// The whole `<title>` text.
    pub title: String,
    /// The page's summary for search engines and link previews
    /// (`<meta name="description">`); empty for none.
    pub description: String,
    /// Back to the site root: `""` or `"../../"`.
    pub root: &'a str,
    pub canonical: Option<String>,
    pub body_class: &'a str,
    /// The id of the page's `<main>` (the skip link's target).
    pub main_id: &'a str,
    pub mermaid: bool,
    /// Show the catalog.json / catalog.csv links.
    pub downloads: bool,
}

impl Shell {
    /// The default templates, with the theme's own (`(name, path, text)`)
    /// in their place. A template that does not compile, or fails on a
    /// sample page, is a usage error naming the file and line.
    pub fn new(theme: &Theme) -> Result<Shell, String> {
        let mut shell = Shell {
            custom_css: theme.custom_css,
            logo: theme.logo.clone(),
            ..Shell::default()
        };
        let overrides = &theme.templates;
        if overrides.is_empty() {
            return Ok(shell);
        }
        for (name, path, text) in overrides {
            shell
                .env
                .add_template_owned(name.clone(), text.clone())
                .map_err(|e| template_error(path, &e))?;
        }
        shell.origin = overrides
            .iter()
            .map(|(_, path, _)| path.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let probe = PageView {
            title: "Probe".into(),
            description: String::new(),
            root: "",
            canonical: None,
            body_class: "",
            main_id: "main",
            mermaid: false,
            downloads: true,
        };
        let path_of = |name: &str| {
            overrides
                .iter()
                .find(|(n, _, _)| n == name)
                .map_or("the default theme", |(_, path, _)| path.as_str())
                .to_string()
        };
        let portal = Portal::default();
        shell
            .try_render(
                &portal,
                &probe,
                Value::from_safe_string("<main id=\"main\"></main>".into()),
            )
            .map_err(|e| template_error(&path_of("base.html"), &e))?;
        let mut samples = vec![
            ("entity.html", vec![("entity", sample_entity())]),
            ("docs.html", vec![("docs", sample_docs())]),
        ];
        for (name, data_name, parts) in PART_TEMPLATES {
            let parts: Vec<(&str, String)> = parts.iter().map(|p| (*p, String::new())).collect();
            samples.push((
                name,
                vec![
                    ("parts", parts_value(&parts)),
                    (data_name, sample_data(data_name)),
                ],
            ));
        }
        for (name, vars) in samples {
            shell
                .try_inside(name, &probe, &vars)
                .map_err(|e| template_error(&path_of(name), &e))?;
        }
        Ok(shell)
    }

    /// A page made of parts (`list.html`, `org.html`, `problems.html`):
    /// `parts` as HTML, `data` as `(its name, its value)`.
    pub fn parts(
        &self,
        name: &str,
        page: &PageView<'_>,
        parts: &[(&str, String)],
        (data_name, data): (&str, Value),
    ) -> String {
        self.inside(
            name,
            page,
            &[("parts", parts_value(parts)), (data_name, data)],
        )
        .unwrap_or_else(|| parts.iter().map(|(_, html)| html.as_str()).collect())
    }

    /// An entity page's inside, from `entity.html` (`entity`: its view).
    pub fn entity(&self, page: &PageView<'_>, entity: Value) -> String {
        self.inside("entity.html", page, &[("entity", entity)])
            .unwrap_or_default()
    }

    /// A docs page's inside, from `docs.html` (`docs`: its view).
    pub fn docs(&self, page: &PageView<'_>, docs: Value) -> String {
        self.inside("docs.html", page, &[("docs", docs)])
            .unwrap_or_default()
    }

    /// A page's inside from template `name`. A theme template that fails on
    /// a real page (it passed the sample one) falls back to the default.
    fn inside(&self, name: &str, page: &PageView<'_>, vars: &[(&str, Value)]) -> Option<String> {
        match self.try_inside(name, page, vars) {
            Ok(html) => Some(html),
            Err(e) => {
                eprintln!(
                    "warning: {} failed on a page ({e}); the default {name} was used",
                    self.origin
                );
                Shell::default().try_inside(name, page, vars).ok()
            }
        }
    }

    /// Template `name` rendered with `page` and `vars`.
    fn try_inside(
        &self,
        name: &str,
        page: &PageView<'_>,
        vars: &[(&str, Value)],
    ) -> Result<String, minijinja::Error> {
        let mut ctx: std::collections::BTreeMap<&str, Value> = std::collections::BTreeMap::new();
        ctx.insert("page", Value::from(Serde(page)));
        for (var, value) in vars {
            ctx.insert(var, value.clone());
        }
        self.env.get_template(name)?.render(Value::from(ctx))
    }

    fn try_render(
        &self,
        portal: &Portal,
        page: &PageView<'_>,
        content: Value,
    ) -> Result<String, minijinja::Error> {
        let site = SiteView {
            title: &portal.title,
            search: portal.search,
            custom_css: self.custom_css,
            logo: self.logo.as_deref(),
        };
        let mut html = self.env.get_template("base.html")?.render(context! {
            site => Value::from(Serde(&site)),
            page => Value::from(Serde(page)),
            content => content,
        })?;
        html.push('\n');
        Ok(html)
    }

    /// The page: `content` inside the shell. A theme template that fails on
    /// a real page (it passed the sample one) falls back to the default.
    pub fn render(&self, portal: &Portal, page: &PageView<'_>, content: String) -> String {
        // Moved in, not copied: pages are big and there are thousands.
        let content = Value::from_safe_string(content);
        match self.try_render(portal, page, content.clone()) {
            Ok(html) => html,
            Err(e) => {
                eprintln!(
                    "warning: {} failed on a page ({e}); the default shell was used",
                    self.origin
                );
                Shell::default()
                    .try_render(portal, page, content.clone())
                    .unwrap_or_else(|_| content.to_string())
            }
        }
    }
}

/// An entity view with every field, for the sample render of a theme's
/// `entity.html`.
fn sample_entity() -> Value {
    context! {
        kind => "Component",
        kind_dir => "kinds/component/",
        title => "Sample",
        name => "sample",
        namespace => "default",
        ref => "component:default/sample",
        description => Value::from(()),
        metadata => context! { name => "sample", description => "A sample.", tags => vec!["x"] },
        spec => context! { type => "service", lifecycle => "production", owner => "team", system => "sys" },
        icon => "", facts => "",
        about => Vec::<Value>::new(),
        sections => context! { graph => "", kind => "", relations => "", problems => "", tools => "", scorecards => "" },
        json => "{}",
    }
}

/// A list made only if a template reads it: the default templates print
/// pre-drawn HTML, and building thousands of small maps per page for a
/// loop nobody runs was a tenth of a docs build.
pub struct LazyList {
    items: std::sync::OnceLock<Vec<Value>>,
    make: Box<dyn Fn() -> Vec<Value> + Send + Sync>,
}

impl LazyList {
    pub fn value(make: impl Fn() -> Vec<Value> + Send + Sync + 'static) -> Value {
        Value::from_object(LazyList {
            items: std::sync::OnceLock::new(),
            make: Box::new(make),
        })
    }

    fn items(&self) -> &Vec<Value> {
        self.items.get_or_init(|| (self.make)())
    }
}

impl std::fmt::Debug for LazyList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.items()).finish()
    }
}

impl minijinja::value::Object for LazyList {
    fn repr(self: &std::sync::Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        self.items().get(key.as_usize()?).cloned()
    }

    fn enumerate(self: &std::sync::Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Values(self.items().clone())
    }
}

/// A page's parts as a map of safe HTML, for the part templates.
fn parts_value(parts: &[(&str, String)]) -> Value {
    let map: std::collections::BTreeMap<&str, Value> = parts
        .iter()
        .map(|(name, html)| (*name, Value::from_safe_string(html.clone())))
        .collect();
    Value::from(map)
}

/// A docs view with every field, for the sample render of `docs.html`.
fn sample_docs() -> Value {
    let link = context! {
        title => "Page", href => "page/index.html", depth => 0, current => true,
        section => false, external => false, html => "",
    };
    context! {
        site_name => "Site", entity_href => "x", page_title => "Page",
        breadcrumbs => vec!["Site", "Page"], content => "<p>x</p>",
        nav => vec![link], toc => vec![context! { level => 2, id => "a", text => "A" }],
        nav_html => "", toc_html => "",
        updated => context! { date => "2026-01-01", author => "A" }, uncommitted => false,
        edit => "", previous => context! { title => "P", href => "p" },
        next => context! { title => "N", href => "n" },
    }
}

/// Sample data for a part-template's sample render.
fn sample_data(name: &str) -> Value {
    match name {
        "list" => context! { title => "Catalog", kind => Value::from(()), count => 1 },
        "org" => context! { groups => 1, people => 1 },
        _ => context! { errors => 1, warnings => 1 },
    }
}

fn template_error(path: &str, e: &minijinja::Error) -> String {
    let line = e.line().map(|l| format!(":{l}")).unwrap_or_default();
    format!("theme template {path}{line}: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(root: &str) -> PageView<'_> {
        PageView {
            title: "A <b> · Portal".into(),
            description: String::new(),
            root,
            canonical: Some("https://x.example/a/".into()),
            body_class: "docs",
            main_id: "content",
            mermaid: true,
            downloads: false,
        }
    }

    #[test]
    fn the_default_shell_escapes_titles_and_keeps_content_as_is() {
        let portal = Portal {
            title: "Acme & Co".into(),
            search: true,
            ..Portal::default()
        };
        let html = Shell::default().render(
            &portal,
            &page("../"),
            "<main id=\"content\">x</main>".into(),
        );
        assert!(html.contains("<title>A &lt;b&gt; · Portal</title>"));
        assert!(html.contains(">Acme &amp; Co</a>"));
        assert!(html.contains("<link rel=\"canonical\" href=\"https://x.example/a/\">"));
        assert!(html.contains("<script src=\"../assets/mermaid.min.js\" async></script>"));
        assert!(html.contains("<script src=\"../assets/search.js\" defer></script>"));
        assert!(html.contains("<body class=\"docs\">"));
        assert!(html.contains("<a class=\"skip\" href=\"#content\">"));
        assert!(html.contains("<main id=\"content\">x</main>"));
        assert!(!html.contains("catalog.csv"));
    }

    #[test]
    fn a_theme_template_with_a_mistake_is_reported_with_its_line() {
        let bad = "<html>\n{% if page.title %}\n<p>never closed</p>\n";
        let over = |name: &str, path: &str, text: &str| Theme {
            templates: vec![(name.to_string(), path.to_string(), text.to_string())],
            ..Theme::default()
        };
        let err = Shell::new(&over("base.html", "theme/templates/base.html", bad)).unwrap_err();
        assert!(
            err.starts_with("theme template theme/templates/base.html:"),
            "{err}"
        );
        let unknown_filter = "{{ page.title | shout }}";
        let err = Shell::new(&over("base.html", "t/base.html", unknown_filter)).unwrap_err();
        assert!(err.contains("shout"), "{err}");
        let good = "<title>{{ page.title }}</title>{{ content }}";
        let shell = Shell::new(&over("base.html", "t/base.html", good)).unwrap();
        let html = shell.render(&Portal::default(), &page(""), "<main>ok</main>".into());
        assert_eq!(html, "<title>A &lt;b&gt; · Portal</title><main>ok</main>\n");
    }
}
