//! What an edit changed: nothing, only the static text of page bodies, or code.
//!
//! The sources are read when a build starts; each later edit is compared with that
//! snapshot, which is what the running site was compiled from. A `.rs` file whose only
//! differences are inside the body literals of `page!`, `layout!` and `html!` invocations, each
//! body keeping its skeleton (`rsp_compiler::skeleton`), is a text edit: the site can
//! take the new text of those bodies. Anything else needs a build.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use rsp_compiler::skeleton::skeleton;

/// The `.rs` files of the workspace as a build compiled them.
pub(crate) struct Snapshot {
    files: HashMap<PathBuf, String>,
}

/// A body whose text changed: its file as rustc names it (relative to the workspace),
/// and its compiled and new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Swap {
    pub(crate) file: String,
    pub(crate) compiled: String,
    pub(crate) new: String,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Change {
    None,
    Text(Vec<Swap>),
    Code,
}

impl Snapshot {
    /// Reads every `.rs` file below `root`, but the target directory and hidden folders.
    pub(crate) fn take(root: &Path) -> Self {
        let mut files = HashMap::new();
        let mut folders = vec![root.to_path_buf()];
        while let Some(folder) = folders.pop() {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if crate::watch::ignored(root, &path) {
                    continue;
                }
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        files.insert(path, text);
                    }
                }
            }
        }
        Self { files }
    }

    /// What the edits of `paths` changed since the snapshot.
    pub(crate) fn classify(&self, paths: &[PathBuf], root: &Path) -> Change {
        let mut swaps = Vec::new();
        for path in paths {
            let now = std::fs::read_to_string(path).ok();
            let before = self.files.get(path);
            match (before, now) {
                (None, None) => {}
                (Some(before), Some(now)) if path.extension().is_some_and(|e| e == "rs") => {
                    if *before == now {
                        continue;
                    }
                    let Some(file) = path.strip_prefix(root).ok().and_then(Path::to_str) else {
                        return Change::Code;
                    };
                    match text_edits(before, &now) {
                        Some(edits) => {
                            swaps.extend(edits.into_iter().map(|(compiled, new)| Swap {
                                file: file.to_owned(),
                                compiled,
                                new,
                            }))
                        }
                        None => return Change::Code,
                    }
                }
                // A file added, removed, or not Rust (a stylesheet, a manifest).
                _ => return Change::Code,
            }
        }
        if swaps.is_empty() {
            Change::None
        } else {
            Change::Text(swaps)
        }
    }
}

/// The bodies whose text changed from `before` to `now` as `(compiled, new)`, if nothing
/// else changed; `None` if something else did.
fn text_edits(before: &str, now: &str) -> Option<Vec<(String, String)>> {
    let (old_bodies, old_rest) = bodies(before)?;
    let (new_bodies, new_rest) = bodies(now)?;
    if old_rest != new_rest || old_bodies.len() != new_bodies.len() {
        return None;
    }
    let mut edits = Vec::new();
    for (old, new) in old_bodies.into_iter().zip(new_bodies) {
        if old == new {
            continue;
        }
        let same = skeleton(&old)?;
        if skeleton(&new)? != same {
            return None;
        }
        edits.push((old, new));
    }
    Some(edits)
}

/// The body texts of the `page!`, `layout!` and `html!` invocations of a file, in order, and the
/// file with those literals left out.
fn bodies(file: &str) -> Option<(Vec<String>, String)> {
    let tokens = TokenStream::from_str(file).ok()?;
    let mut literals = Vec::new();
    find_bodies(tokens, &mut literals);
    literals.sort_by_key(|(range, _)| range.start);
    let mut rest = String::with_capacity(file.len());
    let mut done = 0;
    let mut texts = Vec::new();
    for (range, text) in literals {
        rest.push_str(file.get(done..range.start)?);
        done = range.end;
        texts.push(text);
    }
    rest.push_str(file.get(done..)?);
    Some((texts, rest))
}

/// Collects the body literal (its byte range and value) of every `page! {…}` and
/// `layout! {…}` (its last string literal) and `html!(…)` (its first), at any depth.
fn find_bodies(tokens: TokenStream, found: &mut Vec<(std::ops::Range<usize>, String)>) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        let TokenTree::Group(group) = tree else {
            continue;
        };
        let invoked = match (i.checked_sub(2).map(|j| &trees[j]), trees.get(i - 1)) {
            (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)))
                if bang.as_char() == '!' && group.delimiter() != Delimiter::None =>
            {
                Some(name.to_string())
            }
            _ => None,
        };
        let literals = group.stream().into_iter().filter_map(|tree| match tree {
            TokenTree::Literal(literal) => Some(literal),
            _ => None,
        });
        let body = match invoked.as_deref() {
            Some("page" | "layout") => literals.last(),
            Some("html") => literals.into_iter().next(),
            _ => None,
        };
        if let Some(literal) = body {
            if let Some(text) = string_value(&literal) {
                found.push((literal.span().byte_range(), text));
            }
        }
        find_bodies(group.stream(), found);
    }
}

/// The value of a string literal, plain or raw; `None` for other literals.
fn string_value(literal: &proc_macro2::Literal) -> Option<String> {
    let tokens: TokenStream = TokenTree::Literal(literal.clone()).into();
    syn::parse2::<syn::LitStr>(tokens).ok().map(|l| l.value())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"use rsp::prelude::*;

page! {
    GET "/" => home;
    let name = "x";
    r#"<h1>Hi</h1>
<p><%= name %></p>"#
}

fn part() -> impl Render {
    html!("<b>bold</b>")
}

layout! {
    frame;
    r#"<nav>site</nav><%= page.body %>"#
}
"##;

    #[test]
    fn only_text_changed() {
        let now = PAGE
            .replace("<h1>Hi</h1>", "<h1>Hello\nthere</h1>")
            .replace("<b>bold</b>", "<i>it</i>")
            .replace("<nav>site</nav>", "<nav>the site</nav>");
        let edits = text_edits(PAGE, &now).unwrap();
        assert_eq!(edits.len(), 3);
        assert_eq!(edits[0].1, "<h1>Hello\nthere</h1>\n<p><%= name %></p>");
        assert_eq!(edits[1], ("<b>bold</b>".into(), "<i>it</i>".into()));
        assert_eq!(edits[2].1, "<nav>the site</nav><%= page.body %>");
    }

    #[test]
    fn code_changed() {
        for now in [
            PAGE.replace("let name = \"x\";", "let name = \"y\";"),
            PAGE.replace("<%= name %>", "<%= name.len() %>"),
            PAGE.replace("<p><%= name %></p>", "<a href=\"<%= name %>\">"),
            PAGE.replace("fn part()", "fn piece()"),
        ] {
            assert_eq!(text_edits(PAGE, &now), None, "{now}");
        }
        assert_eq!(text_edits(PAGE, PAGE), Some(vec![]));
    }
}
