//! The site's static files: everything in `site/static/` is embedded in the binary and
//! served under `/static/` (`/static/style.css`, `/static/favicon.svg`), with ETags,
//! precompressed gzip and brotli variants and range requests. `asset!("style.css")` is
//! the file's fingerprinted URL (`/static/style.1a2b3c4d.css`), cached for a year; the
//! layout uses it. `build.rs` makes cargo notice files added to the folder.

rsp::assets!("/static", "static");
