//! Page positions and diagnostics.
//!
//! Stable Rust cannot point a span inside a string literal, so every diagnostic about
//! page text carries its position in the message: `page line:col`, the line itself and
//! a caret under the offending column.

/// A problem at a byte offset of the page text.
///
/// ```
/// use rsp_compiler::source::{Diagnostic, PageSource};
///
/// let page = PageSource { text: "<p>\n  <%= x", first_line: Some(10) };
/// assert_eq!(
///     page.render(&Diagnostic::new(6, "unclosed tag")),
///     "page line 2, column 3 (file line 11): unclosed tag\n  |\n2 |   <%= x\n  |   ^"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub offset: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
        }
    }
}

/// The text of a page body and where it stands in the Rust file.
#[derive(Debug, Clone, Copy)]
pub struct PageSource<'a> {
    pub text: &'a str,
    /// Line in the `.rs` file where page line 1 is, when the compiler tells us.
    pub first_line: Option<usize>,
}

impl PageSource<'_> {
    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        (line, col)
    }

    /// The message of a diagnostic, with the page position and the line with a caret.
    pub fn render(&self, diagnostic: &Diagnostic) -> String {
        let (line, col) = self.line_col(diagnostic.offset);
        let line_text = self.text.lines().nth(line - 1).unwrap_or("");
        let caret_pad: String = line_text
            .chars()
            .take(col - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let gutter = " ".repeat(line.to_string().len());
        let file_note = match self.first_line {
            Some(first) => format!(" (file line {})", first + line - 1),
            None => String::new(),
        };
        format!(
            "page line {line}, column {col}{file_note}: {msg}\n{gutter} |\n{line} | {line_text}\n{gutter} | {caret_pad}^",
            msg = diagnostic.message,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> PageSource<'_> {
        PageSource {
            text,
            first_line: None,
        }
    }

    #[test]
    fn line_and_column_are_one_based_in_characters() {
        let page = source("ab\ncé<%x");
        assert_eq!(page.line_col(0), (1, 1));
        assert_eq!(page.line_col(3), (2, 1));
        assert_eq!(page.line_col(6), (2, 3));
    }

    #[test]
    fn render_shows_line_and_caret() {
        let page = source("<p>\n  <%= x\n</p>");
        let text = page.render(&Diagnostic::new(6, "unclosed tag"));
        assert_eq!(
            text,
            "page line 2, column 3: unclosed tag\n  |\n2 |   <%= x\n  |   ^"
        );
    }

    #[test]
    fn render_names_the_file_line_when_known() {
        let mut page = source("a\nb");
        page.first_line = Some(10);
        assert!(page
            .render(&Diagnostic::new(2, "oops"))
            .starts_with("page line 2, column 1 (file line 11): oops"));
    }
}
