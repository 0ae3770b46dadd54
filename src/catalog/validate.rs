//! Backstage's validation rules for one entity document.
//!
//! Mirrors the catalog's default policies: `NoForeignRootFieldsEntityPolicy`,
//! `FieldFormatEntityPolicy` (the Kubernetes-style name, namespace, label,
//! annotation and tag formats) and the per-kind schemas in [`super::kinds`].
//! The spec is checked against the shape a default Backstage reads for the
//! kind and apiVersion ([`kinds::builtin_shape`]); any other kind or version
//! is an error with the orchestrator's "No processor recognized" message.
//! Problems become diagnostics at the offending field's line. An entity that
//! cannot be identified (bad kind, name or namespace) is left out; any other
//! error is reported and the entity kept (marked invalid by the caller, since
//! Backstage would reject it), so the portal can show it.

use super::kinds::{self, FieldType};
use crate::diagnostics::{Diagnostic, SourceFile};
use crate::html::{UrlUse, allowed_url};
use crate::yaml::{Node, Value};

/// What identifies a valid entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// Backstage's `NoForeignRootFieldsEntityPolicy`: `relations` and
/// `status` are what the catalog adds, never what a file may say.
const ROOT_FIELDS: &[&str] = &["apiVersion", "kind", "metadata", "spec"];

/// Checks a document; returns its identity when it has a usable one.
pub fn validate(doc: &Node, file: &SourceFile<'_>, out: &mut Vec<Diagnostic>) -> Option<Identity> {
    let at = |node: &Node| (node.pos.line, node.pos.column);
    let mut report =
        |d: Diagnostic, (line, col): (usize, usize)| out.push(d.in_file(file, line, col));

    let Some(entries) = doc.as_map() else {
        report(
            Diagnostic::error(
                "not-an-object",
                format!(
                    "a catalog document must be a mapping, found {}",
                    doc.type_name()
                ),
            )
            .with_hint("each YAML document needs apiVersion, kind, metadata and spec keys"),
            at(doc),
        );
        return None;
    };
    if doc.get("apiVersion").is_none() && doc.get("kind").is_none() {
        report(
            Diagnostic::error("not-an-entity", "this document is not a catalog entity: it has no `apiVersion` and no `kind`")
                .with_hint("if the file is not a catalog file, leave it out of the catalog paths or Location targets"),
            at(doc),
        );
        return None;
    }
    for (key, _) in entries {
        if !ROOT_FIELDS.contains(&key.name.as_str()) {
            report(
                Diagnostic::error("unknown-root-field", format!("unknown top-level field `{}`", key.name))
                    .with_hint("an entity may only have apiVersion, kind, metadata and spec (is it indented wrongly?)"),
                (key.pos.line, key.pos.column),
            );
        }
    }

    let api_version = required_string(doc, "apiVersion", "", &mut report);
    let kind = required_string(doc, "kind", "", &mut report);
    let metadata = match doc.get("metadata") {
        Some(m) if m.as_map().is_some() => Some(m),
        Some(m) => {
            report(
                Diagnostic::error(
                    "invalid-field-type",
                    format!("`metadata` must be a mapping, found {}", m.type_name()),
                ),
                at(m),
            );
            None
        }
        None => {
            report(
                Diagnostic::error("missing-field", "`metadata` is required")
                    .with_hint("add `metadata:` with at least `name:`"),
                at(doc),
            );
            None
        }
    };

    let mut identified = true;
    if let (Some(v), Some(node)) = (&api_version, doc.get("apiVersion"))
        && !is_valid_api_version(v)
    {
        identified = false;
        report(
            Diagnostic::error("invalid-api-version", format!("`apiVersion` \"{v}\" is not valid"))
                .with_hint("expected an optional DNS-subdomain prefix and a version, e.g. backstage.io/v1alpha1"),
            at(node),
        );
    }
    if let (Some(k), Some(node)) = (&kind, doc.get("kind"))
        && !is_valid_kind(k)
    {
        identified = false;
        report(
            Diagnostic::error("invalid-kind", format!("`kind` \"{k}\" is not valid"))
                .with_hint("a kind is a letter followed by letters and digits, e.g. Component"),
            at(node),
        );
    }
    let (name, namespace) = match metadata {
        Some(meta) => check_metadata(meta, &mut report),
        None => (None, None),
    };
    let (Some(api_version), Some(kind), Some(name), Some(namespace)) =
        (api_version, kind, name, namespace)
    else {
        return None;
    };
    if !identified {
        return None;
    }
    let entity_ref = super::entity_ref::EntityRef::new(&kind, &namespace, &name).to_string();
    check_spec(doc, &kind, &api_version, &entity_ref, &mut report);
    Some(Identity {
        api_version,
        kind,
        namespace,
        name,
    })
}

