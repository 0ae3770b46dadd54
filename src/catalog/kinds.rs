//! What Backstage expects of each kind: accepted `apiVersion`s, required and
//! optional `spec` fields, and the relations each reference field produces.
//!
//! The field lists mirror the JSON schemas in Backstage's catalog-model
//! (`src/schema/kinds/*.schema.json`; a test checks them against the copies in
//! `shared/corpus`), and the relation table mirrors
//! `BuiltinKindsEntityProcessor` (plus the scaffolder's owner relation for
//! Templates). Kinds not listed here are kept and reported as unknown.

/// The JSON type a spec field must have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A non-empty string.
    String,
    /// A list of non-empty strings.
    StringList,
    Object,
    /// A list of mappings.
    ObjectList,
    /// An object, or a list of objects (Template `parameters`).
    ObjectOrObjectList,
    Boolean,
}

impl FieldType {
    pub fn describe(self) -> &'static str {
        match self {
            FieldType::String => "a non-empty string",
            FieldType::StringList => "a list of non-empty strings",
            FieldType::Object => "a mapping",
            FieldType::ObjectList => "a list of mappings",
            FieldType::ObjectOrObjectList => "a mapping or a list of mappings",
            FieldType::Boolean => "true or false",
        }
    }
}

/// One shape of a kind: the spec fields for some apiVersions (and, for API
/// and AiResource, for some values of `spec.type`).
#[derive(Debug)]
pub struct KindShape {
    pub kind: &'static str,
    pub api_versions: &'static [&'static str],
    /// `Some(types)`: applies only when `spec.type` is one of them.
    pub spec_types: Option<&'static [&'static str]>,
    /// Whether `spec` must be present (every kind but Environment).
    pub spec_required: bool,
    pub required: &'static [(&'static str, FieldType)],
    pub optional: &'static [(&'static str, FieldType)],
}

use FieldType::*;

const V1: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];
const V1_ALPHA1: &[&str] = &["backstage.io/v1alpha1"];
const MCP: &[&str] = &["mcp-server", "ai-model-server"];

