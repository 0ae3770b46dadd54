//! Entity references (`catalog::entity_ref::EntityRef::parse`), as written
//! in spec fields: never a panic, and a parsed ref has the shape Backstage's
//! `parseEntityRef` gives (no empty part, kind and namespace lower-cased,
//! no `:` or `/` where they would split the ref differently) and reads
//! back as itself from its string form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portico::catalog::entity_ref::{EntityRef, RefError};

fuzz_target!(|data: &[u8]| {
    // Refs come from YAML strings: always UTF-8.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for default_kind in [None, Some("Component"), Some("Group")] {
        match EntityRef::parse(text, default_kind, "default") {
            Ok(entity_ref) => check(text, &entity_ref),
            Err(RefError::MissingKind(_)) => assert!(default_kind.is_none(), "{text:?}"),
            Err(RefError::Malformed(_)) => {}
        }
    }
});

fn check(text: &str, r: &EntityRef) {
    assert!(
        !r.kind.is_empty() && !r.namespace.is_empty() && !r.name.is_empty(),
        "{text:?} gave an empty part: {r:?}"
    );
    assert!(!r.kind.contains([':', '/']), "{text:?}: kind {r:?}");
    assert!(!r.namespace.contains('/'), "{text:?}: namespace {r:?}");
    assert_eq!(r.kind, r.kind.to_lowercase(), "{text:?}");
    assert_eq!(r.namespace, r.namespace.to_lowercase(), "{text:?}");
    assert!(text.ends_with(&r.name), "{text:?}: the name is its end");
    let again = EntityRef::parse(&r.to_string(), None, "elsewhere");
    assert_eq!(again.as_ref(), Ok(r), "{text:?} does not read back");
    assert_eq!(again.map(|a| a.key()), Ok(r.key()));
}