/// Why Backstage's processing of the Location that reads this document
/// fails because of it, if it does: the document as read (before
/// placeholders) is not a mapping, fails the entity envelope schema
/// (`apiVersion`, `kind` and `metadata.name` non-empty strings,
/// `metadata.namespace` one when given) or has annotations that are not a
/// mapping (`ProcessorOutputCollector`, where any non-empty value that is
/// not an object fails). A `null` document is no entity and no problem.
pub fn envelope_problem(doc: &Node) -> Option<&'static str> {
    let text = |node: Option<&Node>| node.and_then(Node::as_str).is_some_and(|s| !s.is_empty());
    if matches!(doc.value, Value::Null) {
        return None;
    }
    if doc.as_map().is_none() {
        return Some("a document that is not a mapping");
    }
    if !text(doc.get("apiVersion")) || !text(doc.get("kind")) {
        return Some("a document without a string `apiVersion` and `kind`");
    }
    let Some(meta) = doc.get("metadata").filter(|m| m.as_map().is_some()) else {
        return Some("a document whose `metadata` is not a mapping");
    };
    if !text(meta.get("name")) || meta.get("namespace").is_some_and(|n| !text(Some(n))) {
        return Some("a document without a string `metadata.name`");
    }
    let annotations_ok = meta
        .get("annotations")
        .is_none_or(|a| a.as_map().is_some() || is_falsy(a));
    (!annotations_ok).then_some("a document whose `metadata.annotations` is not a mapping")
}

/// A value JavaScript reads as false (`null`, `false`, `0`, `""`): where
/// Backstage writes `value || {}`, as for `metadata.annotations` (left
/// empty, it is none).
fn is_falsy(node: &Node) -> bool {
    match &node.value {
        Value::Null | Value::Bool(false) | Value::Int(0) => true,
        Value::Float(f) => *f == 0.0 || f.is_nan(),
        Value::String(s) => s.is_empty(),
        _ => false,
    }
}

fn required_string(
    parent: &Node,
    field: &str,
    prefix: &str,
    report: &mut impl FnMut(Diagnostic, (usize, usize)),
) -> Option<String> {
    match parent.get(field) {
        Some(node) => match node.as_str() {
            Some(s) if !s.is_empty() => Some(s.to_string()),
            _ => {
                report(
                    Diagnostic::error(
                        "invalid-field-type",
                        format!(
                            "`{prefix}{field}` must be a non-empty string, found {}",
                            describe(node)
                        ),
                    ),
                    (node.pos.line, node.pos.column),
                );
                None
            }
        },
        None => {
            report(
                Diagnostic::error("missing-field", format!("`{prefix}{field}` is required")),
                (parent.pos.line, parent.pos.column),
            );
            None
        }
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::String(s) if s.is_empty() => "an empty string".into(),
        _ => node.type_name().into(),
    }
}

