//! API definitions made readable on the API's page: OpenAPI 2 and 3 as
//! operations (method, path, parameters, request body, responses) and
//! schemas; AsyncAPI 2 and 3 as channels and their messages; every other
//! type (GraphQL SDL, gRPC proto, ...) as highlighted source. The source is
//! always there too, folded.

use super::str_of;
use crate::docs::markdown::highlight_into;
use crate::html::escape;
use serde_json::Value;
use std::fmt::Write as _;

/// A `description` field: CommonMark in OpenAPI and AsyncAPI, shown as
/// the API's viewers show it (raw HTML as text, links checked, sanitised).
fn description(html: &mut String, markdown: &str) {
    let _ = writeln!(
        html,
        "<div class=\"description\">{}</div>",
        super::scorecards::hint_html(markdown)
    );
}

/// HTTP methods in the order OpenAPI lists them.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The definition section for an API of `api_type` whose `spec.definition`
/// is `text`.
pub fn definition_html(api_type: &str, text: &str) -> String {
    let lang = match api_type {
        "graphql" => "graphql",
        "grpc" => "proto",
        _ if text.trim_start().starts_with('{') => "json",
        _ => "yaml",
    };
    let parsed = || {
        crate::yaml::parse_single(text, crate::yaml::Budget::default())
            .ok()
            .flatten()
            .map(|node| node.to_json())
    };
    let mut html = String::from(
        "<section aria-labelledby=\"definition\"><h2 id=\"definition\">Definition</h2>\n",
    );
    let readable = match api_type {
        "openapi" => parsed().map(|doc| openapi(&doc)),
        "asyncapi" => parsed().map(|doc| asyncapi(&doc)),
        _ => None,
    };
    match readable {
        Some(readable) => {
            html.push_str(&readable);
            html.push_str("<details><summary>Source</summary>");
            source(&mut html, text, lang);
            html.push_str("</details>\n");
        }
        None => source(&mut html, text, lang),
    }
    html.push_str("</section>\n");
    html
}

fn source(html: &mut String, text: &str, lang: &str) {
    html.push_str("<div class=\"highlight\"><pre><code>");
    highlight_into(html, text, lang);
    html.push_str("</code></pre></div>\n");
}

/// `#/components/schemas/Order` → `Order`.
fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A short type for a schema: `string`, `array of Order`, `Order`.
fn type_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return ref_name(r).to_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => format!(
            "array of {}",
            schema.get("items").map(type_of).unwrap_or_default()
        ),
        Some(t) => match schema.get("format").and_then(Value::as_str) {
            Some(f) => format!("{t} ({f})"),
            None => t.to_string(),
        },
        None => ["allOf", "oneOf", "anyOf"]
            .iter()
            .find_map(|k| schema.get(*k).and_then(Value::as_array).map(|l| (k, l)))
            .map(|(k, list)| {
                let parts: Vec<String> = list.iter().map(type_of).collect();
                format!("{k}: {}", parts.join(", "))
            })
            .unwrap_or_default(),
    }
}

