//! The constraints a post form declares to the browser (`required`, `maxlength`,
//! `minlength`, `min`, `max`, `pattern`, `type=email|url|number`), read from the form's
//! static attributes into rules the runtime checks on the server before the page that
//! receives the form runs, so the browser's checks and the server's cannot drift.
//!
//! Which attributes constrain what lives here; what each constraint means for a value
//! lives in the runtime's `constraints` module, which checks them.
//!
//! What is left out, so that the server never refuses what the browser would send: a form
//! with `novalidate` or a computed `action`; a field whose name or type is computed, that
//! has a `form`, `disabled` or `readonly` attribute, or that submits no text (hidden,
//! file, buttons); a constraint whose value is computed or set in only some branches;
//! `required` on a field inside an `if` or a loop the form is not in.

use proc_macro2::TokenStream;
use quote::quote;

use crate::html::{Attrs, Field, Form};
use crate::numbers::valid_float;
use crate::source::Diagnostic;

/// A form's rules: the expression of an `rsp::__private::FormRules`, or `None` when the
/// form declares nothing to check. `page` is the expression of the rendering page's name,
/// when there is a page.
pub(crate) fn rules(
    form: &Form,
    page: Option<&TokenStream>,
) -> Result<Option<TokenStream>, Diagnostic> {
    if has(&form.attrs, "novalidate") {
        return Ok(None);
    }
    let action = match value(&form.attrs, "action") {
        Some(Some(action)) => Some(action.split(['?', '#']).next().unwrap_or("").to_owned()),
        Some(None) => return Ok(None),
        None => None,
    };
    if action.is_none() && page.is_none() {
        // A fragment's form that posts to whatever page it is on.
        return Ok(None);
    }
    let mut fields = Vec::new();
    for field in &form.fields {
        if let Some(rule) = field_rule(field)? {
            fields.push(rule);
        }
    }
    if fields.is_empty() {
        return Ok(None);
    }
    let action = match action {
        Some(action) => quote!(::core::option::Option::Some(#action)),
        None => quote!(::core::option::Option::None),
    };
    let page = match page {
        Some(page) => quote!(::core::option::Option::Some(#page)),
        None => quote!(::core::option::Option::None),
    };
    Ok(Some(quote! {
        ::rsp::__private::FormRules {
            page: #page,
            action: #action,
            file: ::core::file!(),
            line: ::core::line!(),
            fields: &[#(#fields),*],
        }
    }))
}

/// The value of attribute `name`: `None` if absent, `Some(None)` if computed.
fn value<'a>(attrs: &'a Attrs, name: &str) -> Option<Option<&'a str>> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_deref())
}

fn has(attrs: &Attrs, name: &str) -> bool {
    value(attrs, name).is_some()
}

fn field_rule(field: &Field) -> Result<Option<TokenStream>, Diagnostic> {
    let attrs = &field.attrs;
    let Some(Some(name)) = value(attrs, "name") else {
        return Ok(None);
    };
    if name.is_empty()
        || ["form", "disabled", "readonly"]
            .iter()
            .any(|a| has(attrs, a))
    {
        return Ok(None);
    }
    let kind = match field.tag.as_str() {
        "textarea" => "Text",
        "select" => "Select",
        _ => match value(attrs, "type").map(|t| t.map(str::to_ascii_lowercase)) {
            None => "Text",
            Some(None) => return Ok(None),
            Some(Some(kind)) => match kind.trim() {
                "" | "text" | "search" | "tel" | "password" => "Text",
                "email" => "Email",
                "url" => "Url",
                "number" | "range" => "Number",
                "checkbox" => "Checkbox",
                "radio" => "Radio",
                "hidden" | "file" | "submit" | "reset" | "button" | "image" => return Ok(None),
                // Dates, times, colours: only `required` is checked.
                _ => "Other",
            },
        },
    };
    let textual = matches!(kind, "Text" | "Email" | "Url");
    let required = !field.conditional && matches!(value(attrs, "required"), Some(Some(_)));
    let length = |attr: &str| {
        let limit = value(attrs, attr).flatten().filter(|_| textual);
        match limit.and_then(|v| v.trim().parse::<usize>().ok()) {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        }
    };
    let bound = |attr: &str| {
        let limit = value(attrs, attr).flatten().filter(|_| kind == "Number");
        match limit.and_then(|v| valid_float(v.trim())) {
            Some(n) => quote!(::core::option::Option::Some(#n)),
            None => quote!(::core::option::Option::None),
        }
    };
    let pattern = match value(attrs, "pattern").flatten() {
        Some(pattern) if textual && field.tag == "input" => {
            if let Err(e) = regex_lite::Regex::new(&format!("^(?:{pattern})$")) {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or_default().trim();
                return Err(Diagnostic::new(
                    field.offset,
                    format!(
                        "the pattern of field `{name}` cannot be checked on the server: {}; \
                         write it in the syntax both browsers and the server's regex engine \
                         accept (regex-lite: no look-around, no \\p{{..}} classes), or add \
                         `novalidate` to the form",
                        why.strip_prefix("error: ").unwrap_or(why)
                    ),
                ));
            }
            quote!(::core::option::Option::Some(#pattern))
        }
        _ => quote!(::core::option::Option::None),
    };
    let multiple = kind == "Email" && has(attrs, "multiple");
    let (min_length, max_length) = (length("minlength"), length("maxlength"));
    let (min, max) = (bound("min"), bound("max"));
    let kind = proc_macro2::Ident::new(kind, proc_macro2::Span::call_site());
    Ok(Some(quote! {
        ::rsp::__private::FieldRule {
            name: #name,
            kind: ::rsp::__private::FieldKind::#kind,
            required: #required,
            min_length: #min_length,
            max_length: #max_length,
            min: #min,
            max: #max,
            pattern: #pattern,
            multiple: #multiple,
        }
    }))
}