/// Returns (name, namespace) when both are valid.
fn check_metadata(
    meta: &Node,
    report: &mut impl FnMut(Diagnostic, (usize, usize)),
) -> (Option<String>, Option<String>) {
    let at = |node: &Node| (node.pos.line, node.pos.column);
    let mut name = required_string(meta, "name", "metadata.", report);
    if let (Some(n), Some(node)) = (&name, meta.get("name"))
        && !is_valid_object_name(n)
    {
        report(
            Diagnostic::error("invalid-name", format!("`metadata.name` \"{n}\" is not valid"))
                .with_hint("expected sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total"),
            at(node),
        );
        name = None;
    }
    let namespace = match meta.get("namespace") {
        None => Some("default".to_string()),
        Some(node) => match node.as_str() {
            Some(ns) if is_valid_dns_label(ns) => Some(ns.to_string()),
            _ => {
                report(
                    Diagnostic::error("invalid-namespace", format!("`metadata.namespace` {} is not valid", show(node)))
                        .with_hint("expected lower-case letters and digits separated by '-', at most 63 characters"),
                    at(node),
                );
                None
            }
        },
    };
    // EntityMeta's schema: these are non-empty strings (a description
    // may be empty).
    for field in ["title", "uid", "etag"] {
        if let Some(node) = meta.get(field)
            && node.as_str() == Some("")
        {
            report(
                Diagnostic::error(
                    "invalid-field-type",
                    format!("`metadata.{field}` must not be empty"),
                )
                .with_hint("give it a value, or leave the key out"),
                at(node),
            );
        }
    }
    for field in ["title", "description", "uid", "etag"] {
        if let Some(node) = meta.get(field)
            && node.as_str().is_none()
            && !is_placeholder(node)
        {
            report(
                Diagnostic::error(
                    "invalid-field-type",
                    format!(
                        "`metadata.{field}` must be a string, found {}",
                        node.type_name()
                    ),
                ),
                at(node),
            );
        }
    }
    check_labels(meta, report);
    check_annotations(meta, report);
    check_tags(meta, report);
    check_links(meta, report);
    (name, namespace)
}

fn show(node: &Node) -> String {
    match node.as_str() {
        Some(s) => format!("\"{s}\""),
        None => format!("({})", node.type_name()),
    }
}

fn check_labels(meta: &Node, report: &mut impl FnMut(Diagnostic, (usize, usize))) {
    let Some(labels) = meta.get("labels") else {
        return;
    };
    let Some(entries) = labels.as_map() else {
        report(
            Diagnostic::error(
                "invalid-field-type",
                format!(
                    "`metadata.labels` must be a mapping, found {}",
                    labels.type_name()
                ),
            ),
            (labels.pos.line, labels.pos.column),
        );
        return;
    };
    for (key, value) in entries {
        if !is_valid_prefixed_key(&key.name) {
            report(
                Diagnostic::error("invalid-label", format!("label key \"{}\" is not valid", key.name))
                    .with_hint("expected an optional DNS-subdomain prefix and '/', then [a-zA-Z0-9] separated by [-_.], at most 63 characters"),
                (key.pos.line, key.pos.column),
            );
        }
        match value.as_str() {
            Some(v) if v.is_empty() || is_valid_object_name(v) => {}
            _ => report(
                Diagnostic::error("invalid-label", format!("label value {} for \"{}\" is not valid", show(value), key.name))
                    .with_hint("label values are empty or [a-zA-Z0-9] separated by [-_.], at most 63 characters; quote numbers"),
                (value.pos.line, value.pos.column),
            ),
        }
    }
}

fn check_annotations(meta: &Node, report: &mut impl FnMut(Diagnostic, (usize, usize))) {
    let Some(annotations) = meta.get("annotations").filter(|a| !is_falsy(a)) else {
        return;
    };
    let Some(entries) = annotations.as_map() else {
        report(
            Diagnostic::error(
                "invalid-field-type",
                format!(
                    "`metadata.annotations` must be a mapping, found {}",
                    annotations.type_name()
                ),
            ),
            (annotations.pos.line, annotations.pos.column),
        );
        return;
    };
    for (key, value) in entries {
        if !is_valid_prefixed_key(&key.name) {
            report(
                Diagnostic::error("invalid-annotation", format!("annotation key \"{}\" is not valid", key.name))
                    .with_hint("expected an optional DNS-subdomain prefix and '/', then [a-zA-Z0-9] separated by [-_.], at most 63 characters"),
                (key.pos.line, key.pos.column),
            );
        }
        if value.as_str().is_none() && !is_placeholder(value) {
            report(
                Diagnostic::error(
                    "invalid-annotation",
                    format!(
                        "annotation \"{}\" must be a string, found {}",
                        key.name,
                        value.type_name()
                    ),
                )
                .with_hint("quote the value, e.g. \"true\" or \"1\""),
                (value.pos.line, value.pos.column),
            );
        }
    }
}

