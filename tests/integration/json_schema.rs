//! A small JSON Schema (draft-04) validator: enough of the keywords for the
//! SARIF 2.1.0 schema (`tests/sarif-schema-2.1.0.json`), so the output is
//! checked against the published schema itself, not a hand-made copy of
//! its required fields. A keyword the schema uses and this file does not
//! know fails the test rather than passing silently.
//!
//! The `jsonschema` crate would do this too, but it pulls in an HTTP client
//! and a regex engine of its own: minutes of compiling on CI's two cores for
//! one test.

use serde_json::Value;

const KNOWN: &[&str] = &[
    "$ref",
    "$schema",
    "id",
    "title",
    "description",
    "default",
    "definitions",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "enum",
    "items",
    "minItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "pattern",
    "format",
    "oneOf",
    "anyOf",
];

/// Every way `value` breaks `schema`, as `path: what`; empty when it is valid.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, value, "$", &mut errors);
    errors
}

fn check(root: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        errors.push(format!("{at}: schema is not an object"));
        return;
    };
    for key in schema.keys() {
        if !KNOWN.contains(&key.as_str()) {
            errors.push(format!(
                "{at}: schema keyword `{key}` is not supported here"
            ));
        }
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        match resolve(root, reference) {
            Some(target) => check(root, target, value, at, errors),
            None => errors.push(format!("{at}: unresolvable $ref {reference}")),
        }
        return;
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !allowed.iter().any(|t| has_type(value, t)) {
            errors.push(format!("{at}: expected {allowed:?}, found {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(name) {
                errors.push(format!("{at}: required property `{name}` is missing"));
            }
        }
        for (name, item) in object {
            let here = format!("{at}.{name}");
            match (
                properties.and_then(|p| p.get(name)),
                schema.get("additionalProperties"),
            ) {
                (Some(sub), _) => check(root, sub, item, &here, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{at}: property `{name}` is not allowed"))
                }
                (None, Some(sub @ Value::Object(_))) => check(root, sub, item, &here, errors),
                (None, _) => {}
            }
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(min) = schema.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            errors.push(format!("{at}: fewer than {min} items"));
        }
        if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    errors.push(format!("{at}[{i}]: duplicate item"));
                }
            }
        }
        if let Some(sub) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(root, sub, item, &format!("{at}[{i}]"), errors);
            }
        }
    }
    if let Some(number) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && number < min
        {
            errors.push(format!("{at}: {number} < minimum {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && number > max
        {
            errors.push(format!("{at}: {number} > maximum {max}"));
        }
    }
    if let Some(text) = value.as_str() {
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            match regex::Regex::new(pattern) {
                Ok(re) if re.is_match(text) => {}
                Ok(_) => errors.push(format!("{at}: {text:?} does not match {pattern}")),
                Err(e) => errors.push(format!("{at}: bad pattern {pattern}: {e}")),
            }
        }
        match schema.get("format").and_then(Value::as_str) {
            Some("uri") if !is_absolute_uri(text) => {
                errors.push(format!("{at}: {text:?} is not an absolute URI"))
            }
            Some("uri-reference") if text.contains([' ', '\\']) => {
                errors.push(format!("{at}: {text:?} is not a URI reference"))
            }
            _ => {}
        }
    }
    for (keyword, wanted) in [("oneOf", Some(1)), ("anyOf", None)] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let passing = options
                .iter()
                .filter(|option| {
                    let mut errs = Vec::new();
                    check(root, option, value, at, &mut errs);
                    errs.is_empty()
                })
                .count();
            let ok = match wanted {
                Some(n) => passing == n,
                None => passing > 0,
            };
            if !ok {
                errors.push(format!("{at}: {passing} of the {keyword} options match"));
            }
        }
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    root.pointer(pointer)
}

/// `scheme:rest`, the scheme a letter followed by letters, digits, `+-.`.
fn is_absolute_uri(text: &str) -> bool {
    let Some((scheme, _)) = text.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !text.contains(' ')
}

#[test]
fn the_validator_catches_what_the_sarif_schema_forbids() {
    let schema: Value =
        serde_json::from_str(include_str!("../sarif-schema-2.1.0.json")).expect("schema");
    let good = serde_json::json!({"version": "2.1.0", "runs": []});
    assert_eq!(validate(&schema, &good), Vec::<String>::new());
    let bad = serde_json::json!({
        "version": "2.0",
        "runs": [{"tool": {"driver": {}}, "results": [{"level": "fatal", "message": {"text": "x"}}]}],
        "extra": 1
    });
    let errors = validate(&schema, &bad).join("\n");
    for expected in [
        "$: property `extra` is not allowed",
        "$.version",
        "$.runs[0].tool.driver: required property `name` is missing",
        "$.runs[0].results[0].level",
    ] {
        assert!(errors.contains(expected), "{expected} not in\n{errors}");
    }
}
