//! What a rule checks, as data. Each variant's evaluation lives in the file
//! of its concern (`fields.rs`, `files.rs`, ...); `definition.rs` reads
//! them from YAML.

/// One check. Combinators nest other checks.
#[derive(Clone, Debug)]
pub enum Check {
    /// An entity field (`metadata.description`) or annotation.
    Field {
        field: Field,
        test: ValueTest,
    },
    Relation(RelationCheck),
    Files(FilesCheck),
    Docs(DocsCheck),
    Git(GitCheck),
    /// A package in the repository's lockfiles.
    Dependency(DependencyCheck),
    /// A signed-off claim in the repository's attestations file.
    Attestation {
        name: String,
        file: String,
    },
    /// A fact from `[scorecards] facts`, by entity ref.
    Fact {
        name: String,
        test: ValueTest,
        /// Older facts fail (their `at` date against the build's day).
        max_age_days: Option<u32>,
    },
    All(Vec<Check>),
    Any(Vec<Check>),
    Not(Box<Check>),
}

/// Where a field value is read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Field {
    /// A dotted path into the entity (`spec.lifecycle`, `metadata.tags`).
    Path(Vec<String>),
    /// `metadata.annotations[name]` (names hold dots and slashes).
    Annotation(String),
}

impl Field {
    pub fn label(&self) -> String {
        match self {
            Field::Path(parts) => parts.join("."),
            Field::Annotation(name) => format!("annotation `{name}`"),
        }
    }
}

/// A test on one value.
#[derive(Clone, Debug)]
pub enum ValueTest {
    Present,
    Absent,
    Equals(String),
    OneOf(Vec<String>),
    Matches(regex::Regex),
    Compare(Comparison, f64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
        }
    }

    pub fn holds(self, found: f64, wanted: f64) -> bool {
        match self {
            Comparison::Less => found < wanted,
            Comparison::LessOrEqual => found <= wanted,
            Comparison::Greater => found > wanted,
            Comparison::GreaterOrEqual => found >= wanted,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationCheck {
    /// `spec.owner` resolves to a Group in the catalog.
    OwnerIsGroup,
    /// Part of a System.
    HasSystem,
    /// Provides at least one API.
    ProvidesApi,
    /// Depends on no entity whose lifecycle is `deprecated`.
    NoDeprecatedDependencies,
    /// Every consumed API is in the catalog.
    ConsumedApisExist,
}

impl RelationCheck {
    pub const ALL: [(&'static str, RelationCheck); 5] = [
        ("owner-is-group", RelationCheck::OwnerIsGroup),
        ("has-system", RelationCheck::HasSystem),
        ("provides-api", RelationCheck::ProvidesApi),
        (
            "no-deprecated-dependencies",
            RelationCheck::NoDeprecatedDependencies,
        ),
        ("consumed-apis-exist", RelationCheck::ConsumedApisExist),
    ];
}

/// Files matching a glob, counted; with `matches`, only those whose text
/// matches the pattern count.
#[derive(Clone, Debug)]
pub struct FilesCheck {
    /// As written: from the entity's folder, or the root with a leading `/`.
    pub glob: String,
    /// The glob starts with `/`: matched from the repository root.
    pub from_root: bool,
    /// The glob without its leading `/`.
    pub matcher: globset::GlobMatcher,
    pub min: usize,
    pub max: Option<usize>,
    pub matches: Option<regex::Regex>,
}

/// A package looked up in lockfiles: the given one, else those of the
/// nearest folder (the entity's, then its parents') holding any.
#[derive(Clone, Debug)]
pub struct DependencyCheck {
    pub name: String,
    /// Only lockfiles of this ecosystem (all of them when `None`).
    pub ecosystem: Option<super::lockfiles::Ecosystem>,
    /// A lockfile's path, as `files` globs are written.
    pub lockfile: Option<String>,
    pub test: DependencyTest,
}

#[derive(Clone, Debug)]
pub enum DependencyTest {
    Present,
    Absent,
    /// Every locked copy's version is in the range.
    Version(super::versions::Range),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocsCheck {
    Present,
    MinPages(usize),
    NoBrokenLinks,
    UpdatedWithinDays(u32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GitCheck {
    CommittedWithinDays(u32),
    /// A release tag (`[scorecards] release-tags`) dated within N days.
    ReleasedWithinDays(u32),
    /// At least `min` distinct commit authors (by e-mail) in `days` days.
    DistinctAuthors {
        min: u32,
        days: u32,
    },
}

impl GitCheck {
    /// How far back the check looks at commit authors, in days.
    pub fn author_days(self) -> Option<u32> {
        match self {
            GitCheck::DistinctAuthors { days, .. } => Some(days),
            _ => None,
        }
    }
}

impl Check {
    /// Every check inside this one, itself included.
    pub fn walk(&self, visit: &mut dyn FnMut(&Check)) {
        visit(self);
        match self {
            Check::All(checks) | Check::Any(checks) => checks.iter().for_each(|c| c.walk(visit)),
            Check::Not(inner) => inner.walk(visit),
            _ => {}
        }
    }
}