fn check_tags(meta: &Node, report: &mut impl FnMut(Diagnostic, (usize, usize))) {
    let Some(tags) = meta.get("tags") else { return };
    let Some(items) = tags.as_seq() else {
        report(
            Diagnostic::error(
                "invalid-field-type",
                format!("`metadata.tags` must be a list, found {}", tags.type_name()),
            ),
            (tags.pos.line, tags.pos.column),
        );
        return;
    };
    for tag in items {
        if !tag.as_str().is_some_and(is_valid_tag) {
            report(
                Diagnostic::error("invalid-tag", format!("tag {} is not valid", show(tag)))
                    .with_hint("tags are [a-z0-9:+#] separated by '-', at most 63 characters, e.g. \"pdf-reports\""),
                (tag.pos.line, tag.pos.column),
            );
        }
    }
}

fn check_links(meta: &Node, report: &mut impl FnMut(Diagnostic, (usize, usize))) {
    let Some(links) = meta.get("links") else {
        return;
    };
    let Some(items) = links.as_seq() else {
        report(
            Diagnostic::error(
                "invalid-field-type",
                format!(
                    "`metadata.links` must be a list, found {}",
                    links.type_name()
                ),
            ),
            (links.pos.line, links.pos.column),
        );
        return;
    };
    for link in items {
        let at = (link.pos.line, link.pos.column);
        if link.as_map().is_none() {
            report(
                Diagnostic::error(
                    "invalid-link",
                    format!(
                        "each link must be a mapping with `url`, found {}",
                        link.type_name()
                    ),
                ),
                at,
            );
            continue;
        }
        match link.get("url") {
            None => report(
                Diagnostic::error("invalid-link", "a link needs a `url`"),
                at,
            ),
            Some(url) => {
                if let Some(u) = url
                    .as_str()
                    .filter(|u| is_valid_url(u) && !allowed_url(u, UrlUse::Link))
                {
                    report(
                        Diagnostic::warning("unsafe-link", format!("link url \"{u}\" is not a web, mail or phone address; the portal will not link it"))
                            .with_hint("use an https:// (or http://, mailto:, tel:, ftp://) address"),
                        (url.pos.line, url.pos.column),
                    );
                }
                if !url.as_str().is_some_and(is_valid_url) {
                    report(
                        Diagnostic::error(
                            "invalid-link",
                            format!("link url {} is not an absolute URL", show(url)),
                        )
                        .with_hint("write the full URL, e.g. https://example.com/dashboard"),
                        (url.pos.line, url.pos.column),
                    );
                }
            }
        }
        for field in ["title", "icon", "type"] {
            if let Some(v) = link.get(field)
                && v.as_str().is_none_or(str::is_empty)
            {
                report(
                    Diagnostic::error(
                        "invalid-link",
                        format!(
                            "link `{field}` must be a non-empty string, found {}",
                            describe(v)
                        ),
                    ),
                    (v.pos.line, v.pos.column),
                );
            }
        }
    }
}

