//! Entity references: `[<kind>:][<namespace>/]<name>`, as Backstage parses them.
//!
//! The rules follow `parseRefString`/`parseEntityRef` in Backstage's
//! catalog-model: the kind is what precedes the first `:` (unless a `/`
//! comes first), the namespace what precedes the `/`; missing parts come
//! from the field's default kind and the referring entity's namespace. All
//! parts compare case-insensitively. The string form stored in relations
//! lower-cases kind and namespace and keeps the name as written.

use std::fmt;

#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct EntityRef {
    /// Lower-case kind, e.g. `component`.
    pub kind: String,
    /// Lower-case namespace, e.g. `default`.
    pub namespace: String,
    /// The name as written.
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    /// An empty part, e.g. `component:` or `/name`.
    Malformed(String),
    /// No `kind:` prefix where the field has no default kind (`dependsOn`).
    MissingKind(String),
}

impl fmt::Display for RefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefError::Malformed(r) => write!(
                f,
                "entity reference \"{r}\" is not of the form [<kind>:][<namespace>/]<name>"
            ),
            RefError::MissingKind(r) => write!(
                f,
                "entity reference \"{r}\" has no kind (it must start with e.g. \"component:\" or \"resource:\")"
            ),
        }
    }
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> EntityRef {
        EntityRef {
            kind: kind.to_lowercase(),
            namespace: namespace.to_lowercase(),
            name: name.to_string(),
        }
    }

    /// Parses `text`, filling a missing kind from `default_kind` and a missing
    /// namespace from `default_namespace` (the referring entity's).
    pub fn parse(
        text: &str,
        default_kind: Option<&str>,
        default_namespace: &str,
    ) -> Result<EntityRef, RefError> {
        let colon = text.find(':');
        let slash = text.find('/');
        // A `/` before the `:` means the `:` belongs to the name.
        let colon = match (colon, slash) {
            (Some(c), Some(s)) if s < c => None,
            (c, _) => c,
        };
        let kind = colon.map(|c| &text[..c]);
        let namespace = slash.map(|s| &text[colon.map_or(0, |c| c + 1)..s]);
        let name_start = colon.map_or(0, |c| c + 1).max(slash.map_or(0, |s| s + 1));
        let name = &text[name_start..];
        if kind == Some("") || namespace == Some("") || name.is_empty() {
            return Err(RefError::Malformed(text.to_string()));
        }
        let Some(kind) = kind.or(default_kind) else {
            return Err(RefError::MissingKind(text.to_string()));
        };
        Ok(EntityRef::new(
            kind,
            namespace.unwrap_or(default_namespace),
            name,
        ))
    }

    /// The key used to find entities: every part lower-cased.
    pub fn key(&self) -> String {
        let mut key = String::new();
        self.write_key(&mut key);
        key
    }

    /// [`EntityRef::key`] written into `key` (cleared first).
    pub fn write_key(&self, key: &mut String) {
        key.clear();
        // Sized once and the name lower-cased in place: keys are made for
        // every relation of every entity (a char pushed at a time into a
        // string grown from empty was 5 % of `check` over 13,000 entities).
        key.reserve(self.kind.len() + self.namespace.len() + self.name.len() + 2);
        key.push_str(&self.kind);
        key.push(':');
        key.push_str(&self.namespace);
        key.push('/');
        if self.name.is_ascii() {
            let start = key.len();
            key.push_str(&self.name);
            key[start..].make_ascii_lowercase();
        } else {
            // Unicode's rules (a final sigma, say) as `str` applies them.
            key.push_str(&self.name.to_lowercase());
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, kind: Option<&str>, ns: &str) -> String {
        EntityRef::parse(text, kind, ns).unwrap().to_string()
    }

    #[test]
    fn fills_default_kind_and_namespace() {
        assert_eq!(
            parse("team-a", Some("Group"), "default"),
            "group:default/team-a"
        );
        assert_eq!(
            parse("petstore", Some("API"), "external-systems"),
            "api:external-systems/petstore"
        );
        assert_eq!(
            parse("internal/streetlights", Some("API"), "x"),
            "api:internal/streetlights"
        );
    }

    #[test]
    fn explicit_parts_win_and_kind_and_namespace_are_lower_cased() {
        assert_eq!(
            parse("user:guest", Some("Group"), "default"),
            "user:default/guest"
        );
        assert_eq!(
            parse("Group:Default/Team-A", None, "x"),
            "group:default/Team-A"
        );
    }

    #[test]
    fn a_slash_before_the_colon_keeps_the_colon_in_the_name() {
        assert_eq!(
            parse("ns/a:b", Some("Component"), "default"),
            "component:ns/a:b"
        );
    }

    #[test]
    fn depends_on_without_kind_is_an_error() {
        assert_eq!(
            EntityRef::parse("shipments-db", None, "default"),
            Err(RefError::MissingKind("shipments-db".into()))
        );
    }

    #[test]
    fn empty_parts_are_malformed() {
        for bad in ["component:", ":x", "/x", "ns/", "component:/x", ""] {
            assert!(
                matches!(
                    EntityRef::parse(bad, Some("Component"), "default"),
                    Err(RefError::Malformed(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn keys_compare_case_insensitively() {
        let a = EntityRef::parse("Component:default/Foo", None, "default").unwrap();
        let b = EntityRef::parse("foo", Some("component"), "DEFAULT").unwrap();
        assert_eq!(a.key(), b.key());
    }

    fn runner(cases: u32) -> proptest::test_runner::TestRunner {
        proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases,
            failure_persistence: None,
            ..proptest::test_runner::Config::default()
        })
    }

    /// The shape `parseEntityRef` guarantees (Backstage checks no more of a
    /// ref: its parts need not be valid entity names): no empty part, and no
    /// `:` or `/` where it would split the ref another way.
    fn has_backstage_shape(r: &EntityRef) -> bool {
        !r.kind.is_empty()
            && !r.namespace.is_empty()
            && !r.name.is_empty()
            && !r.kind.contains([':', '/'])
            && !r.namespace.contains('/')
            && r.kind == r.kind.to_lowercase()
            && r.namespace == r.namespace.to_lowercase()
    }

    /// Valid refs, written in full or with parts left to the defaults, read
    /// back as the same ref, and their string form parses to itself.
    #[test]
    fn valid_refs_round_trip_through_their_string_form() {
        use proptest::prelude::*;
        let kind = "[A-Za-z][A-Za-z0-9]{0,12}";
        let namespace = "[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}";
        let name = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,20}[A-Za-z0-9])?";
        runner(500)
            .run(&(kind, namespace, name), |(kind, namespace, name)| {
                let full = EntityRef::new(&kind, &namespace, &name);
                prop_assert_eq!(
                    EntityRef::parse(&full.to_string(), None, "elsewhere"),
                    Ok(full.clone())
                );
                let written = format!("{kind}:{namespace}/{name}");
                prop_assert_eq!(EntityRef::parse(&written, None, "x"), Ok(full.clone()));
                let short = format!("{namespace}/{name}");
                prop_assert_eq!(EntityRef::parse(&short, Some(&kind), "x"), Ok(full.clone()));
                prop_assert_eq!(
                    EntityRef::parse(&name, Some(&kind), &namespace),
                    Ok(full.clone())
                );
                prop_assert_eq!(
                    EntityRef::parse(&written.to_uppercase(), None, "x").map(|r| r.key()),
                    Ok(full.key())
                );
                Ok(())
            })
            .unwrap();
    }

    /// Any text: no panic; a ref is refused, or has Backstage's shape and
    /// reads back as itself.
    #[test]
    fn any_text_is_refused_or_gives_a_well_formed_ref() {
        use proptest::prelude::*;
        let text = prop_oneof![
            any::<String>(),
            // Mostly separators, so every split of them is tried.
            "[a:/İK\u{212a} ]{0,10}",
        ];
        let default_kind = prop_oneof![Just(None), Just(Some("Component")), Just(Some("group"))];
        runner(2000)
            .run(&(text, default_kind), |(text, default_kind)| {
                match EntityRef::parse(&text, default_kind, "default") {
                    Ok(r) => {
                        prop_assert!(has_backstage_shape(&r), "{text:?} gave {r:?}");
                        prop_assert!(text.ends_with(&r.name));
                        prop_assert_eq!(
                            EntityRef::parse(&r.to_string(), None, "elsewhere"),
                            Ok(r.clone())
                        );
                    }
                    Err(RefError::MissingKind(_)) => prop_assert!(default_kind.is_none()),
                    Err(RefError::Malformed(_)) => {}
                }
                Ok(())
            })
            .unwrap();
    }
}
