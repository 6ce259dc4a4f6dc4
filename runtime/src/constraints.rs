//! Forms checked on the server as the page declares them: the page compiler reads each
//! post form's `required`, `maxlength`, `minlength`, `min`, `max`, `pattern` and
//! `type=email|url|number` into [`FormRules`]; before a page that receives the form runs,
//! the posted fields are checked against them, and a field that breaks one is a 400 that
//! names it. The browser checks the same attributes, so the two cannot drift.
//!
//! A form is matched to the page it posts to: its static `action`, or, without one, the
//! page that rendered it; a page several forms post to accepts what any of them allows. A
//! form opts out with `novalidate`, as it does in the browser. Fields a script adds and
//! other request bodies (JSON) are not checked.
//!
//! ```
//! use rsp::prelude::*;
//!
//! page! {
//!     GET | POST "/note" => note;
//!     // A POST with an empty title, or one of 81 characters, is refused before this runs.
//!     r#"<form method="post"><input name="title" required maxlength="80"></form>"#
//! }
//! ```

use std::collections::HashMap;

use regex_lite::Regex;
use rsp_compiler::numbers::valid_float;

use crate::form::{Form, FormRejection};
use crate::registry::PageEntry;
use crate::router::{Lookup, Router};
use crate::Request;

/// A post form's constraints, as the page compiler found them.
#[doc(hidden)]
#[derive(Debug)]
pub struct FormRules {
    /// The name of the page that renders the form, if a page does.
    pub page: Option<&'static str>,
    /// The form's static `action`, without query; `None` posts to the rendering page.
    pub action: Option<&'static str>,
    pub file: &'static str,
    pub line: u32,
    pub fields: &'static [FieldRule],
}

inventory::collect!(FormRules);

/// One field's constraints.
#[doc(hidden)]
#[derive(Debug)]
pub struct FieldRule {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// In UTF-16 code units, as browsers count.
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// An HTML `pattern`: the whole value must match it.
    pub pattern: Option<&'static str>,
    /// `type=email multiple`: a comma-separated list.
    pub multiple: bool,
}

/// What a field's value must be.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text,
    Email,
    Url,
    Number,
    Checkbox,
    Radio,
    Select,
    /// Dates, times, colours: only `required` is checked.
    Other,
}

/// The forms each page receives, resolved once at start.
#[derive(Default)]
pub(crate) struct Constraints {
    by_page: HashMap<&'static str, Vec<&'static FormRules>>,
    patterns: HashMap<&'static str, Regex>,
}

impl Constraints {
    /// Matches every declared form to the page it posts to.
    pub(crate) fn resolve(router: &Router) -> Self {
        let pages: Vec<&'static PageEntry> = inventory::iter::<PageEntry>.into_iter().collect();
        let mut constraints = Self::default();
        for rules in inventory::iter::<FormRules> {
            let target = match (rules.action, rules.page) {
                (Some(action), _) if action.starts_with('/') => {
                    match router.find(&http::Method::POST, action) {
                        Lookup::Page { entry, .. } => Some(entry.name),
                        _ => None,
                    }
                }
                (None, Some(page)) => pages
                    .iter()
                    .find(|p| p.name == page)
                    .and_then(|rendering| posted_to(&pages, rendering)),
                _ => None,
            };
            let Some(target) = target else { continue };
            for pattern in rules.fields.iter().filter_map(|f| f.pattern) {
                // The compiler checked the syntax; a pattern past the engine's size limits
                // goes unchecked rather than refuse every request.
                if let Ok(regex) = Regex::new(&format!("^(?:{pattern})$")) {
                    constraints.patterns.insert(pattern, regex);
                }
            }
            constraints.by_page.entry(target).or_default().push(rules);
        }
        constraints
    }

