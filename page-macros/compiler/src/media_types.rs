//! Media types by file extension: what `assets!` embeds a file as at compile time, and
//! what the runtime sends a file from disk as. One table for both.

/// The `Content-Type` for a file extension (any case); text types are UTF-8.
pub fn content_type(extension: &str) -> &'static str {
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Whether precompressing can pay: known types that are not compressed already.
/// Unknown types are left alone too (they may be archives, videos, …).
pub fn compressible(extension: &str) -> bool {
    matches!(
        extension.to_ascii_lowercase().as_str(),
        "html"
            | "htm"
            | "css"
            | "js"
            | "mjs"
            | "txt"
            | "json"
            | "map"
            | "xml"
            | "svg"
            | "ico"
            | "wasm"
            | "ttf"
            | "otf"
            | "pdf"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension_in_any_case() {
        assert_eq!(content_type("css"), "text/css; charset=utf-8");
        assert_eq!(content_type("JS"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("svg"), "image/svg+xml");
        assert_eq!(content_type("jpeg"), "image/jpeg");
        assert_eq!(content_type("woff2"), "font/woff2");
        assert_eq!(content_type("map"), "application/json");
        assert_eq!(content_type(""), "application/octet-stream");
        assert_eq!(content_type("exe"), "application/octet-stream");
        assert!(compressible("CSS") && compressible("svg") && compressible("wasm"));
        assert!(!compressible("png") && !compressible("woff2") && !compressible("zip"));
    }
}