/// Every shape, most specific first: the first whose kind, apiVersion and
/// spec type match is the one an entity is checked against.
pub const SHAPES: &[KindShape] = &[
    KindShape {
        kind: "Component",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("lifecycle", String), ("owner", String)],
        optional: &[
            ("system", String),
            ("subcomponentOf", String),
            ("providesApis", StringList),
            ("consumesApis", StringList),
            ("dependsOn", StringList),
            ("dependencyOf", StringList),
        ],
    },
    KindShape {
        kind: "API",
        api_versions: V1,
        spec_types: Some(MCP),
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("remotes", ObjectList),
        ],
        optional: &[("system", String)],
    },
    KindShape {
        kind: "API",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("definition", String),
        ],
        optional: &[("system", String)],
    },
    KindShape {
        kind: "API",
        api_versions: &["backstage.io/v1alpha2"],
        spec_types: Some(&["mcp-server"]),
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("remotes", ObjectList),
        ],
        optional: &[("system", String)],
    },
    KindShape {
        kind: "API",
        api_versions: &["backstage.io/v1alpha2"],
        spec_types: None,
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("definition", String),
        ],
        optional: &[("system", String)],
    },
    KindShape {
        kind: "Resource",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("owner", String)],
        optional: &[
            ("system", String),
            ("dependsOn", StringList),
            ("dependencyOf", StringList),
        ],
    },
    KindShape {
        kind: "System",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("owner", String)],
        optional: &[("domain", String), ("type", String)],
    },
    KindShape {
        kind: "Domain",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("owner", String)],
        optional: &[("subdomainOf", String), ("type", String)],
    },
    KindShape {
        kind: "Group",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("children", StringList)],
        optional: &[
            ("profile", Object),
            ("parent", String),
            ("members", StringList),
        ],
    },
    KindShape {
        kind: "User",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("memberOf", StringList)],
        optional: &[("profile", Object)],
    },
    KindShape {
        kind: "Location",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[],
        optional: &[
            ("type", String),
            ("target", String),
            ("targets", StringList),
            ("presence", String),
        ],
    },
    KindShape {
        kind: "Template",
        api_versions: &["scaffolder.backstage.io/v1beta3", "backstage.io/v1beta3"],
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("steps", ObjectList)],
        optional: &[
            ("parameters", ObjectOrObjectList),
            ("output", Object),
            ("owner", String),
        ],
    },
    KindShape {
        kind: "Template",
        api_versions: &["backstage.io/v1beta2"],
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("steps", ObjectList)],
        optional: &[
            ("parameters", ObjectOrObjectList),
            ("output", Object),
            ("owner", String),
        ],
    },
    KindShape {
        kind: "Template",
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("templater", String), ("schema", Object)],
        optional: &[("path", String), ("owner", String)],
    },
    KindShape {
        kind: "Environment",
        api_versions: V1_ALPHA1,
        spec_types: None,
        spec_required: false,
        required: &[("lifecycle", String)],
        optional: &[("owner", String), ("system", String)],
    },
    KindShape {
        kind: "AiResource",
        api_versions: V1_ALPHA1,
        spec_types: Some(&["marketplace"]),
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("plugins", StringList),
        ],
        optional: &[("system", String), ("version", String)],
    },
    KindShape {
        kind: "AiResource",
        api_versions: V1_ALPHA1,
        spec_types: Some(&["plugin"]),
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("skills", StringList),
        ],
        optional: &[("system", String), ("version", String)],
    },
    KindShape {
        kind: "AiResource",
        api_versions: V1_ALPHA1,
        spec_types: Some(&["rule"]),
        spec_required: true,
        required: &[
            ("type", String),
            ("lifecycle", String),
            ("owner", String),
            ("category", String),
            ("rationale", String),
        ],
        optional: &[
            ("system", String),
            ("disciplines", StringList),
            ("activation", ObjectList),
        ],
    },
    KindShape {
        kind: "AiResource",
        api_versions: V1_ALPHA1,
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("lifecycle", String), ("owner", String)],
        optional: &[
            ("system", String),
            ("disciplines", StringList),
            ("categories", StringList),
            ("agents", StringList),
            ("dependsOn", StringList),
        ],
    },
];

/// The kinds Backstage ships (the scaffolder's Template included).
pub fn is_known_kind(kind: &str) -> bool {
    SHAPES.iter().any(|s| s.kind == kind)
}

/// Picks the shape for an entity, or the apiVersions this kind accepts.
pub fn shape_for(
    kind: &str,
    api_version: &str,
    spec_type: Option<&str>,
) -> Result<&'static KindShape, Vec<&'static str>> {
    let mut accepted = Vec::new();
    for shape in SHAPES.iter().filter(|s| s.kind == kind) {
        for v in shape.api_versions {
            if !accepted.contains(v) {
                accepted.push(*v);
            }
        }
        if !shape.api_versions.contains(&api_version) {
            continue;
        }
        match shape.spec_types {
            Some(types) if !spec_type.is_some_and(|t| types.contains(&t)) => continue,
            _ => return Ok(shape),
        }
    }
    Err(accepted)
}

/// A spec field that refers to other entities, and the relation it makes.
pub struct RelationField {
    pub kinds: &'static [&'static str],
    pub field: &'static str,
    pub list: bool,
    /// `None`: the ref must name its kind (`dependsOn`, `dependencyOf`).
    pub default_kind: Option<&'static str>,
    pub relation: &'static str,
    pub inverse: &'static str,
}

/// Kinds whose `spec.owner` makes an `ownedBy` relation.
pub const OWNED: &[&str] = &[
    "Component",
    "API",
    "Resource",
    "System",
    "Domain",
    "Template",
];

