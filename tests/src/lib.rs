//! The harness of the end-to-end tests: start an app on an ephemeral loopback port in the
//! test process and talk to it with a real HTTP client.

pub mod browser;
pub mod fortunes;
pub mod pebble;
pub mod postgres;
pub mod tls;

use std::future::Future;
use std::io;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running app and a client for it (cookie store on, redirects not followed).
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<io::Result<()>>,
}

/// Binds `app` to `127.0.0.1:0` and serves it in the background.
pub async fn serve(app: rsp::App) -> TestServer {
    let server = app.bind("127.0.0.1:0").await.expect("bind a loopback port");
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    TestServer {
        base,
        client: client(),
        stop: Some(stop),
        task,
    }
}

/// A client that keeps cookies and shows redirects as they are.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("build a client")
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// GET `path` and return status and body.
    pub async fn fetch(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        let status = res.status().as_u16();
        (status, res.text().await.expect("body"))
    }

    /// The server still answers a plain page after whatever came before.
    pub async fn assert_alive(&self, path: &str) {
        let res = reqwest::get(self.url(path)).await.expect("server answers");
        assert!(res.status().is_success(), "{path}: {}", res.status());
    }

    /// Signals shutdown without waiting for it.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Signals shutdown and waits for the server to finish; returns how the run ended.
    pub fn shutdown(mut self) -> impl Future<Output = io::Result<()>> {
        self.begin_shutdown();
        async move { self.task.await.expect("server task") }
    }
}

/// The body of a GET of `url` with `client` (its cookies, its session), whatever the
/// status.
pub async fn page_text(client: &reqwest::Client, url: &str) -> String {
    let res = client.get(url).send().await.expect("an answer");
    res.text().await.expect("a whole body")
}

/// The CSRF token of the form on the page at `url`, as `client` (and its session) gets it.
pub async fn form_token(client: &reqwest::Client, url: &str) -> String {
    csrf_token(&page_text(client, url).await)
}

/// The value of the first hidden `_csrf` field in a page.
pub fn csrf_token(page: &str) -> String {
    let start = page.find(r#"name="_csrf" value=""#).expect("a CSRF field") + 20;
    page[start..start + 64].to_owned()
}
