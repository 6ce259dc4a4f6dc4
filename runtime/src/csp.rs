//! The strict Content-Security-Policy every HTML page gets: a nonce per request, which
//! the page compiler writes into every `<script>` it compiled, and a policy that runs no
//! other script. A value that escaped its context still could not run.
//!
//! The policy and its header are described at [`App::strict_csp`](crate::App::strict_csp).

use std::sync::{Arc, OnceLock};

use http::HeaderValue;

tokio::task_local! {
    /// The nonce of the request being rendered, for scripts in `html!` fragments too;
    /// `None` when the response goes out without the strict policy.
    static CURRENT: Option<Arc<Nonce>>;
}

/// A request's nonce, made when the first script is written.
#[derive(Default)]
pub(crate) struct Nonce(OnceLock<String>);

impl Nonce {
    /// The nonce: 128 random bits, hex.
    pub(crate) fn get(&self) -> &str {
        self.0
            .get_or_init(|| format!("{:032x}", rand::random::<u128>()))
    }

    /// The policy for a page that wrote the scripts it wrote with this nonce.
    pub(crate) fn policy(&self) -> HeaderValue {
        match self.0.get() {
            Some(nonce) => HeaderValue::from_str(&format!(
                "script-src 'nonce-{nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'"
            ))
            .expect("a hex nonce is a valid header value"),
            None => {
                HeaderValue::from_static("script-src 'none'; object-src 'none'; base-uri 'none'")
            }
        }
    }
}

/// Runs `page` with the request's nonce reachable from fragments, if it has one.
pub(crate) async fn scope<F: std::future::Future>(nonce: Option<Arc<Nonce>>, page: F) -> F::Output {
    CURRENT.scope(nonce, page).await
}

/// Writes ` nonce="…"` where the page compiler found a `<script` start tag. Without the
/// strict policy, or outside a request (a unit test rendering a fragment), it writes
/// nothing.
#[doc(hidden)]
pub fn write_nonce(out: &mut String) {
    let _ = CURRENT.try_with(|nonce| {
        if let Some(nonce) = nonce {
            out.push_str(" nonce=\"");
            out.push_str(nonce.get());
            out.push('"');
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_policy_names_the_nonce_the_scripts_got() {
        let nonce = Arc::new(Nonce::default());
        assert_eq!(
            nonce.policy(),
            "script-src 'none'; object-src 'none'; base-uri 'none'"
        );
        let mut out = String::from("<script");
        scope(Some(Arc::clone(&nonce)), async { write_nonce(&mut out) }).await;
        let written = out.strip_prefix("<script nonce=\"").unwrap();
        let value = written.strip_suffix('"').unwrap();
        assert_eq!(value.len(), 32);
        assert!(nonce
            .policy()
            .to_str()
            .unwrap()
            .starts_with(&format!("script-src 'nonce-{value}' 'strict-dynamic';")));
        let mut outside = String::new();
        write_nonce(&mut outside);
        scope(None, async { write_nonce(&mut outside) }).await;
        assert_eq!(
            outside, "",
            "no nonce outside a request or without the policy"
        );
    }
}
