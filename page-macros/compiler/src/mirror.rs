//! Rust errors at the page's own line and column, on stable Rust.
//!
//! rustc cannot point inside a string literal (`Literal::subspan` is unstable), but it
//! points exactly into any real file. So the code of a body is written to a *mirror
//! file* whose lines match the `.rs` file: each tag's code stands at its own line and,
//! where the line has room, its own column; static text is left out (its writes trail
//! the code before it, on one line). The macro then expands to `include!` of that file,
//! and rustc reports `no field titel` at the mirror's line 19, column 20 — the page's
//! line 19, column 20 in the `.rs` file — with the author's code in the snippet.
//!
//! The file lives under the target directory, at a path that mirrors the source:
//! `target/rsp/<package>/src/pages/notes.13.rs` for the body that starts on line 13 of
//! `src/pages/notes.rs`. Its contents depend only on the page, and it is written only
//! when they change (through a temporary file and a rename), so parallel builds, `cargo
//! check`, clippy and rust-analyzer can all expand the same page without a rebuild loop.
//! When no path can be had, the code is expanded in place, as before. On a nightly
//! compiler, where `Literal::subspan` works, no mirror is written: the code gets spans of
//! the page's own bytes instead (see `spans`).

use std::fs;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proc_macro2::TokenStream;
use quote::quote;

use crate::codegen::{Piece, OPEN};
use crate::source::PageSource;

/// Where a body literal stands in its `.rs` file, as the compiler reports it.
#[derive(Debug, Clone)]
pub struct Location {
    /// The file, as rustc names it (relative to the directory it runs in, or absolute);
    /// `None` for code that is not in a file on disk.
    pub file: Option<PathBuf>,
    /// 1-based line of the literal's first character.
    pub line: usize,
    /// 1-based column of the literal's first character.
    pub column: usize,
}

/// Where a body's mirror file goes, and where its page text starts.
#[derive(Debug)]
pub(crate) struct Mirror {
    path: PathBuf,
    /// The path as `include!` takes it: relative to the page's own folder, so that
    /// messages name it the same way wherever the project is.
    from_page: PathBuf,
    text: String,
    /// The line and column in the `.rs` file of the page's first character.
    first_line: usize,
    first_column: usize,
}

impl Mirror {
    /// The mirror of the body literal `literal` (its token text, `r#"…"#`) at `location`,
    /// or `None` when the crate's directories cannot be told.
    pub(crate) fn new(location: &Location, literal: &str, text: &str) -> Option<Self> {
        let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
        let package = std::env::var("CARGO_PKG_NAME").ok()?;
        let source = fs::canonicalize(location.file.as_ref()?).ok()?;
        let in_package = match source.strip_prefix(fs::canonicalize(&manifest).ok()?) {
            Ok(inside) => inside.to_path_buf(),
            // A file outside the package (a test harness's): its folder and name.
            Err(_) => source
                .iter()
                .rev()
                .take(2)
                .collect::<Vec<_>>()
                .iter()
                .rev()
                .collect(),
        };
        let stem = in_package.file_stem()?.to_str()?;
        let name = format!("{stem}.{}.rs", location.line);
        let path = fs::canonicalize(target_dir(&manifest))
            .unwrap_or_else(|_| target_dir(&manifest))
            .join("rsp")
            .join(package)
            .join(in_package.parent().unwrap_or(Path::new("")))
            .join(name);
        let from_page = relative(source.parent()?, &path)?;
        // `r#"` and friends stand before the page's first character.
        let opening = literal.find('"')? + 1;
        Some(Self {
            path,
            from_page,
            text: text.to_owned(),
            first_line: location.line,
            first_column: location.column + literal[..opening].chars().count(),
        })
    }

