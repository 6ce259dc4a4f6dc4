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
    /// The path exists, the method does not: the value of the `Allow` header.
    WrongMethod(String),
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
                                format!("route `{pattern}` of {} conflicts: {e}", entry.name)
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
                                other.name, entry.name
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
            return Lookup::WrongMethod(allow_header(route));
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

fn allow_header(route: &Route) -> String {
    let mut methods: Vec<&str> = route.pages.iter().map(|(m, _)| m.as_str()).collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods.join(", ")
}
