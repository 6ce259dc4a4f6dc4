//! The strict Content-Security-Policy every HTML page gets: a nonce per request, which
//! the page compiler writes into every `<script>` it compiled, and a policy that runs no
//! other script. A value that escaped its context still could not run.
//!
//! The policy and its header are described at [`App::strict_csp`](crate::App::strict_csp).

use std::sync::OnceLock;

use http::HeaderValue;

/// A request's nonce, made when the first script is written (by
/// [`rendering::write_nonce`](crate::rendering::write_nonce)).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_nonce_once_one_was_made() {
        let nonce = Nonce::default();
        assert_eq!(
            nonce.policy(),
            "script-src 'none'; object-src 'none'; base-uri 'none'"
        );
        let value = nonce.get().to_owned();
        assert_eq!(value.len(), 32);
        assert!(value.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(nonce.get(), value, "one nonce per request");
        assert_eq!(
            nonce.policy(),
            format!(
                "script-src 'nonce-{value}' 'strict-dynamic'; object-src 'none'; base-uri 'none'"
            )
        );
    }
}
