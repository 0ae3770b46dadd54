//! The page shell: every page's `<head>`, header and site navigation, from
//! the template `base.html` (the default theme's, or a theme's own). The
//! template receives view types made for it, never the catalog itself; the
//! page's own HTML comes in as `content`, already escaped where it must be.

use crate::pipeline::Portal;
use minijinja::value::Serde;
use minijinja::{Environment, Value, context};
use serde::Serialize;

const DEFAULT_BASE: &str = include_str!("../../themes/default/templates/base.html");

/// The compiled shell template.
#[derive(Debug)]
pub struct Shell {
    env: Environment<'static>,
    /// Where the template came from, for messages.
    origin: String,
}

/// An environment escaping like the rest of Portico's HTML: `& < > " '`
/// only (minijinja's own escaper also writes `/` as `&#x2f;`, which is
/// valid but turns every URL into noise).
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    // A misspelt variable (`page.titel`) is an error, found by the sample
    // render when the theme is loaded, not an empty string on every page.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
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
        // The default template is ours and tested; should it ever fail to
        // compile, pages render with no shell rather than not at all.
        let _ = env.add_template("base.html", DEFAULT_BASE);
        Shell {
            env,
            origin: "the default theme's base.html".into(),
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
    /// The theme's `base.html` (`source`, read from `path`) or the default.
    /// A template that does not compile, or fails on a sample page, is a
    /// usage error naming the file and line.
    pub fn new(source: Option<(&str, String)>) -> Result<Shell, String> {
        let Some((path, source)) = source else {
            return Ok(Shell::default());
        };
        let mut env = environment();
        env.add_template_owned("base.html", source)
            .map_err(|e| template_error(path, &e))?;
        let shell = Shell {
            env,
            origin: path.to_string(),
        };
        let probe = PageView {
            title: "Probe".into(),
            root: "",
            canonical: None,
            body_class: "",
            main_id: "main",
            mermaid: false,
            downloads: true,
        };
        shell
            .try_render(&Portal::default(), &probe, "<main id=\"main\"></main>")
            .map_err(|e| template_error(path, &e))?;
        Ok(shell)
    }

    fn try_render(
        &self,
        portal: &Portal,
        page: &PageView<'_>,
        content: &str,
    ) -> Result<String, minijinja::Error> {
        let site = SiteView {
            title: &portal.title,
            search: portal.search,
            custom_css: portal.theme.custom_css,
            logo: portal.theme.logo.as_deref(),
        };
        let mut html = self.env.get_template("base.html")?.render(context! {
            site => Value::from(Serde(&site)),
            page => Value::from(Serde(page)),
            content => Value::from_safe_string(content.to_string()),
        })?;
        html.push('\n');
        Ok(html)
    }

    /// The page: `content` inside the shell. A theme template that fails on
    /// a real page (it passed the sample one) falls back to the default.
    pub fn render(&self, portal: &Portal, page: &PageView<'_>, content: &str) -> String {
        match self.try_render(portal, page, content) {
            Ok(html) => html,
            Err(e) => {
                eprintln!(
                    "warning: {} failed on a page ({e}); the default shell was used",
                    self.origin
                );
                Shell::default()
                    .try_render(portal, page, content)
                    .unwrap_or_else(|_| content.to_string())
            }
        }
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
        let html = Shell::default().render(&portal, &page("../"), "<main id=\"content\">x</main>");
        assert!(html.contains("<title>A &lt;b&gt; · Portal</title>"));
        assert!(html.contains(">Acme &amp; Co</a>"));
        assert!(html.contains("<link rel=\"canonical\" href=\"https://x.example/a/\">"));
        assert!(html.contains("<script src=\"../assets/mermaid.min.js\" defer></script>"));
        assert!(html.contains("<script src=\"../assets/search.js\" defer></script>"));
        assert!(html.contains("<body class=\"docs\">"));
        assert!(html.contains("<a class=\"skip\" href=\"#content\">"));
        assert!(html.contains("<main id=\"content\">x</main>"));
        assert!(!html.contains("catalog.csv"));
    }

    #[test]
    fn a_theme_template_with_a_mistake_is_reported_with_its_line() {
        let bad = "<html>\n{% if page.title %}\n<p>never closed</p>\n";
        let err = Shell::new(Some(("theme/templates/base.html", bad.into()))).unwrap_err();
        assert!(
            err.starts_with("theme template theme/templates/base.html:"),
            "{err}"
        );
        let unknown_filter = "{{ page.title | shout }}";
        let err = Shell::new(Some(("t/base.html", unknown_filter.into()))).unwrap_err();
        assert!(err.contains("shout"), "{err}");
        let good = "<title>{{ page.title }}</title>{{ content }}";
        let shell = Shell::new(Some(("t/base.html", good.into()))).unwrap();
        let html = shell.render(&Portal::default(), &page(""), "<main>ok</main>");
        assert_eq!(html, "<title>A &lt;b&gt; · Portal</title><main>ok</main>\n");
    }
}