    /// `include!` of the mirror of `pieces`, once the file holds them; `None` if it
    /// cannot be written.
    pub(crate) fn include(&self, pieces: &[Piece<'_>]) -> Option<TokenStream> {
        write_if_changed(&self.path, &self.layout(pieces)).ok()?;
        let path = self.from_page.to_str()?;
        // Lints are the page author's business in their `.rs` file, not in the mirror's
        // generated lines.
        Some(quote!(#[allow(clippy::all)] ::core::include!(#path);))
    }

    /// The mirror file's text: one block expression.
    fn layout(&self, pieces: &[Piece<'_>]) -> String {
        let page = PageSource {
            text: &self.text,
            first_line: None,
        };
        let mut out = Layout {
            text: String::from("{"),
            line: 1,
            column: 2,
        };
        for piece in pieces {
            match piece {
                Piece::Generated(code) => out.append(code),
                Piece::Tag { code, offset } => {
                    out.go_to(self.position(&page, *offset));
                    out.append(code);
                    // A `//` comment would swallow what follows on its line.
                    if code.contains("//") {
                        out.append("\n");
                    }
                }
                Piece::Value {
                    before,
                    code,
                    offset,
                    after,
                } => {
                    let open = OPEN
                        .into_iter()
                        .find(|open| before.ends_with(open))
                        .unwrap_or("");
                    out.append(&before[..before.len() - open.len()]);
                    let (line, column) = self.position(&page, *offset);
                    out.go_to((line, column.saturating_sub(open.len())));
                    out.append(open);
                    out.append(code);
                    if code.contains("//") {
                        out.append("\n");
                    }
                    out.append(after);
                }
            }
        }
        out.append("\n}\n");
        out.text
    }

    /// The line and column in the `.rs` file of a byte offset of the page.
    fn position(&self, page: &PageSource<'_>, offset: usize) -> (usize, usize) {
        let (line, column) = page.line_col(offset);
        if line == 1 {
            (self.first_line, self.first_column + column - 1)
        } else {
            (self.first_line + line - 1, column)
        }
    }
}

/// A text being laid out, and where its end is (1-based, in characters).
struct Layout {
    text: String,
    line: usize,
    column: usize,
}

impl Layout {
    fn append(&mut self, code: &str) {
        // Generated code and tags must not run together (`x` then `__rsp_buf`).
        let joined =
            self.text.ends_with(['{', '(', ' ', '\n']) || code.starts_with([' ', '\n', ')']);
        if !joined && !code.is_empty() {
            self.text.push(' ');
            self.column += 1;
        }
        for c in code.chars() {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.text.push_str(code);
    }

    /// Moves to `(line, column)` if it is still ahead.
    fn go_to(&mut self, (line, column): (usize, usize)) {
        if line > self.line {
            self.text
                .extend(std::iter::repeat_n('\n', line - self.line));
            self.line = line;
            self.column = 1;
        }
        if line == self.line && column > self.column {
            self.text
                .extend(std::iter::repeat_n(' ', column - self.column));
            self.column = column;
        }
    }
}

/// The path from the folder `from` to `to`, both absolute: `../../target/…`.
fn relative(from: &Path, to: &Path) -> Option<PathBuf> {
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return None;
    }
    let up = from.components().count() - common;
    let mut path: PathBuf = std::iter::repeat_n(Component::ParentDir, up).collect();
    path.extend(to.components().skip(common));
    Some(path)
}

/// The target directory: `CARGO_TARGET_DIR`, or `target` in the workspace of the
/// package (the nearest folder up from it whose `Cargo.toml` declares a workspace).
fn target_dir(manifest: &Path) -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let root = manifest
        .ancestors()
        .find(|dir| {
            fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|manifest| manifest.contains("[workspace]"))
        })
        .unwrap_or(manifest);
    root.join("target")
}

/// Writes `text` to `path` unless it holds it already; a rename makes the new file
/// appear whole, whatever else is writing it at the same time.
fn write_if_changed(path: &Path, text: &str) -> std::io::Result<()> {
    if fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let temporary = dir.join(format!(
        ".{}.{}.{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("page"),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    fs::write(&temporary, text)?;
    fs::rename(&temporary, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    fn mirror(text: &str, line: usize, column: usize) -> Mirror {
        Mirror {
            path: PathBuf::from("unused"),
            from_page: PathBuf::from("unused"),
            text: text.to_owned(),
            first_line: line,
            first_column: column,
        }
    }

    fn tags(text: &str) -> Vec<Piece<'_>> {
        let tokens = Box::leak(Box::new(lex(text).unwrap()));
        tokens
            .iter()
            .map(|t| match &t.kind {
                crate::lex::TokenKind::Code { code, offset } => Piece::Tag {
                    code,
                    offset: *offset,
                },
                crate::lex::TokenKind::Expr { code, offset } => Piece::Value {
                    before: "w!(".into(),
                    code,
                    offset: *offset,
                    after: ");".into(),
                },
                crate::lex::TokenKind::Text(t) => Piece::Generated(format!("t!({t:?});")),
            })
            .collect()
    }

    #[test]
    fn tags_stand_at_their_line_and_column() {
        // The literal `r#"` starts at line 3, column 5 of the `.rs` file.
        let page = "<p>\n<% for n in &notes { %>\n  <li><%= n.titel %></li>\n<% } %>";
        let laid = mirror(page, 3, 8).layout(&tags(page));
        let lines: Vec<&str> = laid.lines().collect();
        assert_eq!(lines[3].find("for n"), Some(3), "{laid}");
        assert_eq!(lines[4].find("n.titel"), Some(10), "{laid}");
        assert!(lines[5].trim_start().starts_with('}'), "{laid}");
        assert!(laid.starts_with('{') && laid.trim_end().ends_with('}'));
    }

    #[test]
    fn the_first_line_starts_after_the_opening_quote() {
        let page = "<b><%= x %></b>";
        let laid = mirror(page, 2, 9).layout(&tags(page));
        // Page column 8 (`x`) on the literal's line, whose text starts at column 9.
        assert_eq!(
            laid.lines().nth(1).unwrap().find('x'),
            Some(9 + 7 - 1),
            "{laid}"
        );
    }

    #[test]
    fn a_line_comment_ends_its_line() {
        let page = "<% let a = 1; // note %><%= a %>";
        let laid = mirror(page, 1, 1).layout(&tags(page));
        let comment = laid.lines().find(|l| l.contains("// note")).unwrap();
        assert!(comment.trim_end().ends_with("// note"), "{laid}");
    }

    #[test]
    fn include_paths_are_relative_to_the_page() {
        assert_eq!(
            relative(
                Path::new("/p/site/src/pages"),
                Path::new("/p/target/rsp/site/src/pages/notes.13.rs")
            ),
            Some(PathBuf::from(
                "../../../target/rsp/site/src/pages/notes.13.rs"
            ))
        );
    }
}
