//! What Backstage expects of each kind: accepted `apiVersion`s, required and
//! optional `spec` fields, and the relations each reference field produces.
//!
//! The field lists mirror the JSON schemas in Backstage's catalog-model
//! (`src/schema/kinds/*.schema.json`; a test checks them against the copies in
//! `shared/corpus`), and the relation table mirrors
//! `BuiltinKindsEntityProcessor` (plus the scaffolder's owner relation for
//! Templates).
//!
//! Only the shapes marked [`Reader::Builtin`] are read by a default Backstage
//! (`@backstage/plugin-catalog-backend` with the scaffolder entity model):
//! `BuiltinKindsEntityProcessor.validators` and the scaffolder module's
//! `templateEntityV1beta3Validator`. Any other kind or apiVersion fails there
//! with "No processor recognized the entity … as valid"; the other shapes are
//! kept to say what they are in the diagnostic.

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

/// Which Backstage code reads a shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reader {
    /// The default processors: `BuiltinKindsEntityProcessor` and the
    /// scaffolder module's `ScaffolderEntitiesProcessor`.
    Builtin,
    /// Only the alpha catalog model layers (`@backstage/catalog-model/alpha`:
    /// `aiResourceEntityModel`, `mcpServerApiEntityModel`, ...), which a
    /// default backend does not install.
    Alpha,
    /// Template versions the scaffolder no longer reads (it reads only
    /// `scaffolder.backstage.io/v1beta3`).
    Retired,
}