/// `BuiltinKindsEntityProcessor`, row by row.
pub const RELATION_FIELDS: &[RelationField] = &[
    RelationField {
        kinds: OWNED,
        field: "owner",
        list: false,
        default_kind: Some("Group"),
        relation: "ownedBy",
        inverse: "ownerOf",
    },
    RelationField {
        kinds: &["Component"],
        field: "subcomponentOf",
        list: false,
        default_kind: Some("Component"),
        relation: "partOf",
        inverse: "hasPart",
    },
    RelationField {
        kinds: &["Component"],
        field: "providesApis",
        list: true,
        default_kind: Some("API"),
        relation: "providesApi",
        inverse: "apiProvidedBy",
    },
    RelationField {
        kinds: &["Component"],
        field: "consumesApis",
        list: true,
        default_kind: Some("API"),
        relation: "consumesApi",
        inverse: "apiConsumedBy",
    },
    RelationField {
        kinds: &["Component", "Resource"],
        field: "dependsOn",
        list: true,
        default_kind: None,
        relation: "dependsOn",
        inverse: "dependencyOf",
    },
    RelationField {
        kinds: &["Component", "Resource"],
        field: "dependencyOf",
        list: true,
        default_kind: None,
        relation: "dependencyOf",
        inverse: "dependsOn",
    },
    RelationField {
        kinds: &["Component", "API", "Resource"],
        field: "system",
        list: false,
        default_kind: Some("System"),
        relation: "partOf",
        inverse: "hasPart",
    },
    RelationField {
        kinds: &["System"],
        field: "domain",
        list: false,
        default_kind: Some("Domain"),
        relation: "partOf",
        inverse: "hasPart",
    },
    RelationField {
        kinds: &["Domain"],
        field: "subdomainOf",
        list: false,
        default_kind: Some("Domain"),
        relation: "partOf",
        inverse: "hasPart",
    },
    RelationField {
        kinds: &["Group"],
        field: "parent",
        list: false,
        default_kind: Some("Group"),
        relation: "childOf",
        inverse: "parentOf",
    },
    RelationField {
        kinds: &["Group"],
        field: "children",
        list: true,
        default_kind: Some("Group"),
        relation: "parentOf",
        inverse: "childOf",
    },
    RelationField {
        kinds: &["Group"],
        field: "members",
        list: true,
        default_kind: Some("User"),
        relation: "hasMember",
        inverse: "memberOf",
    },
    RelationField {
        kinds: &["User"],
        field: "memberOf",
        list: true,
        default_kind: Some("Group"),
        relation: "memberOf",
        inverse: "hasMember",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_shape_depends_on_spec_type() {
        let s = shape_for("API", "backstage.io/v1alpha1", Some("mcp-server")).unwrap();
        assert!(s.required.iter().any(|(f, _)| *f == "remotes"));
        let s = shape_for("API", "backstage.io/v1alpha1", Some("openapi")).unwrap();
        assert!(s.required.iter().any(|(f, _)| *f == "definition"));
    }

    #[test]
    fn unknown_api_version_lists_the_accepted_ones() {
        let accepted = shape_for("Component", "backstage.io/v2", None).unwrap_err();
        assert_eq!(
            accepted,
            vec!["backstage.io/v1alpha1", "backstage.io/v1beta1"]
        );
    }

    /// The required-field lists agree with Backstage's own JSON schemas.
    #[test]
    fn required_fields_match_the_upstream_schemas() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/corpus/backstage-schemas/kinds");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            panic!("schemas not found at {}", dir.display());
        };
        let mut checked = 0;
        for entry in entries.flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
            let part = &schema["allOf"][1]["properties"];
            let kind = part["kind"]["enum"][0].as_str().unwrap();
            let version = part["apiVersion"]["enum"][0].as_str().unwrap();
            if kind == "Template" {
                continue; // the scaffolder's own schemas supersede these
            }
            let spec = &part["spec"];
            let spec_type = spec["properties"]["type"]["const"]
                .as_str()
                .or(spec["properties"]["type"]["enum"][0].as_str());
            let shape = shape_for(kind, version, spec_type).unwrap();
            let mut required: Vec<&str> = spec["required"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            if let Some(extra) = spec["else"]["required"].as_array() {
                required.extend(extra.iter().filter_map(|v| v.as_str()));
            }
            let mut ours: Vec<&str> = shape.required.iter().map(|(f, _)| *f).collect();
            required.sort();
            ours.sort();
            assert_eq!(ours, required, "{}", entry.path().display());
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} schemas checked");
    }
}