fn check_spec(
    doc: &Node,
    kind: &str,
    api_version: &str,
    entity_ref: &str,
    report: &mut impl FnMut(Diagnostic, (usize, usize)),
) {
    let spec = doc.get("spec");
    if let Some(spec) = spec
        && spec.as_map().is_none()
    {
        report(
            Diagnostic::error(
                "invalid-field-type",
                format!("`spec` must be a mapping, found {}", spec.type_name()),
            ),
            (spec.pos.line, spec.pos.column),
        );
        return;
    }
    let shape = match kinds::builtin_shape(kind, api_version) {
        Ok(shape) => shape,
        Err(why) => {
            let at_field = |field: &str| {
                doc.get(field).map_or((doc.pos.line, doc.pos.column), |n| {
                    (n.pos.line, n.pos.column)
                })
            };
            let (code, at, hint) = unrecognised(kind, api_version, why);
            let at = at_field(at);
            // The orchestrator's words (DefaultCatalogProcessingOrchestrator
            // `runValidateEntityKind`), so `check` says what Backstage will.
            report(
                Diagnostic::error(
                    code,
                    format!(
                        "Backstage rejects this entity: No processor recognized the entity {entity_ref} as valid, possibly caused by a foreign kind or apiVersion"
                    ),
                )
                .with_hint(hint),
                at,
            );
            return;
        }
    };
    let Some(spec) = spec else {
        if shape.spec_required {
            report(
                Diagnostic::error(
                    "missing-field",
                    format!("`spec` is required for {}", a_kind(kind)),
                ),
                (doc.pos.line, doc.pos.column),
            );
        }
        return;
    };
    let fields = shape
        .required
        .iter()
        .map(|f| (f, true))
        .chain(shape.optional.iter().map(|f| (f, false)));
    for ((field, ty), required) in fields {
        match spec.get(field) {
            None if required => {
                let key_pos = key_pos(doc, "spec").unwrap_or((spec.pos.line, spec.pos.column));
                report(
                    Diagnostic::error(
                        "missing-field",
                        format!("`spec.{field}` is required for {}", a_kind(kind)),
                    )
                    .with_hint(format!("add `{field}:` ({}) under spec", ty.describe())),
                    key_pos,
                );
            }
            None => {}
            Some(value) if !has_type(value, *ty) && !is_placeholder(value) => {
                // In a list, the first item that is not what it must be.
                let item = match ty {
                    FieldType::StringList | FieldType::ObjectList => {
                        value.as_seq().and_then(|items| {
                            let item_type = match ty {
                                FieldType::StringList => FieldType::String,
                                _ => FieldType::Object,
                            };
                            items
                                .iter()
                                .enumerate()
                                .find(|(_, i)| !has_type(i, item_type))
                        })
                    }
                    _ => None,
                };
                let (found, at) = match item {
                    Some((n, item)) => (format!(": item {} is {}", n + 1, describe(item)), item),
                    None => (format!(", found {}", describe(value)), value),
                };
                report(
                    Diagnostic::error(
                        "invalid-field-type",
                        format!("`spec.{field}` must be {}{found}", ty.describe()),
                    ),
                    (at.pos.line, at.pos.column),
                );
            }
            Some(_) => {}
        }
    }
    if matches!(kind, "User" | "Group")
        && let Some(profile) = spec.get("profile").filter(|p| p.as_map().is_some())
    {
        // The kinds' schemas: each of these, when given, a non-empty string.
        for field in ["displayName", "email", "picture"] {
            if let Some(value) = profile.get(field)
                && !has_type(value, FieldType::String)
                && !is_placeholder(value)
            {
                report(
                    Diagnostic::error(
                        "invalid-field-type",
                        format!(
                            "`spec.profile.{field}` must be a non-empty string, found {}",
                            describe(value)
                        ),
                    ),
                    (value.pos.line, value.pos.column),
                );
            }
        }
    }
}

/// The code, the field to point at and the hint for an entity no default
/// Backstage processor recognises.
fn unrecognised(
    kind: &str,
    api_version: &str,
    why: kinds::Unrecognised,
) -> (&'static str, &'static str, String) {
    use kinds::{Reader, Unrecognised};
    match why {
        Unrecognised::ApiVersion { accepted, known_to } => {
            let accepted = accepted.join(", ");
            let hint = match known_to {
                Some(Reader::Retired) => format!(
                    "the scaffolder reads only `{accepted}` Templates; migrate this one (https://backstage.io/docs/features/software-templates/migrating-from-v1beta2-to-v1beta3)"
                ),
                Some(Reader::Alpha) => format!(
                    "`{api_version}` {kind}s are read only by Backstage's alpha catalog model layers, which a default backend does not install; use {accepted}"
                ),
                _ => format!("use one of: {accepted}"),
            };
            ("unsupported-api-version", "apiVersion", hint)
        }
        Unrecognised::AlphaKind => (
            "unknown-kind",
            "kind",
            format!(
                "{kind} entities are read only by Backstage's alpha catalog model layers (`@backstage/catalog-model/alpha`), which a default backend does not install"
            ),
        ),
        Unrecognised::UnknownKind { similar: Some(s) } => (
            "unknown-kind",
            "kind",
            format!("kinds are case-sensitive: did you mean `{s}`?"),
        ),
        Unrecognised::UnknownKind { similar: None } => (
            "unknown-kind",
            "kind",
            "a Backstage with a processor for this kind reads it; a default one does not. Portico keeps the entity and shows it generically".into(),
        ),
    }
}