fn openapi(doc: &Value) -> String {
    let mut html = String::new();
    let info = &doc["info"];
    let version = doc
        .get("openapi")
        .or_else(|| doc.get("swagger"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let _ = writeln!(
        html,
        "<p><strong>{}</strong> {} · OpenAPI {}</p>",
        escape(str_of(info, "title")),
        escape(str_of(info, "version")),
        escape(version)
    );
    if !str_of(info, "description").is_empty() {
        description(&mut html, str_of(info, "description"));
    }
    let servers: Vec<String> = doc["servers"]
        .as_array()
        .map(|s| s.iter().map(|s| str_of(s, "url").to_string()).collect())
        .unwrap_or_else(|| {
            // OpenAPI 2: host + basePath.
            let host = str_of(doc, "host");
            if host.is_empty() {
                Vec::new()
            } else {
                vec![format!("{host}{}", str_of(doc, "basePath"))]
            }
        });
    if !servers.is_empty() {
        let list: Vec<String> = servers
            .iter()
            .map(|s| format!("<code>{}</code>", escape(s)))
            .collect();
        let _ = writeln!(html, "<p>Servers: {}</p>", list.join(", "));
    }
    html.push_str("<h3>Operations</h3>\n");
    let mut any = false;
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            any = true;
            operation(&mut html, method, path, item, op);
        }
    }
    if !any {
        html.push_str("<p>No operations.</p>\n");
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .or_else(|| doc["definitions"].as_object());
    if let Some(schemas) = schemas.filter(|s| !s.is_empty()) {
        html.push_str("<h3>Schemas</h3>\n");
        for (name, schema) in schemas {
            schema_table(&mut html, name, schema);
        }
    }
    html
}

fn operation(html: &mut String, method: &str, path: &str, item: &Value, op: &Value) {
    let _ = writeln!(
        html,
        "<details class=\"operation\"><summary><span class=\"method method-{method}\">{}</span> <code>{}</code> {}</summary>",
        method.to_uppercase(),
        escape(path),
        escape(str_of(op, "summary"))
    );
    if !str_of(op, "description").is_empty() {
        description(html, str_of(op, "description"));
    }
    if !str_of(op, "operationId").is_empty() {
        let _ = writeln!(
            html,
            "<p>Operation id: <code>{}</code></p>",
            escape(str_of(op, "operationId"))
        );
    }
    // Path-level parameters apply to every operation of the path.
    let params: Vec<&Value> = item["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(op["parameters"].as_array().into_iter().flatten())
        .collect();
    if !params.is_empty() {
        html.push_str("<table><thead><tr><th scope=\"col\">Parameter</th><th scope=\"col\">In</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">Description</th></tr></thead><tbody>");
        for p in params {
            let (name, place) = match p.get("$ref").and_then(Value::as_str) {
                Some(r) => (ref_name(r).to_string(), String::new()),
                None => (str_of(p, "name").to_string(), str_of(p, "in").to_string()),
            };
            let kind = p.get("schema").map(type_of).unwrap_or_else(|| type_of(p));
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&name),
                escape(&place),
                escape(&kind),
                if p["required"].as_bool() == Some(true) {
                    "yes"
                } else {
                    ""
                },
                escape(str_of(p, "description"))
            );
        }
        html.push_str("</tbody></table>\n");
    }
    if let Some(content) = op["requestBody"]["content"].as_object() {
        let types: Vec<String> = content
            .iter()
            .map(|(media, c)| {
                format!(
                    "<code>{}</code> {}",
                    escape(media),
                    escape(&c.get("schema").map(type_of).unwrap_or_default())
                )
            })
            .collect();
        let _ = writeln!(html, "<p>Request body: {}</p>", types.join(", "));
    }
    if let Some(responses) = op["responses"].as_object() {
        html.push_str("<ul class=\"responses\">");
        for (code, response) in responses {
            let schema = response["content"]
                .as_object()
                .and_then(|c| c.values().next())
                .and_then(|c| c.get("schema"))
                .or_else(|| response.get("schema"))
                .map(type_of)
                .unwrap_or_default();
            let _ = write!(
                html,
                "<li><code>{}</code> {}{}</li>",
                escape(code),
                escape(str_of(response, "description")),
                if schema.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", escape(&schema))
                }
            );
        }
        html.push_str("</ul>\n");
    }
    html.push_str("</details>\n");
}

fn schema_table(html: &mut String, name: &str, schema: &Value) {
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let _ = write!(
        html,
        "<details class=\"schema\"><summary><code>{}</code> {}</summary>",
        escape(name),
        escape(&type_of(schema))
    );
    if let Some(properties) = schema["properties"].as_object() {
        html.push_str("<table><thead><tr><th scope=\"col\">Property</th><th scope=\"col\">Type</th><th scope=\"col\">Required</th><th scope=\"col\">Description</th></tr></thead><tbody>");
        for (property, s) in properties {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(property),
                escape(&type_of(s)),
                if required.contains(&property.as_str()) {
                    "yes"
                } else {
                    ""
                },
                escape(str_of(s, "description"))
            );
        }
        html.push_str("</tbody></table>");
    }
    html.push_str("</details>\n");
}

fn asyncapi(doc: &Value) -> String {
    let mut html = String::new();
    let info = &doc["info"];
    let _ = writeln!(
        html,
        "<p><strong>{}</strong> {} · AsyncAPI {}</p>",
        escape(str_of(info, "title")),
        escape(str_of(info, "version")),
        escape(str_of(doc, "asyncapi"))
    );
    if !str_of(info, "description").is_empty() {
        description(&mut html, str_of(info, "description"));
    }
    html.push_str("<h3>Channels</h3>\n");
    let Some(channels) = doc["channels"].as_object().filter(|c| !c.is_empty()) else {
        html.push_str("<p>No channels.</p>\n");
        return html;
    };
    for (name, channel) in channels {
        // AsyncAPI 3 names the address separately from the channel id.
        let address = channel
            .get("address")
            .and_then(Value::as_str)
            .unwrap_or(name);
        let _ = writeln!(
            html,
            "<details class=\"operation\"><summary><code>{}</code></summary>",
            escape(address)
        );
        if !str_of(channel, "description").is_empty() {
            description(&mut html, str_of(channel, "description"));
        }
        html.push_str("<ul>");
        // AsyncAPI 2: publish/subscribe operations with one message each.
        for action in ["publish", "subscribe"] {
            if let Some(op) = channel.get(action) {
                let _ = write!(
                    html,
                    "<li><strong>{action}</strong> {} {}</li>",
                    escape(&message_name(&op["message"])),
                    escape(str_of(op, "summary"))
                );
            }
        }
        // AsyncAPI 3: messages on the channel.
        for (id, message) in channel["messages"].as_object().into_iter().flatten() {
            let name = message_name(message);
            let _ = write!(
                html,
                "<li><strong>message</strong> {}</li>",
                escape(if name.is_empty() { id } else { &name })
            );
        }
        html.push_str("</ul></details>\n");
    }
    html
}

