//! The serving benchmark's axum server, rendering with askama, as an axum user would
//! write it. See `tests/measure/serving.sh`.

use askama::Template;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use rsp_tests::fortunes::{self, Fortune};

#[derive(Template)]
#[template(path = "fortunes.html")]
struct FortunesPage {
    fortunes: Vec<Fortune>,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let stored: &'static [Fortune] = Box::leak(fortunes::stored().into_boxed_slice());
    let app = Router::new()
        .route(
            "/fortunes",
            get(move || async move {
                let page = FortunesPage {
                    fortunes: fortunes::for_request(stored),
                };
                Html(page.render().unwrap_or_default())
            }),
        )
        .route("/static", get(|| async { Html(fortunes::STATIC_PAGE) }));
    let listener = tokio::net::TcpListener::bind(fortunes::addr()).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await
}
