//! Opening a built site's index for `portico search`.
//!
//! The site folder is input like any other: it may have been copied,
//! truncated, or handed over by someone else. Before tantivy reads anything
//! the folder is checked (no symbolic links, nothing but files and folders,
//! small valid JSON where tantivy reads a file whole), then every segment
//! file against its checksum. tantivy's errors become a short cause in
//! Portico's words, and a panic inside tantivy is caught without Rust's
//! message: the user reads one line saying the index is damaged.

use super::query::SearchError;
use crate::limits::MAX_SEARCH_INDEX_META_BYTES;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use tantivy::{Index, TantivyError};

/// Why an index cannot be searched, in Portico's words: never tantivy's
/// text, which can quote a file (all of `meta.json`, or a value serde could
/// not read) and so print whatever a symbolic link pointed at.
pub struct Damage(pub String);

impl From<TantivyError> for Damage {
    fn from(e: TantivyError) -> Damage {
        Damage(cause_of(&e))
    }
}

/// The kind of a tantivy error and the name of its file, if it has one.
fn cause_of(e: &TantivyError) -> String {
    use tantivy::directory::error::OpenReadError;
    match e {
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(path)) => {
            format!("{} is missing", file_label(path.as_os_str()))
        }
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => format!(
            "{} cannot be read: {}",
            file_label(filepath.as_os_str()),
            io_error.kind()
        ),
        TantivyError::OpenReadError(OpenReadError::IncompatibleIndex(_))
        | TantivyError::IncompatibleIndex(_)
        | TantivyError::FieldNotFound(_)
        | TantivyError::SchemaError(_) => "it was written by another version of Portico".into(),
        TantivyError::IoError(io_error) => format!("a file cannot be read: {}", io_error.kind()),
        TantivyError::DataCorruption(_) | TantivyError::DeserializeError(_) => {
            "a file is corrupted".into()
        }
        TantivyError::OpenDirectoryError(_) => "its folder cannot be opened".into(),
        TantivyError::LockFailure(..) => "its lock file cannot be taken".into(),
        _ => "tantivy cannot read it".into(),
    }
}

/// Longest file name quoted in a message, in characters.
const MAX_LABEL_CHARS: usize = 60;

/// A file's name for a one-line message, in backticks: control characters
/// escaped, cut at [`MAX_LABEL_CHARS`].
fn file_label(path: &OsStr) -> String {
    let name = Path::new(path)
        .file_name()
        .unwrap_or(path)
        .to_string_lossy();
    let mut label: String = name
        .chars()
        .flat_map(char::escape_debug)
        .take(MAX_LABEL_CHARS)
        .collect();
    if name.chars().flat_map(char::escape_debug).count() > MAX_LABEL_CHARS {
        label.push('…');
    }
    format!("`{label}`")
}

/// The index folder of the site in `site_dir`, checked before tantivy
/// opens anything in it ([`SearchError::NoIndex`] when there is none).
pub fn index_dir(site_dir: &Path) -> Result<PathBuf, SearchError> {
    let no_index = || SearchError::NoIndex(site_dir.display().to_string());
    let damaged = |Damage(cause)| SearchError::Damaged {
        site: site_dir.display().to_string(),
        cause,
    };
    let mut dir = site_dir.to_path_buf();
    for part in Path::new(super::INDEX_DIR).components() {
        dir.push(part);
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.is_symlink() => {
                let cause = format!("{} is a symbolic link", file_label(part.as_os_str()));
                return Err(damaged(Damage(cause)));
            }
            Ok(meta) if meta.is_dir() => {}
            _ => return Err(no_index()),
        }
    }
    if std::fs::symlink_metadata(dir.join("meta.json")).is_err() {
        return Err(no_index());
    }
    check_index_files(&dir).map_err(damaged)?;
    Ok(dir)
}

/// Files tantivy reads whole into memory.
const READ_WHOLE: [&str; 2] = ["meta.json", ".managed.json"];

/// Every entry of the index folder: no symbolic link (tantivy would read a
/// file anywhere, and create its lock file wherever a dangling link
/// points), nothing but files and folders (opening a FIFO waits forever).
fn check_index_files(dir: &Path) -> Result<(), Damage> {
    let unreadable = |e: std::io::Error| Damage(format!("its folder cannot be read: {}", e.kind()));
    for entry in std::fs::read_dir(dir).map_err(unreadable)? {
        let entry = entry.map_err(unreadable)?;
        let name = entry.file_name();
        // Of the entry itself: `DirEntry::metadata` does not follow links.
        let meta = entry.metadata().map_err(unreadable)?;
        let read_whole = READ_WHOLE.iter().any(|whole| name == *whole);
        if meta.is_symlink() {
            return Err(Damage(format!("{} is a symbolic link", file_label(&name))));
        }
        if !(meta.is_file() || meta.is_dir() && !read_whole) {
            return Err(Damage(format!(
                "{} is not a regular file",
                file_label(&name)
            )));
        }
        if read_whole {
            check_json_file(&entry.path(), meta.len())?;
        }
    }
    Ok(())
}

