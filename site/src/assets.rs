//! The site's static files: everything in `site/static/` is embedded in the binary and
//! served under `/static/` (`/static/style.css`, `/static/favicon.svg`), with ETags,
//! precompressed gzip and brotli variants and range requests. `build.rs` makes cargo
//! notice files added to the folder.

rsp::assets!("/static", "static");
