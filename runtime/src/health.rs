//! Health and readiness, for a load balancer or an orchestrator to probe: `GET /healthz`
//! answers 200 while the process serves (nothing checked, nothing logged at info level);
//! `GET /readyz` answers 200 when the site can take requests, and 503 once shutdown has
//! begun or a check the app registered fails. Both paths can be moved or turned off.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, Method, StatusCode};

use crate::body::Outgoing;

/// How long a readiness check may take before it counts as failed.
const CHECK_LIMIT: Duration = Duration::from_secs(2);

type CheckFuture = Pin<Box<dyn Future<Output = Result<(), String>> + Send>>;

/// A readiness check the app registered, and its name for the answer.
pub(crate) struct Check {
    name: &'static str,
    run: Box<dyn Fn() -> CheckFuture + Send + Sync>,
}

/// The probe paths and the readiness checks.
pub(crate) struct Probes {
    pub(crate) health: Option<String>,
    pub(crate) ready: Option<String>,
    checks: Vec<Check>,
}

impl Default for Probes {
    fn default() -> Self {
        Self {
            health: Some("/healthz".into()),
            ready: Some("/readyz".into()),
            checks: Vec::new(),
        }
    }
}

impl Probes {
    pub(crate) fn add_check<F, Fut>(&mut self, name: &'static str, check: F)
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), String>> + Send + 'static,
    {
        self.checks.push(Check {
            name,
            run: Box::new(move || Box::pin(check())),
        });
    }

    /// Whether `path` is one of the probes'.
    pub(crate) fn is_probe(&self, path: &str) -> bool {
        self.health.as_deref() == Some(path) || self.ready.as_deref() == Some(path)
    }

    /// A start-up error if a page is on a probe's path.
    pub(crate) fn check_pages<'p>(
        &self,
        pages: impl Iterator<Item = &'p crate::registry::PageEntry>,
    ) -> Result<(), String> {
        for page in pages {
            let Some(pattern) = page.target.pattern() else {
                continue;
            };
            let (probe, setting) = if self.health.as_deref() == Some(pattern) {
                ("health check", "--health-path")
            } else if self.ready.as_deref() == Some(pattern) {
                ("readiness check", "--ready-path")
            } else {
                continue;
            };
            return Err(format!(
                "the page `{}` ({}:{}) is on {pattern}, the path of the {probe}: move the \
                 page, or the {probe} with {setting} PATH (or {setting} off)",
                page.name, page.file, page.line
            ));
        }
        Ok(())
    }

    /// The answer to a probe, or `None` if `path` is none.
    pub(crate) async fn answer(
        &self,
        method: &Method,
        path: &str,
        stopping: bool,
    ) -> Option<http::Response<Outgoing>> {
        let ready = self.ready.as_deref() == Some(path);
        if !ready && self.health.as_deref() != Some(path) {
            return None;
        }
        if method != Method::GET && method != Method::HEAD {
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD\n".into());
            response
                .headers_mut()
                .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
            return Some(response);
        }
        if !ready {
            return Some(plain(StatusCode::OK, "ok\n".into()));
        }
        if stopping {
            return Some(plain(StatusCode::SERVICE_UNAVAILABLE, "stopping\n".into()));
        }
        let runs = self.checks.iter().map(|check| async move {
            match tokio::time::timeout(CHECK_LIMIT, (check.run)()).await {
                Ok(Ok(())) => None,
                Ok(Err(why)) => Some(format!("{}: {why}\n", check.name)),
                Err(_) => Some(format!(
                    "{}: no answer within {} s\n",
                    check.name,
                    CHECK_LIMIT.as_secs()
                )),
            }
        });
        let failed: String = futures_util::future::join_all(runs)
            .await
            .into_iter()
            .flatten()
            .collect();
        Some(if failed.is_empty() {
            plain(StatusCode::OK, "ready\n".into())
        } else {
            tracing::warn!("not ready: {}", failed.trim_end().replace('\n', "; "));
            plain(StatusCode::SERVICE_UNAVAILABLE, failed)
        })
    }
}

fn plain(status: StatusCode, text: String) -> http::Response<Outgoing> {
    let mut response = http::Response::new(Outgoing::Bytes(Some(Bytes::from(text))));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl std::fmt::Debug for Probes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probes")
            .field("health", &self.health)
            .field("ready", &self.ready)
            .field(
                "checks",
                &self.checks.iter().map(|c| c.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}
