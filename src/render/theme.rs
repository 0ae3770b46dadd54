//! A user's theme folder, layered over the default theme: every file in
//! `<theme>/static/` is published under `assets/`, replacing the default
//! file of the same name (`portico.css`, `favicon.svg`, ...) or adding one;
//! `static/custom.css`, when present, is linked by every page after the
//! default stylesheet. The site's logo (`[site] logo`) is copied the same way.

use crate::output::OutputFile;
use std::path::Path;

/// Largest file a theme may publish.
use crate::limits::MAX_THEME_FILE_BYTES as MAX_FILE_BYTES;

/// What a theme adds to the site.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Theme {
    /// Files for `assets/`, by path from the site root.
    pub files: Vec<OutputFile>,
    /// Pages link `assets/custom.css`.
    pub custom_css: bool,
    /// The logo's path from the site root (`assets/logo.svg`).
    pub logo: Option<String>,
    /// The theme's templates: (name, path, text), e.g. `base.html`.
    pub templates: Vec<(String, String, String)>,
}

/// Reads the theme folder and the logo; a problem is a usage error.
pub fn load(theme_dir: Option<&Path>, logo: Option<&Path>) -> Result<Theme, String> {
    let mut theme = Theme::default();
    if let Some(dir) = theme_dir {
        if !dir.is_dir() {
            return Err(format!(
                "theme folder `{}` does not exist (--theme or [site] theme)",
                dir.display()
            ));
        }
        let statics = dir.join("static");
        if statics.is_dir() {
            collect(&statics, &statics, &mut theme.files)?;
        }
        theme.files.sort_by(|a, b| a.path.cmp(&b.path));
        theme.templates = templates(&dir.join("templates"))?;
        theme.custom_css = theme.files.iter().any(|f| f.path == "assets/custom.css");
    }
    if let Some(logo) = logo {
        let name = logo
            .extension()
            .and_then(|e| e.to_str())
            .filter(|e| {
                ["svg", "png", "jpg", "jpeg", "webp", "gif"]
                    .contains(&e.to_ascii_lowercase().as_str())
            })
            .ok_or_else(|| {
                format!(
                    "logo `{}` must be an .svg, .png, .jpg, .webp or .gif file ([site] logo)",
                    logo.display()
                )
            })?;
        let path = format!("assets/logo.{}", name.to_ascii_lowercase());
        // `[site] logo` wins over a theme file of the same name.
        theme.files.retain(|f| f.path != path);
        theme.files.push(OutputFile::new(path.clone(), read(logo)?));
        theme.logo = Some(path);
    }
    Ok(theme)
}

/// The theme's templates. Only the default theme's template names can be
/// overridden; any other file in `templates/` is a mistake worth saying.
fn templates(dir: &Path) -> Result<Vec<(String, String, String)>, String> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let known: Vec<&str> = crate::render::shell::TEMPLATES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    let mut found = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !known.contains(&name.as_str()) {
            return Err(format!(
                "`{}`: a theme can override these templates only: {}",
                path.display(),
                known.join(", ")
            ));
        }
        let text = String::from_utf8(read(&path)?)
            .map_err(|_| format!("`{}` is not UTF-8 text", path.display()))?;
        found.push((name, path.display().to_string(), text));
    }
    found.sort();
    Ok(found)
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::symlink_metadata(path)
        .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    if !meta.is_file() {
        return Err(format!("`{}` is not a regular file", path.display()));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "`{}` is {} bytes; theme files may have at most {MAX_FILE_BYTES}",
            path.display(),
            meta.len()
        ));
    }
    std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

/// Every regular file below `dir` (symbolic links are not followed, so a
/// theme cannot publish files from outside its folder).
fn collect(root: &Path, dir: &Path, out: &mut Vec<OutputFile>) -> Result<(), String> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        let kind = entry
            .file_type()
            .map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if kind.is_dir() {
            collect(root, &path, out)?;
        } else if kind.is_file() {
            let Some(relative) = path
                .strip_prefix(root)
                .ok()
                .and_then(|r| r.to_str())
                .map(|r| r.replace('\\', "/"))
            else {
                return Err(format!(
                    "theme file `{}` needs a UTF-8 name",
                    path.display()
                ));
            };
            out.push(OutputFile::new(format!("assets/{relative}"), read(&path)?));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_files_layer_over_assets_and_symlinks_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let statics = dir.path().join("static");
        std::fs::create_dir_all(statics.join("img")).unwrap();
        std::fs::write(statics.join("custom.css"), "body{}").unwrap();
        std::fs::write(statics.join("img/a.png"), "png").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc/hostname", statics.join("leak.txt")).unwrap();
        let theme = load(Some(dir.path()), None).unwrap();
        let paths: Vec<&str> = theme.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["assets/custom.css", "assets/img/a.png"]);
        assert!(theme.custom_css);
    }

    #[test]
    fn a_missing_theme_or_a_bad_logo_is_an_error() {
        assert!(load(Some(Path::new("/no/such/theme")), None).is_err());
        let dir = tempfile::tempdir().unwrap();
        let logo = dir.path().join("logo.exe");
        std::fs::write(&logo, "x").unwrap();
        assert!(
            load(None, Some(&logo))
                .unwrap_err()
                .contains("must be an .svg")
        );
        let svg = dir.path().join("Logo.SVG");
        std::fs::write(&svg, "<svg/>").unwrap();
        assert_eq!(
            load(None, Some(&svg)).unwrap().logo.as_deref(),
            Some("assets/logo.svg")
        );
    }
}