    /// Checks a POST to `page` against the forms that post to it.
    pub(crate) async fn check(&self, page: &str, req: &mut Request) -> Result<(), FormRejection> {
        let Some(forms) = self.by_page.get(page) else {
            return Ok(());
        };
        let kind = req
            .header(http::header::CONTENT_TYPE.as_str())
            .unwrap_or("");
        let essence = kind.split(';').next().unwrap_or("").trim();
        let fields: Vec<(String, String)> =
            if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
                let form: Form = req.form().await?;
                form.iter()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect()
            } else if essence.eq_ignore_ascii_case("multipart/form-data") {
                let upload = req
                    .peek_upload()
                    .await
                    .map_err(|e| FormRejection::InvalidField {
                        origin: "form",
                        field: String::new(),
                        message: e.to_string(),
                    })?;
                upload
                    .fields()
                    .map(|(n, v)| (n.to_owned(), v.to_owned()))
                    .collect()
            } else {
                return Ok(());
            };
        let mut first = None;
        for rules in forms {
            match self.violation(rules, &fields) {
                None => return Ok(()),
                Some(found) => {
                    first.get_or_insert(found);
                }
            }
        }
        let (field, message) = first.expect("at least one form");
        Err(FormRejection::InvalidField {
            origin: "form",
            field: field.to_owned(),
            message,
        })
    }

    /// The first field of `rules` that `fields` breaks, and why.
    fn violation(
        &self,
        rules: &FormRules,
        fields: &[(String, String)],
    ) -> Option<(&'static str, String)> {
        for rule in rules.fields {
            let values: Vec<&str> = fields
                .iter()
                .filter(|(name, _)| name == rule.name)
                .map(|(_, value)| value.as_str())
                .collect();
            let pattern = rule.pattern.and_then(|p| self.patterns.get(p));
            if let Err(why) = check_field(rule, &values, pattern) {
                return Some((rule.name, why));
            }
        }
        None
    }
}

