//! `$text`, `$json` and `$yaml` placeholders, as Backstage's
//! `PlaceholderProcessor` resolves them.
//!
//! A mapping whose only key is one of those is replaced by the content of the
//! file it names, relative to the catalog file and confined to the
//! repository. Any other `$` key (JSON Schema's `$ref`, say) is left alone.
//! Remote URLs are not fetched: Portico builds offline.

use crate::diagnostics::{Diagnostic, SourceFile};
use crate::read::{Snapshot, safe_path};
use crate::yaml::{self, Node, Value};

pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    pub file: SourceFile<'a>,
}

/// Replaces every placeholder under `node`. Returns false if one failed.
pub fn substitute(node: &mut Node, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) -> bool {
    if let Some((kind, target)) = placeholder(node) {
        let (line, column) = (node.pos.line, node.pos.column);
        return match resolve(&kind, &target, node, ctx) {
            Ok((value, warning)) => {
                out.extend(warning.map(|d| d.in_file(&ctx.file, line, column)));
                *node = value;
                true
            }
            Err(d) => {
                out.push(d.in_file(&ctx.file, line, column));
                false
            }
        };
    }
    let mut ok = true;
    match &mut node.value {
        Value::Seq(items) => {
            for item in items {
                ok &= substitute(item, ctx, out);
            }
        }
        Value::Map(entries) => {
            for (_, value) in entries {
                ok &= substitute(value, ctx, out);
            }
        }
        _ => {}
    }
    ok
}

/// `{ $text: path }` → ("$text", "path").
fn placeholder(node: &Node) -> Option<(String, String)> {
    let [(key, value)] = node.as_map()? else {
        return None;
    };
    if !matches!(key.name.as_str(), "$text" | "$json" | "$yaml") {
        return None;
    }
    Some((key.name.clone(), value.as_str()?.to_string()))
}

/// The replacement value, and a warning when it is only a stand-in.
fn resolve(
    kind: &str,
    target: &str,
    at: &Node,
    ctx: &Context<'_>,
) -> Result<(Node, Option<Diagnostic>), Box<Diagnostic>> {
    let pos = at.pos;
    if target.contains("://") {
        // Keep the URL as the value so the portal can still link to it.
        let warning = Diagnostic::warning(
            "remote-substitution",
            format!(
                "`{kind}: {target}` was not fetched: Portico builds offline from the repositories"
            ),
        )
        .with_hint("commit the file in the repository and use a relative path");
        return Ok((
            Node {
                value: Value::String(target.to_string()),
                pos,
                tag: None,
            },
            Some(warning),
        ));
    }
    let failed = |message: String| Box::new(Diagnostic::error("substitution-failed", message));
    let path = safe_path::join(safe_path::parent(ctx.file.path), target).map_err(|e| {
        Box::new(
            failed(format!("`{kind}`: {e}"))
                .with_hint("placeholders may only name files inside the same repository"),
        )
    })?;
    let text = ctx
        .snapshot
        .read_text(&path)
        .map_err(|e| failed(format!("`{kind}`: {e}")))?;
    let value = match kind {
        "$text" => Value::String(text),
        "$json" => {
            let json: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| failed(format!("`$json: {target}` is not valid JSON: {e}")))?;
            from_json(&json, pos, 0).map_err(failed)?.value
        }
        _ => {
            let node = yaml::parse_single(&text, yaml::Budget::default()).map_err(|e| {
                failed(format!(
                    "`$yaml: {target}` line {}: {}",
                    e.pos.line, e.message
                ))
            })?;
            node.map_or(Value::Null, |n| relocate(n, pos).value)
        }
    };
    Ok((
        Node {
            value,
            pos,
            tag: None,
        },
        None,
    ))
}

/// Gives nodes read from another file the placeholder's position, so later
/// diagnostics point at the line a reader can find.
fn relocate(mut node: Node, pos: yaml::Pos) -> Node {
    node.pos = pos;
    match &mut node.value {
        Value::Seq(items) => {
            for item in items.iter_mut() {
                *item = relocate(
                    std::mem::replace(
                        item,
                        Node {
                            value: Value::Null,
                            pos,
                            tag: None,
                        },
                    ),
                    pos,
                );
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries.iter_mut() {
                key.pos = pos;
                *value = relocate(
                    std::mem::replace(
                        value,
                        Node {
                            value: Value::Null,
                            pos,
                            tag: None,
                        },
                    ),
                    pos,
                );
            }
        }
        _ => {}
    }
    node
}

use crate::limits::JSON_MAX_DEPTH as MAX_JSON_DEPTH;

fn from_json(json: &serde_json::Value, pos: yaml::Pos, depth: usize) -> Result<Node, String> {
    use serde_json::Value as J;
    if depth > MAX_JSON_DEPTH {
        return Err(format!("JSON nested deeper than {MAX_JSON_DEPTH} levels"));
    }
    let value = match json {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::Seq(
            items
                .iter()
                .map(|i| from_json(i, pos, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        J::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    Ok((
                        yaml::Key {
                            name: k.clone(),
                            pos,
                        },
                        from_json(v, pos, depth + 1)?,
                    ))
                })
                .collect::<Result<_, String>>()?,
        ),
    };
    Ok(Node {
        value,
        pos,
        tag: None,
    })
}
