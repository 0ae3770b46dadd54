//! People and teams as Backstage's group and user pages show them: the
//! profile (`spec.profile.displayName`, `email`, `picture`, with an avatar
//! of initials drawn when there is no picture), and tables of members and
//! groups with what matters for them (email, groups, member counts) rather
//! than the columns of a component.

use crate::address::entity_dir;
use crate::catalog::Entity;
use crate::html::{UrlUse, allowed_url, escape, url_scheme};
use crate::portal::Portal;
use std::fmt::Write as _;

/// `spec.profile.<field>` when it is a non-empty string.
fn profile<'a>(entity: &'a Entity, field: &str) -> Option<&'a str> {
    entity.spec()["profile"][field]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The profile's email as a `mailto:` link.
pub fn email_link(entity: &Entity) -> Option<String> {
    let email = profile(entity, "email")?;
    // An address, not a URL: no scheme of its own, no `?`/`#` to add headers.
    let plain = !email.contains(['?', '#', '/', '\\', ' ']) && url_scheme(email).is_none();
    Some(if plain {
        format!("<a href=\"mailto:{0}\">{0}</a>", escape(email))
    } else {
        escape(email)
    })
}

/// The picture (an `http(s)` or `data:image/` URL) or an avatar of the
/// name's initials, `size` CSS pixels square.
pub fn avatar(entity: &Entity, size: u32) -> String {
    let picture = profile(entity, "picture").filter(|p| {
        allowed_url(p, UrlUse::Image)
            && url_scheme(p).is_some_and(|s| matches!(s.as_str(), "http" | "https" | "data"))
    });
    if let Some(url) = picture {
        return format!(
            "<img class=\"avatar\" src=\"{}\" alt=\"\" width=\"{size}\" height=\"{size}\" \
             loading=\"lazy\" referrerpolicy=\"no-referrer\">",
            escape(url.trim())
        );
    }
    let name = entity.display_name();
    // One hue per name, so the same person is the same colour everywhere.
    let hue = name
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)))
        % 360;
    format!(
        "<svg class=\"avatar\" viewBox=\"0 0 40 40\" width=\"{size}\" height=\"{size}\" aria-hidden=\"true\">\
         <circle cx=\"20\" cy=\"20\" r=\"20\" fill=\"hsl({hue} 45% 42%)\"/>\
         <text x=\"20\" y=\"25.5\" text-anchor=\"middle\" fill=\"#fff\" font-size=\"15\" font-weight=\"600\">{}</text></svg>",
        escape(&initials(name))
    )
}

/// Up to two initials: of the first and last word (`Li Wei` → `LW`,
/// `shipping-team` → `ST`).
pub fn initials(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let first = |w: &&str| w.chars().next().into_iter().flat_map(char::to_uppercase);
    match words.as_slice() {
        [] => "?".into(),
        [one] => first(one).collect(),
        [a, .., b] => first(a).chain(first(b)).collect(),
    }
}

fn name_cell(e: &Entity, root: &str) -> String {
    format!(
        "<td class=\"person\"><a href=\"{root}{}index.html\">{}<span>{}</span></a></td>",
        escape(&entity_dir(&e.entity_ref)),
        avatar(e, 24),
        escape(e.display_name())
    )
}

/// Users: name, email and the groups they belong to.
pub fn members_table(
    html: &mut String,
    title: &str,
    users: &[&Entity],
    groups_of: impl Fn(&Entity) -> Vec<String>,
    root: &str,
) {
    section_start(html, title, users.len(), &["Name", "Email", "Groups"]);
    for u in users {
        let _ = write!(
            html,
            "<tr>{}<td>{}</td><td>{}</td></tr>",
            name_cell(u, root),
            email_link(u).unwrap_or_default(),
            groups_of(u).join(", ")
        );
    }
    html.push_str("</tbody></table></section>\n");
}

/// How many members of `group` are in the catalog (as its page lists them).
pub fn member_count(portal: &Portal, group: &Entity) -> usize {
    group
        .relations
        .iter()
        .filter(|r| r.kind == "hasMember" && portal.catalog.get(&r.target).is_some())
        .count()
}

/// Groups: name, type (team, department, …), members, email.
pub fn groups_table(
    html: &mut String,
    portal: &Portal,
    title: &str,
    groups: &[&Entity],
    root: &str,
) {
    section_start(
        html,
        title,
        groups.len(),
        &["Name", "Type", "Members", "Email"],
    );
    for g in groups {
        let members = member_count(portal, g);
        let _ = write!(
            html,
            "<tr>{}<td>{}</td><td>{members}</td><td>{}</td></tr>",
            name_cell(g, root),
            escape(g.spec_str("type").unwrap_or("")),
            email_link(g).unwrap_or_default()
        );
    }
    html.push_str("</tbody></table></section>\n");
}

fn section_start(html: &mut String, title: &str, count: usize, columns: &[&str]) {
    let id = title.to_lowercase().replace(' ', "-");
    let _ = write!(
        html,
        "<section aria-labelledby=\"{id}\"><h2 id=\"{id}\">{} <span class=\"count\">{count}</span></h2>\
         <table class=\"people\"><thead><tr>",
        escape(title)
    );
    for c in columns {
        let _ = write!(html, "<th scope=\"col\">{c}</th>");
    }
    html.push_str("</tr></thead><tbody>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_come_from_the_first_and_last_words() {
        assert_eq!(initials("Li Wei"), "LW");
        assert_eq!(initials("shipping-team"), "ST");
        assert_eq!(initials("Ana María de la Cruz"), "AC");
        assert_eq!(initials("élodie"), "É");
        assert_eq!(initials("<>"), "?");
    }
}
