//! What the page being rendered reaches without being handed it: fragments (`html!`,
//! layouts, `Render` values) write a `<script>`'s nonce and a form's CSRF field from here.
//!
//! One task-local for both, set once around each poll of the page: a scope costs a
//! thread-local swap in and out on every poll.

use std::sync::Arc;

use crate::csp::Nonce;
use crate::session::SessionId;

tokio::task_local! {
    static CURRENT: Rendering;
}

/// The request a page is rendering for.
pub(crate) struct Rendering {
    /// For the CSRF fields of forms.
    pub(crate) session: Arc<SessionId>,
    /// For the scripts; `None` when the response goes out without the strict policy.
    pub(crate) nonce: Option<Arc<Nonce>>,
}

/// Runs `page` with `rendering` reachable from everything it renders.
pub(crate) fn scope<F: std::future::Future>(
    rendering: Rendering,
    page: F,
) -> tokio::task::futures::TaskLocalFuture<Rendering, F> {
    CURRENT.scope(rendering, page)
}

/// `read` of the request being rendered; `None` outside a page (a unit test rendering a
/// fragment).
pub(crate) fn with<R>(read: impl FnOnce(&Rendering) -> R) -> Option<R> {
    CURRENT.try_with(read).ok()
}

/// Writes ` nonce="…"` where the page compiler found a `<script` start tag. Without the
/// strict policy, or outside a request, it writes nothing.
#[doc(hidden)]
pub fn write_nonce(out: &mut String) {
    with(|rendering| {
        if let Some(nonce) = &rendering.nonce {
            out.push_str(" nonce=\"");
            out.push_str(nonce.get());
            out.push('"');
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookie::RequestCookies;

    fn session() -> Arc<SessionId> {
        let cookies = RequestCookies::new(&http::HeaderMap::new());
        Arc::new(SessionId::new(cookies, Arc::new(cookie::Key::generate())))
    }

    #[tokio::test]
    async fn scripts_get_the_nonce_of_the_page_being_rendered() {
        let nonce = Arc::new(Nonce::default());
        let rendering = Rendering {
            session: session(),
            nonce: Some(Arc::clone(&nonce)),
        };
        let mut out = String::from("<script");
        scope(rendering, async { write_nonce(&mut out) }).await;
        assert_eq!(out, format!("<script nonce=\"{}\"", nonce.get()));

        let mut outside = String::new();
        write_nonce(&mut outside);
        let without_policy = Rendering {
            session: session(),
            nonce: None,
        };
        scope(without_policy, async { write_nonce(&mut outside) }).await;
        assert_eq!(
            outside, "",
            "no nonce outside a request or without the policy"
        );
    }
}
