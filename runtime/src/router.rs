//! The pages registered in the binary, arranged for lookup by path and method.

use std::collections::HashMap;

use http::Method;
use percent_encoding::percent_decode_str;

use crate::registry::{PageEntry, Target};

/// What a request's method and path lead to.
pub(crate) enum Lookup {
    Page {
        entry: &'static PageEntry,
        params: Vec<(String, String)>,
    },
    /// The path exists, the method does not: the value of the `Allow` header, and whether
    /// a page of the path answers errors in JSON.
    WrongMethod {
        allow: String,
        json: bool,
    },
    Missing,
    /// A path segment that does not percent-decode to UTF-8.
    BadPath,
}

struct Route {
    pages: Vec<(Method, &'static PageEntry)>,
}

pub(crate) struct Router {
    paths: matchit::Router<usize>,
    routes: Vec<Route>,
    status_pages: HashMap<u16, &'static PageEntry>,
}

impl Router {
    /// Arranges every page of the binary. Two pages for the same method and path, or
    /// routes the router cannot tell apart, are reported here, before serving.
    pub(crate) fn from_pages(
        pages: impl Iterator<Item = &'static PageEntry>,
    ) -> Result<Self, String> {
        let mut paths = matchit::Router::new();
        let mut routes: Vec<Route> = Vec::new();
        let mut by_pattern: HashMap<&'static str, usize> = HashMap::new();
        let mut status_pages = HashMap::new();
        for entry in pages {
            match entry.target {
                Target::Status(code) => {
                    if let Some(other) = status_pages.insert(code, entry) {
                        return Err(format!(
                            "two pages for status {code}: {} and {}",
                            other.name, entry.name
                        ));
                    }
                }
                Target::Route { pattern, methods } => {
                    let index = match by_pattern.get(pattern) {
                        Some(&index) => index,
                        None => {
                            paths.insert(pattern, routes.len()).map_err(|e| {
                                conflict(entry, e, |with| {
                                    routes.iter().find_map(|r: &Route| {
                                        let (_, page) = r.pages.first()?;
                                        (page.target.pattern() == Some(with)).then_some(*page)
                                    })
                                })
                            })?;
                            routes.push(Route { pages: Vec::new() });
                            by_pattern.insert(pattern, routes.len() - 1);
                            routes.len() - 1
                        }
                    };
                    let route = &mut routes[index];
                    for method in methods {
                        if let Some((_, other)) = route.pages.iter().find(|(m, _)| *m == method) {
                            return Err(format!(
                                "two pages answer {method} {pattern}: {} and {}",
                                described(other),
                                described(entry)
                            ));
                        }
                        route.pages.push((method.clone(), entry));
                    }
                }
            }
        }
        Ok(Self {
            paths,
            routes,
            status_pages,
        })
    }

    pub(crate) fn find(&self, method: &Method, path: &str) -> Lookup {
        let Ok(matched) = self.paths.at(path) else {
            return Lookup::Missing;
        };
        let route = &self.routes[*matched.value];
        // A GET page answers HEAD too.
        let wanted = if method == Method::HEAD {
            &Method::GET
        } else {
            method
        };
        let Some((_, entry)) = route.pages.iter().find(|(m, _)| m == wanted) else {
            return Lookup::WrongMethod {
                allow: allow_header(route),
                json: route.pages.iter().any(|(_, page)| page.json_errors),
            };
        };
        let mut params = Vec::new();
        for (name, raw) in matched.params.iter() {
            match percent_decode_str(raw).decode_utf8() {
                Ok(value) => params.push((name.to_owned(), value.into_owned())),
                Err(_) => return Lookup::BadPath,
            }
        }
        Lookup::Page { entry, params }
    }

    pub(crate) fn status_page(&self, status: u16) -> Option<&'static PageEntry> {
        self.status_pages.get(&status).copied()
    }
}

/// A page as a start-up error names it: its function and where it is.
fn described(page: &PageEntry) -> String {
    format!("`{}` ({}:{})", page.name, page.file, page.line)
}

/// Why `entry`'s route cannot be added, in a sentence; `page_of` finds the page of an
/// earlier route by its pattern.
fn conflict<'a>(
    entry: &PageEntry,
    error: matchit::InsertError,
    page_of: impl Fn(&str) -> Option<&'a PageEntry>,
) -> String {
    let pattern = entry.target.pattern().unwrap_or_default();
    match error {
        matchit::InsertError::Conflict { with } => {
            let other = page_of(&with).map_or_else(
                || format!("`{with}`"),
                |page| format!("`{with}` of {}", described(page)),
            );
            format!(
                "the routes `{pattern}` of {} and {other} match the same paths, and the \
                 router cannot tell which one a request is for (a typed parameter such as \
                 `{{id: u64}}` is checked after routing, so it does not set routes apart): \
                 give one of them a literal segment of its own, such as `/notes/by-name/{{name}}`",
                described(entry)
            )
        }
        other => format!(
            "the route `{pattern}` of {} cannot be routed: {other}",
            described(entry)
        ),
    }
}

fn allow_header(route: &Route) -> String {
    let mut methods: Vec<&str> = route.pages.iter().map(|(m, _)| m.as_str()).collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::PageFuture;
    use crate::{Request, Response};

    fn handler<'a>(_: &'a mut Request, _: &'a mut Response) -> PageFuture<'a> {
        Box::pin(async { Ok(Response::default()) })
    }

    fn page(name: &'static str, pattern: &'static str, line: u32) -> &'static PageEntry {
        Box::leak(Box::new(PageEntry {
            target: Target::Route {
                pattern,
                methods: &[Method::GET],
            },
            name,
            file: "src/pages/notes.rs",
            line,
            handler,
            csrf: true,
            csp: true,
            json_errors: false,
        }))
    }

    #[test]
    fn start_up_errors_name_both_pages_and_where_they_are() {
        let pages = [
            page("notes::by_id", "/notes/{id}", 4),
            page("notes::by_name", "/notes/{name}", 12),
        ];
        let Err(error) = Router::from_pages(pages.into_iter()) else {
            panic!("the routes conflict");
        };
        assert!(
            error.contains("`/notes/{name}` of `notes::by_name` (src/pages/notes.rs:12)"),
            "{error}"
        );
        assert!(
            error.contains("`/notes/{id}` of `notes::by_id` (src/pages/notes.rs:4)"),
            "{error}"
        );
        assert!(error.contains("cannot tell which"), "{error}");

        let twice = [page("a::one", "/x", 1), page("b::two", "/x", 2)];
        let Err(error) = Router::from_pages(twice.into_iter()) else {
            panic!("two pages for GET /x");
        };
        assert_eq!(
            error,
            "two pages answer GET /x: `a::one` (src/pages/notes.rs:1) and `b::two` (src/pages/notes.rs:2)"
        );
    }
}