/// A message's name, title, or the schema it refers to.
fn message_name(message: &Value) -> String {
    if let Some(r) = message.get("$ref").and_then(Value::as_str) {
        return ref_name(r).to_string();
    }
    for key in ["name", "title"] {
        if !str_of(message, key).is_empty() {
            return str_of(message, key).to_string();
        }
    }
    message.get("payload").map(type_of).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETSTORE: &str = r##"openapi: 3.0.0
info:
  title: Petstore <b>
  version: 1.0.0
servers:
  - url: https://petstore.example.com/v1
paths:
  /pets/{petId}:
    parameters:
      - name: petId
        in: path
        required: true
        schema: {type: string}
    get:
      summary: Info for a pet
      operationId: showPetById
      responses:
        "200":
          description: Expected response
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: array
              items: {$ref: "#/components/schemas/Pet"}
      responses:
        "201": {description: Created}
components:
  schemas:
    Pet:
      type: object
      required: [id]
      properties:
        id: {type: integer, format: int64}
        name: {type: string, description: The pet's name}
"##;

    #[test]
    fn openapi_shows_operations_parameters_responses_and_schemas() {
        let html = definition_html("openapi", PETSTORE);
        assert!(html.contains("<strong>Petstore &lt;b&gt;</strong> 1.0.0 · OpenAPI 3.0.0"));
        assert!(html.contains("<code>https://petstore.example.com/v1</code>"));
        assert!(html.contains("method-get\">GET</span> <code>/pets/{petId}</code> Info for a pet"));
        // Path-level parameters show on every operation of the path.
        assert_eq!(
            html.matches("<td><code>petId</code></td><td>path</td>")
                .count(),
            2
        );
        assert!(html.contains("<code>200</code> Expected response · Pet"));
        assert!(html.contains("Request body: <code>application/json</code> array of Pet"));
        assert!(html.contains("<td><code>id</code></td><td>integer (int64)</td><td>yes</td>"));
        assert!(html.contains("<summary>Source</summary>"));
    }

    #[test]
    fn asyncapi_2_and_3_show_channels_and_messages() {
        let v2 = "asyncapi: 2.6.0\ninfo: {title: Lights, version: '1'}\nchannels:\n  light/measured:\n    description: Lighting\n    subscribe:\n      summary: Receive\n      message: {$ref: '#/components/messages/LightMeasured'}\n";
        let html = definition_html("asyncapi", v2);
        assert!(html.contains("<code>light/measured</code>"));
        assert!(html.contains("<strong>subscribe</strong> LightMeasured Receive"));
        let v3 = "asyncapi: 3.0.0\ninfo: {title: Lights, version: '1'}\nchannels:\n  lightMeasured:\n    address: smartylighting/measured\n    messages:\n      lightMeasured: {name: LightMeasured}\n";
        let html = definition_html("asyncapi", v3);
        assert!(html.contains("<code>smartylighting/measured</code>"));
        assert!(html.contains("<strong>message</strong> LightMeasured"));
    }

    #[test]
    fn descriptions_are_markdown_made_safe() {
        let v2 = "asyncapi: 2.6.0\ninfo:\n  title: Lights\n  version: '1'\n  description: |\n    The **Smartylighting** service.\n\n    * [docs](https://x.example/d)\n    * [bad](javascript:alert(1))\n    * <script>alert(1)</script>\nchannels: {}\n";
        let html = definition_html("asyncapi", v2);
        // The description, not the folded source that quotes it.
        let html = &html[html.find("<div class=\"description\">").unwrap()..];
        let html = &html[..html.find("</div>").unwrap()];
        assert!(
            html.contains("The <strong>Smartylighting</strong> service."),
            "{html}"
        );
        assert!(html.contains("<a href=\"https://x.example/d\""), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        // The refused link's text stays, as text: no `href=""` that
        // reloads the page.
        assert!(html.contains("<li>bad</li>"), "{html}");
        assert_eq!(html.matches("<a ").count(), 1, "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        let openapi = "openapi: 3.0.0\ninfo: {title: Pets, version: '1', description: 'Uses `curl`.'}\npaths:\n  /pets:\n    get:\n      description: 'Lists _all_ pets.'\n      responses: {'200': {description: ok}}\n";
        let html = definition_html("openapi", openapi);
        assert!(html.contains("Uses <code>curl</code>."), "{html}");
        assert!(html.contains("Lists <em>all</em> pets."), "{html}");
    }

    #[test]
    fn other_types_and_broken_definitions_show_highlighted_source() {
        let html = definition_html("grpc", "service Greeter { rpc Hi (A) returns (B); }");
        assert!(html.contains("<div class=\"highlight\"><pre><code>"));
        assert!(!html.contains("<summary>Source</summary>"));
        let html = definition_html("openapi", "openapi: [unclosed");
        assert!(
            html.contains("<span class=\"nt\">openapi</span>: [unclosed"),
            "shown as source: {html}"
        );
        assert!(!html.contains("<h3>Operations</h3>"));
    }
}