/// A file tantivy reads whole: small, and JSON (tantivy's complaint about
/// it would quote it).
fn check_json_file(path: &Path, len: u64) -> Result<(), Damage> {
    let label = file_label(path.as_os_str());
    if len > MAX_SEARCH_INDEX_META_BYTES {
        return Err(Damage(format!(
            "{label} is too large ({len} bytes; at most {MAX_SEARCH_INDEX_META_BYTES})"
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| Damage(format!("{label} cannot be read: {}", e.kind())))?;
    let is_json = std::str::from_utf8(&bytes)
        .is_ok_and(|text| serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok());
    if !is_json {
        return Err(Damage(format!("{label} is not valid JSON")));
    }
    Ok(())
}

/// Opens the index in `dir` (checked by [`index_dir`]): written by this
/// version of Portico, and every segment file whole.
pub fn open_index(dir: &Path) -> Result<Index, Damage> {
    let index = Index::open_in_dir(dir)?;
    if index.schema() != super::index::schema().0 {
        return Err(Damage(
            "it was written by another version of Portico".to_string(),
        ));
    }
    check_segment_checksums(&index)?;
    check_segment_list(&index)?;
    Ok(index)
}

/// `meta.json`'s list of segments against the segments' own files: each
/// segment once, and as many documents as its files hold (a segment
/// listed twice made every result show twice; a changed `max_doc` another
/// ranking).
fn check_segment_list(index: &Index) -> Result<(), Damage> {
    let metas = index.load_metas()?;
    let mut ids = std::collections::HashSet::new();
    if !metas.segments.iter().all(|s| ids.insert(s.id())) {
        return Err(Damage("`meta.json` lists a segment twice".into()));
    }
    let searcher = index.reader()?.searcher();
    let seq = super::index::fields_of(&index.schema())?.seq;
    let seq_name = index.schema().get_field_name(seq).to_string();
    for segment in searcher.segment_readers() {
        let column = segment.fast_fields().u64(&seq_name)?;
        if column.num_docs() != segment.max_doc() {
            return Err(Damage(format!(
                "`meta.json` says a segment holds {} documents; its files hold {}",
                segment.max_doc(),
                column.num_docs()
            )));
        }
    }
    Ok(())
}

/// Every file of every segment against the checksum tantivy wrote at its
/// end, so damage is reported before the search rather than met halfway
/// through it, or not noticed at all. One pass over the index: milliseconds
/// for a large portal. (tantivy's `Index::validate_checksum` skips files
/// left out of `.managed.json`.) A missing file is left for tantivy to report.
fn check_segment_checksums(index: &Index) -> Result<(), Damage> {
    let mut files: Vec<PathBuf> = index
        .load_metas()?
        .list_segment_files()
        .into_iter()
        .collect();
    files.sort();
    let directory = index.directory();
    for file in files {
        let exists = tantivy::Directory::exists(directory, &file).map_err(TantivyError::from)?;
        if exists
            && !directory
                .validate_checksum(&file)
                .map_err(TantivyError::from)?
        {
            return Err(Damage(format!(
                "{} does not match its checksum",
                file_label(file.as_os_str())
            )));
        }
    }
    Ok(())
}

type PanicHook = Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send>;

/// Runs `f`, catching a panic, with Rust's panic message silenced on this
/// thread meanwhile (panics on other threads are still reported): the
/// caller says what went wrong in one line of its own, not a backtrace.
pub fn catch_quietly<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> std::thread::Result<T> {
    let this_thread = std::thread::current().id();
    let previous: std::sync::Arc<PanicHook> = std::sync::Arc::new(std::panic::take_hook());
    let for_other_threads = std::sync::Arc::clone(&previous);
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() != this_thread {
            for_other_threads(info);
        }
    }));
    let result = std::panic::catch_unwind(f);
    drop(std::panic::take_hook());
    match std::sync::Arc::try_unwrap(previous) {
        Ok(hook) => std::panic::set_hook(hook),
        // Another thread swapped hooks meanwhile and still holds ours.
        Err(shared) => std::panic::set_hook(Box::new(move |info| shared(info))),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_labels_are_one_short_line() {
        assert_eq!(file_label(OsStr::new("meta.json")), "`meta.json`");
        assert_eq!(file_label(OsStr::new("a/b/x.idx")), "`x.idx`");
        assert_eq!(file_label(OsStr::new("\x1b[31m\n")), "`\\u{1b}[31m\\n`");
        let long = file_label(OsStr::new(&"é".repeat(100)));
        assert_eq!(long, format!("`{}…`", "é".repeat(MAX_LABEL_CHARS)));
    }

    #[test]
    fn tantivy_errors_never_pass_their_text_on() {
        let secret = "hunter2";
        let errors = [
            TantivyError::DataCorruption(tantivy::error::DataCorruption::comment_only(format!(
                "Content: {secret}"
            ))),
            TantivyError::IoError(std::sync::Arc::new(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("invalid type: string \"{secret}\""),
            ))),
            TantivyError::SchemaError(secret.to_string()),
            TantivyError::InternalError(secret.to_string()),
        ];
        for e in errors {
            let cause = cause_of(&e);
            assert!(!cause.contains(secret), "{cause}");
            assert!(cause.len() < 80 && !cause.contains('\n'), "{cause}");
        }
    }

    #[test]
    fn a_caught_panic_is_an_error_and_silent_and_the_hook_comes_back() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static MESSAGES: AtomicUsize = AtomicUsize::new(0);
        let this_thread = std::thread::current().id();
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |_| {
            if std::thread::current().id() == this_thread {
                MESSAGES.fetch_add(1, Ordering::SeqCst);
            }
        }));
        let caught = catch_quietly(|| -> u8 { panic!("inside tantivy") });
        let silenced = MESSAGES.load(Ordering::SeqCst) == 0;
        let _ = std::panic::catch_unwind(|| panic!("after"));
        let restored = MESSAGES.load(Ordering::SeqCst) == 1;
        std::panic::set_hook(default);
        assert!(caught.is_err());
        assert!(silenced, "no message for the caught panic");
        assert!(restored, "the previous hook runs again afterwards");
        assert_eq!(catch_quietly(|| 7).ok(), Some(7));
    }
}