/// "a Component", "an API".
fn a_kind(kind: &str) -> String {
    let article = if kind.starts_with(['A', 'E', 'I', 'O', 'U']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// A `$text`/`$json`/`$yaml` mapping left in place because it could not be
/// resolved: that failure was reported already, so its type is not.
fn is_placeholder(node: &Node) -> bool {
    matches!(node.as_map(), Some([(key, _)]) if matches!(key.name.as_str(), "$text" | "$json" | "$yaml"))
}

fn key_pos(map: &Node, key: &str) -> Option<(usize, usize)> {
    map.as_map()?
        .iter()
        .find(|(k, _)| k.name == key)
        .map(|(k, _)| (k.pos.line, k.pos.column))
}

fn has_type(node: &Node, ty: FieldType) -> bool {
    let non_empty = |n: &Node| n.as_str().is_some_and(|s| !s.is_empty());
    match ty {
        FieldType::String => non_empty(node),
        FieldType::StringList => node
            .as_seq()
            .is_some_and(|items| items.iter().all(non_empty)),
        FieldType::Object => node.as_map().is_some(),
        FieldType::ObjectList => node
            .as_seq()
            .is_some_and(|items| items.iter().all(|i| i.as_map().is_some())),
        FieldType::ObjectOrObjectList => {
            has_type(node, FieldType::Object) || has_type(node, FieldType::ObjectList)
        }
        FieldType::Boolean => matches!(node.value, Value::Bool(_)),
    }
}

// Formats, from Backstage's KubernetesValidatorFunctions and CommonValidatorFunctions.

/// `^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`, at most 63 characters.
pub fn is_valid_object_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// `^[a-z0-9]+(-+[a-z0-9]+)*$`, at most 63 characters.
pub fn is_valid_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    let alnum = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    !b.is_empty()
        && b.len() <= 63
        && alnum(&b[0])
        && alnum(&b[b.len() - 1])
        && b.iter().all(|c| alnum(c) || *c == b'-')
}

/// Dot-separated DNS labels, at most 253 characters.
pub fn is_valid_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_valid_dns_label)
}

/// Label and annotation keys: `[prefix/]name`.
pub fn is_valid_prefixed_key(s: &str) -> bool {
    match s.split_once('/') {
        None => is_valid_object_name(s),
        Some((prefix, name)) => is_valid_dns_subdomain(prefix) && is_valid_object_name(name),
    }
}

/// `[<DNS subdomain>/]<[a-zA-Z0-9]{1,63}>`
pub fn is_valid_api_version(s: &str) -> bool {
    let version_ok =
        |v: &str| !v.is_empty() && v.len() <= 63 && v.bytes().all(|c| c.is_ascii_alphanumeric());
    match s.split_once('/') {
        None => version_ok(s),
        Some((group, version)) => is_valid_dns_subdomain(group) && version_ok(version),
    }
}

/// `^[a-zA-Z][a-z0-9A-Z]*$`, at most 63 characters.
pub fn is_valid_kind(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphabetic()
        && b.iter().all(u8::is_ascii_alphanumeric)
}

/// `[a-z0-9:+#]` separated by `-`, at most 63 characters.
pub fn is_valid_tag(s: &str) -> bool {
    s.len() <= 63
        && s.split('-').all(|part| {
            !part.is_empty()
                && part.bytes().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b':' | b'+' | b'#')
                })
        })
}