/// The page a form rendered by `rendering` posts to when it has no `action`: the page on
/// the same route that takes POST.
fn posted_to(pages: &[&'static PageEntry], rendering: &PageEntry) -> Option<&'static str> {
    let pattern = rendering.target.pattern()?;
    pages
        .iter()
        .find(|p| p.target.pattern() == Some(pattern) && p.target.accepts(&http::Method::POST))
        .map(|p| p.name)
}

/// Checks one field's values (none if it was not sent) against its rule.
fn check_field(rule: &FieldRule, values: &[&str], pattern: Option<&Regex>) -> Result<(), String> {
    let present = values.iter().any(|v| match rule.kind {
        FieldKind::Checkbox | FieldKind::Radio => true,
        _ => !v.is_empty(),
    });
    if rule.required && !present {
        return Err(match rule.kind {
            FieldKind::Checkbox => "it must be checked (required)".to_owned(),
            FieldKind::Radio | FieldKind::Select => "choose one (required)".to_owned(),
            _ => "it must not be empty (required)".to_owned(),
        });
    }
    for value in values.iter().filter(|v| !v.is_empty()) {
        check_value(rule, value, pattern)?;
    }
    Ok(())
}

fn check_value(rule: &FieldRule, value: &str, pattern: Option<&Regex>) -> Result<(), String> {
    // As the browser counts: UTF-16 code units, a line break one.
    let length = value.encode_utf16().count() - value.matches("\r\n").count();
    if let Some(max) = rule.max_length.filter(|max| length > *max) {
        return Err(format!(
            "it is {length} characters long, more than {max} (maxlength)"
        ));
    }
    if let Some(min) = rule.min_length.filter(|min| length < *min) {
        return Err(format!(
            "it is {length} characters long, fewer than {min} (minlength)"
        ));
    }
    match rule.kind {
        FieldKind::Email => {
            let mut addresses = if rule.multiple {
                value.split(',').map(str::trim).collect()
            } else {
                vec![value]
            };
            if let Some(bad) = addresses.iter_mut().find(|a| !is_email(a)) {
                return Err(format!("`{bad}` is not an email address"));
            }
        }
        FieldKind::Url if !is_absolute_url(value) => {
            return Err("it is not an absolute URL".to_owned());
        }
        FieldKind::Number => {
            let Some(number) = valid_float(value) else {
                return Err("it is not a number".to_owned());
            };
            if let Some(min) = rule.min.filter(|min| number < *min) {
                return Err(format!("it is less than {min} (min)"));
            }
            if let Some(max) = rule.max.filter(|max| number > *max) {
                return Err(format!("it is more than {max} (max)"));
            }
        }
        _ => {}
    }
    if let Some(pattern) = pattern {
        if !pattern.is_match(value) {
            return Err("it does not match the field's pattern".to_owned());
        }
    }
    Ok(())
}

/// HTML's "valid email address": the browser's own check for `type=email`.
fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    local_ok && domain.split('.').all(label_ok)
}

/// A scheme, a colon and something after it: what browsers accept for `type=url`.
fn is_absolute_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    let mut scheme_chars = scheme.chars();
    scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.trim().is_empty()
        && !url.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(kind: FieldKind) -> FieldRule {
        FieldRule {
            name: "f",
            kind,
            required: false,
            min_length: None,
            max_length: None,
            min: None,
            max: None,
            pattern: None,
            multiple: false,
        }
    }

    #[test]
    fn lengths_are_counted_as_browsers_count_them() {
        let limited = FieldRule {
            max_length: Some(3),
            min_length: Some(2),
            ..rule(FieldKind::Text)
        };
        for ok in ["ab", "abc", "a\r\nb", "é😀"] {
            assert_eq!(check_field(&limited, &[ok], None), Ok(()), "{ok:?}");
        }
        for bad in ["abcd", "a", "😀😀"] {
            assert!(check_field(&limited, &[bad], None).is_err(), "{bad:?}");
        }
        // Constraints but `required` apply to values that were given.
        assert_eq!(check_field(&limited, &[""], None), Ok(()));
        assert_eq!(check_field(&limited, &[], None), Ok(()));
    }

    #[test]
    fn required_fields() {
        let required = |kind| FieldRule {
            required: true,
            ..rule(kind)
        };
        assert!(check_field(&required(FieldKind::Text), &[], None).is_err());
        assert!(check_field(&required(FieldKind::Text), &[""], None).is_err());
        assert_eq!(
            check_field(&required(FieldKind::Text), &["x"], None),
            Ok(())
        );
        assert_eq!(
            check_field(&required(FieldKind::Checkbox), &["on"], None),
            Ok(())
        );
        assert!(check_field(&required(FieldKind::Checkbox), &[], None).is_err());
        assert!(check_field(&required(FieldKind::Select), &[""], None).is_err());
    }

    #[test]
    fn types_and_bounds() {
        let email = rule(FieldKind::Email);
        assert_eq!(check_field(&email, &["ann@example.com"], None), Ok(()));
        for bad in ["ann", "ann@", "@x", "a b@x", "ann@-x.com", "ann@x..com"] {
            assert!(check_field(&email, &[bad], None).is_err(), "{bad:?}");
        }
        let several = FieldRule {
            multiple: true,
            ..rule(FieldKind::Email)
        };
        assert_eq!(check_field(&several, &["a@x.org, b@y.org"], None), Ok(()));
        let url = rule(FieldKind::Url);
        assert_eq!(check_field(&url, &["https://x.org/a?b"], None), Ok(()));
        assert!(check_field(&url, &["x.org"], None).is_err());
        let number = FieldRule {
            min: Some(1.0),
            max: Some(10.0),
            ..rule(FieldKind::Number)
        };
        for ok in ["1", "10", "2.5", "1e1", ".5e1"] {
            assert_eq!(check_field(&number, &[ok], None), Ok(()), "{ok:?}");
        }
        for bad in ["0", "11", "abc", "+3", "inf", "NaN", "1."] {
            assert!(check_field(&number, &[bad], None).is_err(), "{bad:?}");
        }
        let pattern = Regex::new("^(?:[a-z]{3})$").unwrap();
        let coded = rule(FieldKind::Text);
        assert_eq!(check_field(&coded, &["abc"], Some(&pattern)), Ok(()));
        assert!(check_field(&coded, &["abcd"], Some(&pattern)).is_err());
    }
}
