//! Icons as inline SVG: drawn in the page's own colour (`currentColor`),
//! nothing loaded from anywhere, no icon font. Each is a 24 × 24 stroke
//! drawing made for Portico; `aria-hidden`, since a label always sits
//! beside it.

/// The path data of each icon, by name.
const PATHS: &[(&str, &str)] = &[
    // Kinds.
    (
        "component",
        "M4 7l8-4 8 4v10l-8 4-8-4zM4 7l8 4 8-4M12 11v10",
    ),
    ("api", "M8 6l-5 6 5 6M16 6l5 6-5 6M14 4l-4 16"),
    (
        "system",
        "M3 3h7v7H3zM14 3h7v7h-7zM3 14h7v7H3zM14 14h7v7h-7z",
    ),
    (
        "domain",
        "M12 3a9 9 0 1 0 0 18 9 9 0 1 0 0-18M3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18",
    ),
    (
        "resource",
        "M4 6c0-2 16-2 16 0v12c0 2-16 2-16 0zM4 6c0 2 16 2 16 0M4 12c0 2 16 2 16 0",
    ),
    (
        "group",
        "M9 11a3 3 0 1 0 0-6 3 3 0 1 0 0 6M3 20c0-4 3-6 6-6s6 2 6 6M16 5a3 3 0 0 1 0 6M18 14c2 1 3 3 3 6",
    ),
    (
        "user",
        "M12 12a4 4 0 1 0 0-8 4 4 0 1 0 0 8M4 21c0-5 4-7 8-7s8 2 8 7",
    ),
    ("template", "M5 3h10l4 4v14H5zM15 3v4h4M9 12h6M9 16h6"),
    (
        "location",
        "M12 21s-7-6-7-11a7 7 0 0 1 14 0c0 5-7 11-7 11zM12 12a2 2 0 1 0 0-4 2 2 0 1 0 0 4",
    ),
    // Links and tools.
    (
        "link",
        "M10 14a5 5 0 0 0 7 0l3-3a5 5 0 0 0-7-7l-1 1M14 10a5 5 0 0 0-7 0l-3 3a5 5 0 0 0 7 7l1-1",
    ),
    (
        "dashboard",
        "M3 3h8v10H3zM13 3h8v6h-8zM13 11h8v10h-8zM3 15h8v6H3z",
    ),
    (
        "docs",
        "M4 4h6a2 2 0 0 1 2 2v14a2 2 0 0 0-2-2H4zM20 4h-6a2 2 0 0 0-2 2v14a2 2 0 0 1 2-2h6z",
    ),
    ("chat", "M4 4h16v12H9l-5 4z"),
    ("email", "M3 5h18v14H3zM3 5l9 7 9-7"),
    (
        "help",
        "M12 21a9 9 0 1 0 0-18 9 9 0 1 0 0 18M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.7M12 17v.5",
    ),
    ("warning", "M12 3l10 18H2zM12 10v5M12 18v.5"),
    ("code", "M8 6l-6 6 6 6M16 6l6 6-6 6"),
    ("alert", "M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 21h4"),
    ("chart", "M3 3v18h18M7 15l4-4 3 3 6-6"),
    (
        "cloud",
        "M7 18a5 5 0 0 1 0-10 6 6 0 0 1 11 2 4 4 0 0 1 0 8z",
    ),
    ("build", "M14 6l4-3 3 3-3 4zM15 9L5 19l-2-2L13 7"),
    (
        "quality",
        "M12 3l8 3v6c0 5-4 8-8 9-4-1-8-4-8-9V6zM8 12l3 3 5-6",
    ),
    ("edit", "M4 20h4L20 8l-4-4L4 16zM14 6l4 4"),
    (
        "git",
        "M6 3v12M6 15a3 3 0 1 0 0 6 3 3 0 1 0 0-6M18 9a3 3 0 1 0 0-6 3 3 0 1 0 0 6M18 9c0 6-12 3-12 6",
    ),
];

/// `metadata.links[].icon` names Backstage apps know, mapped onto ours
/// (an unknown name gets the plain link icon).
const ALIASES: &[(&str, &str)] = &[
    ("github", "git"),
    ("gitlab", "git"),
    ("techdocs", "docs"),
    ("catalog", "dashboard"),
    ("kind:api", "api"),
    ("kind:component", "component"),
    ("kind:domain", "domain"),
    ("kind:group", "group"),
    ("kind:location", "location"),
    ("kind:system", "system"),
    ("kind:user", "user"),
    ("kind:resource", "resource"),
    ("kind:template", "template"),
    ("scaffolder", "template"),
    ("web", "link"),
    ("url", "link"),
    ("grafana", "chart"),
    ("monitoring", "chart"),
    ("slack", "chat"),
    ("mail", "email"),
];

/// The icon `name` (a kind, a link icon name, a tool), or the link icon.
pub fn svg(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map_or(lower.as_str(), |(_, to)| to);
    let path = PATHS
        .iter()
        .find(|(n, _)| *n == name)
        .or_else(|| PATHS.iter().find(|(n, _)| *n == "link"))
        .map_or("", |(_, d)| d);
    format!(
        "<svg class=\"icon\" viewBox=\"0 0 24 24\" width=\"20\" height=\"20\" aria-hidden=\"true\" \
         fill=\"none\" stroke=\"currentColor\" stroke-width=\"1.8\" stroke-linecap=\"round\" \
         stroke-linejoin=\"round\"><path d=\"{path}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_backstage_icon_names_have_icons_and_unknown_names_the_link() {
        let link = svg("link");
        assert_ne!(svg("Component"), link);
        assert_ne!(svg("kind:group"), link);
        assert_eq!(svg("github"), svg("git"));
        assert_eq!(svg("<script>alert(1)</script>"), link);
        assert!(!svg("\"onload=alert(1)").contains("onload"));
    }
}