/// What `new URL(value)` accepts, roughly: a scheme, then something.
pub fn is_valid_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    !rest.is_empty()
        && !s.contains(char::is_whitespace)
        && scheme.len() > 1
        && scheme.as_bytes()[0].is_ascii_alphabetic()
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each problem of a document: `line:column message`.
    fn problems(text: &str) -> Vec<String> {
        let stream = crate::yaml::parse_stream(text, crate::yaml::Budget::default());
        let root = stream.documents.into_iter().next().unwrap().root.unwrap();
        let file = SourceFile {
            repo: "r",
            repo_dir: "r",
            path: "catalog-info.yaml",
            text,
            line_index: None,
        };
        let mut out = Vec::new();
        validate(&root, &file, &mut out);
        out.iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect()
    }

    /// User and Group profiles as their kinds' schemas have them, and a
    /// list's wrong item named and pointed at (not "a list of strings,
    /// found a list").
    #[test]
    fn profiles_and_list_items_are_checked_one_by_one() {
        let user = "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: bob}\nspec:\n  profile: {displayName: '', email: 5, picture: https://x/p.png, other: 1}\n  memberOf: [team, 7]\n";
        assert_eq!(
            problems(user),
            [
                "6:20 `spec.memberOf` must be a list of non-empty strings: item 2 is a number",
                "5:26 `spec.profile.displayName` must be a non-empty string, found an empty string",
                "5:37 `spec.profile.email` must be a non-empty string, found a number",
            ]
        );
        let group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: g}\nspec: {type: team, children: 3, profile: {email: a@b.c}}\n";
        assert_eq!(
            problems(group),
            ["4:30 `spec.children` must be a list of non-empty strings, found a number"]
        );
    }

    #[test]
    fn object_names_follow_backstage() {
        for ok in ["a", "petstore", "Team-A", "dev.infra", "a_b", "x1"] {
            assert!(is_valid_object_name(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "Legacy Billing", "a/b", &"a".repeat(64)] {
            assert!(!is_valid_object_name(bad), "{bad}");
        }
    }

    #[test]
    fn tags_allow_colon_plus_and_hash() {
        for ok in ["java", "c++", "c#", "team:infra", "pdf-reports"] {
            assert!(is_valid_tag(ok), "{ok}");
        }
        for bad in ["PDF", "go1.22", "pdf reports", "-x", "x-", "a--b", ""] {
            assert!(!is_valid_tag(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_are_lower_case_dns_labels() {
        assert!(is_valid_dns_label("default"));
        assert!(is_valid_dns_label("external-systems"));
        assert!(!is_valid_dns_label("Default"));
        assert!(!is_valid_dns_label("a_b"));
    }

    #[test]
    fn api_versions_and_kinds() {
        assert!(is_valid_api_version("backstage.io/v1alpha1"));
        assert!(is_valid_api_version("scaffolder.backstage.io/v1beta3"));
        assert!(is_valid_api_version("v1"));
        assert!(!is_valid_api_version("backstage.io/v1/x"));
        assert!(!is_valid_api_version("Backstage.io/v1"));
        assert!(is_valid_kind("Component"));
        assert!(!is_valid_kind("1Component"));
        assert!(!is_valid_kind("Compo-nent"));
    }

    #[test]
    fn annotation_keys_take_one_prefix() {
        assert!(is_valid_prefixed_key("backstage.io/techdocs-ref"));
        assert!(is_valid_prefixed_key("github.com/project-slug"));
        assert!(is_valid_prefixed_key("docs"));
        assert!(!is_valid_prefixed_key("a/b/c"));
        assert!(!is_valid_prefixed_key("Backstage.io/x"));
    }

    #[test]
    fn urls_need_a_scheme() {
        assert!(is_valid_url("https://example.com"));
        assert!(is_valid_url("mailto:team@example.com"));
        assert!(!is_valid_url("example.com/x"));
        assert!(!is_valid_url("/relative"));
    }

    /// Every prefix of every corpus YAML file (truncated input) is read and
    /// validated without a panic.
    #[test]
    fn truncated_corpus_files_never_panic() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
        let mut stack = vec![root];
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if !path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                    continue;
                }
                files += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                let cuts = (0..text.len())
                    .step_by(17)
                    .filter(|&i| text.is_char_boundary(i));
                for cut in cuts.chain([text.len()]) {
                    let prefix = &text[..cut];
                    let stream = crate::yaml::parse_stream(prefix, crate::yaml::Budget::default());
                    let file = SourceFile {
                        repo: "r",
                        repo_dir: "r",
                        path: "f.yaml",
                        text: prefix,
                        line_index: None,
                    };
                    for doc in stream.documents.iter().filter_map(|d| d.root.as_ref()) {
                        validate(doc, &file, &mut Vec::new());
                    }
                }
            }
        }
        assert!(files > 50, "{files} corpus files");
    }
}