/// One shape of a kind: the spec fields for some apiVersions (and, for API
/// and AiResource, for some values of `spec.type`).
#[derive(Debug)]
pub struct KindShape {
    pub kind: &'static str,
    pub reader: Reader,
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
        reader: Reader::Builtin,
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
        reader: Reader::Alpha,
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
        reader: Reader::Builtin,
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
        reader: Reader::Alpha,
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
        reader: Reader::Alpha,
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
        reader: Reader::Builtin,
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
        reader: Reader::Builtin,
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("owner", String)],
        optional: &[("domain", String), ("type", String)],
    },
    KindShape {
        kind: "Domain",
        reader: Reader::Builtin,
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("owner", String)],
        optional: &[("subdomainOf", String), ("type", String)],
    },
    KindShape {
        kind: "Group",
        reader: Reader::Builtin,
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
        reader: Reader::Builtin,
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("memberOf", StringList)],
        optional: &[("profile", Object)],
    },
    KindShape {
        kind: "Location",
        reader: Reader::Builtin,
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
        reader: Reader::Builtin,
        api_versions: &["scaffolder.backstage.io/v1beta3"],
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
        reader: Reader::Retired,
        api_versions: &["backstage.io/v1beta3", "backstage.io/v1beta2"],
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
        reader: Reader::Retired,
        api_versions: V1,
        spec_types: None,
        spec_required: true,
        required: &[("type", String), ("templater", String), ("schema", Object)],
        optional: &[("path", String), ("owner", String)],
    },
    KindShape {
        kind: "Environment",
        reader: Reader::Alpha,
        api_versions: V1_ALPHA1,
        spec_types: None,
        spec_required: false,
        required: &[("lifecycle", String)],
        optional: &[("owner", String), ("system", String)],
    },
    KindShape {
        kind: "AiResource",
        reader: Reader::Alpha,
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
        reader: Reader::Alpha,
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
        reader: Reader::Alpha,
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
        reader: Reader::Alpha,
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

/// Why a default Backstage reads no entity of this kind and apiVersion.
#[derive(Debug, PartialEq, Eq)]
pub enum Unrecognised {
    /// The kind is read, in other apiVersions (listed).
    ApiVersion {
        accepted: Vec<&'static str>,
        /// This apiVersion is a shape only `reader` reads.
        known_to: Option<Reader>,
    },
    /// The kind is read only by `Alpha` model layers (`AiResource`, `Environment`).
    AlphaKind,
    /// No shape has this kind; `similar` is one that differs only in case.
    UnknownKind { similar: Option<&'static str> },
}

/// The shape a default Backstage validates an entity against
/// (`BuiltinKindsEntityProcessor` or the scaffolder's processor), or why it
/// recognises none. Those validators do not look at `spec.type`: an API of
/// type `mcp-server` needs `definition` like any other.
pub fn builtin_shape(kind: &str, api_version: &str) -> Result<&'static KindShape, Unrecognised> {
    let of_kind = || SHAPES.iter().filter(move |s| s.kind == kind);
    if let Some(shape) = of_kind().find(|s| {
        s.reader == Reader::Builtin
            && s.spec_types.is_none()
            && s.api_versions.contains(&api_version)
    }) {
        return Ok(shape);
    }
    if of_kind().all(|s| s.reader != Reader::Builtin) {
        return Err(if of_kind().next().is_some() {
            Unrecognised::AlphaKind
        } else {
            Unrecognised::UnknownKind {
                similar: SHAPES
                    .iter()
                    .find(|s| s.kind.eq_ignore_ascii_case(kind))
                    .map(|s| s.kind),
            }
        });
    }
    let mut accepted = Vec::new();
    for s in of_kind().filter(|s| s.reader == Reader::Builtin) {
        for v in s.api_versions {
            if !accepted.contains(v) {
                accepted.push(*v);
            }
        }
    }
    let known_to = of_kind()
        .find(|s| s.api_versions.contains(&api_version))
        .map(|s| s.reader);
    Err(Unrecognised::ApiVersion { accepted, known_to })
}

/// Any shape (every reader) for a kind, apiVersion and `spec.type`: what the
/// schemas say, whichever Backstage code reads them.
pub fn schema_shape(
    kind: &str,
    api_version: &str,
    spec_type: Option<&str>,
) -> Option<&'static KindShape> {
    SHAPES.iter().find(|s| {
        s.kind == kind
            && s.api_versions.contains(&api_version)
            && s.spec_types
                .is_none_or(|types| spec_type.is_some_and(|t| types.contains(&t)))
    })
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

    /// The schema of an `mcp-server` API (alpha) wants `remotes`; Backstage's
    /// built-in API validator wants `definition` whatever the type.
    #[test]
    fn builtin_api_shape_ignores_spec_type() {
        let s = schema_shape("API", "backstage.io/v1alpha1", Some("mcp-server")).unwrap();
        assert!(s.required.iter().any(|(f, _)| *f == "remotes"));
        assert_eq!(s.reader, Reader::Alpha);
        let s = builtin_shape("API", "backstage.io/v1alpha1").unwrap();
        assert!(s.required.iter().any(|(f, _)| *f == "definition"));
    }

    #[test]
    fn unknown_api_version_lists_the_accepted_ones() {
        assert_eq!(
            builtin_shape("Component", "backstage.io/v2").unwrap_err(),
            Unrecognised::ApiVersion {
                accepted: vec!["backstage.io/v1alpha1", "backstage.io/v1beta1"],
                known_to: None
            }
        );
        assert_eq!(
            builtin_shape("API", "backstage.io/v1alpha2").unwrap_err(),
            Unrecognised::ApiVersion {
                accepted: vec!["backstage.io/v1alpha1", "backstage.io/v1beta1"],
                known_to: Some(Reader::Alpha)
            }
        );
    }

    /// Only `scaffolder.backstage.io/v1beta3` Templates are read; AiResource
    /// and Environment only by alpha model layers.
    #[test]
    fn retired_templates_and_alpha_kinds_are_not_recognised() {
        assert!(builtin_shape("Template", "scaffolder.backstage.io/v1beta3").is_ok());
        for old in [
            "backstage.io/v1beta2",
            "backstage.io/v1alpha1",
            "backstage.io/v1beta3",
        ] {
            assert!(matches!(
                builtin_shape("Template", old),
                Err(Unrecognised::ApiVersion {
                    known_to: Some(Reader::Retired),
                    ..
                })
            ));
        }
        for kind in ["AiResource", "Environment"] {
            assert_eq!(
                builtin_shape(kind, "backstage.io/v1alpha1").unwrap_err(),
                Unrecognised::AlphaKind
            );
        }
        assert_eq!(
            builtin_shape("component", "backstage.io/v1alpha1").unwrap_err(),
            Unrecognised::UnknownKind {
                similar: Some("Component")
            }
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
            let shape = schema_shape(kind, version, spec_type).unwrap();
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
