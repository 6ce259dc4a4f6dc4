//! `assets!`: a folder → a table of embedded files and the route that serves it.
//!
//! One pass at compile time: walk the folder (below the crate's `CARGO_MANIFEST_DIR`),
//! and for each file compute its key (the `/`-separated path below the folder), content
//! type, strong ETag (SHA-256, first 128 bits, hex) and its gzip and brotli variants.
//! The file itself is embedded with `include_bytes!`, so cargo rebuilds when it changes;
//! the variants, computed from the same bytes, are byte-string literals. Files and
//! folders whose name starts with `.` are left out (`.env`, `.DS_Store`, `.git`).
//! The runtime's `rsp::__private::serve_asset` answers from the table.
//!
//! Each file is also served at a *fingerprinted* path, its content hash before its
//! extension (`style.css` → `style.2cf24dba.css`), which never changes meaning and is
//! cached for a year. The expansion defines `asset!` in the calling module: `asset!
//! ("style.css")` is the fingerprinted URL, computed here; a name that is not in the
//! folder is a compile error.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Literal, Span, TokenStream};
use quote::quote;
use sha2::{Digest, Sha256};
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

use crate::media_types;

/// `"/prefix", "folder"` with an optional trailing comma.
struct AssetsDef {
    prefix: LitStr,
    folder: LitStr,
}

impl Parse for AssetsDef {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let usage = "expected `assets!(\"/url-prefix\", \"folder\")`";
        let prefix: LitStr = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), usage))?;
        input.parse::<Token![,]>()?;
        let folder: LitStr = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), usage))?;
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(input.error(usage));
        }
        Ok(Self { prefix, folder })
    }
}

/// One file found in the folder.
#[derive(Debug)]
struct File {
    /// `/`-separated path below the folder: the lookup key.
    key: String,
    /// Where it is, for `include_bytes!`.
    path: PathBuf,
}

/// Folders nested deeper than this are a mistake (or a symbolic link loop).
const MAX_DEPTH: usize = 32;

/// Expands `assets!("/prefix", "folder")`.
pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<AssetsDef>(input).and_then(|def| generate(&def)) {
        Ok(tokens) => tokens,
        Err(error) => error.to_compile_error(),
    }
}

fn generate(def: &AssetsDef) -> syn::Result<TokenStream> {
    let pattern = route(&def.prefix.value()).map_err(|e| syn::Error::new(def.prefix.span(), e))?;
    let folder_error = |message: String| syn::Error::new(def.folder.span(), message);
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .ok_or_else(|| folder_error("assets!: CARGO_MANIFEST_DIR is not set".into()))?;
    let root = Path::new(&manifest).join(def.folder.value());
    if !root.is_dir() {
        return Err(folder_error(format!(
            "assets!: `{}` is not a folder",
            root.display()
        )));
    }
    let mut files = Vec::new();
    collect(&root, "", 0, &mut files).map_err(folder_error)?;
    files.sort_by(|a, b| a.key.cmp(&b.key));

    let prefix = def.prefix.value();
    let base = prefix.trim_end_matches('/');
    let mut entries = Vec::with_capacity(files.len());
    let mut urls = Vec::with_capacity(files.len());
    for file in &files {
        let bytes = std::fs::read(&file.path)
            .map_err(|e| folder_error(format!("assets!: {}: {e}", file.path.display())))?;
        let location = file.path.to_str().ok_or_else(|| {
            folder_error(format!(
                "assets!: {} is not a UTF-8 path",
                file.path.display()
            ))
        })?;
        let fingerprinted = fingerprinted(&file.key, &bytes);
        let (key, url) = (&file.key, format!("{base}/{fingerprinted}"));
        urls.push(quote!((#key) => { #url };));
        entries.push(entry(&file.key, &fingerprinted, location, &bytes));
    }
    let folder = def.folder.value();
    let unknown = format!("is not a file of the assets in `{folder}`");

    Ok(quote! {
        /// The fingerprinted URL of a file of this module's `assets!`, as a string: its
        /// content hash is in it, so it is cached for a year and changes with the file.
        #[allow(unused_macros)]
        macro_rules! asset {
            #(#urls)*
            ($other:literal) => {
                ::core::compile_error!(::core::concat!("asset!: `", $other, "` ", #unknown))
            };
        }
        #[allow(unused_imports)]
        pub(crate) use asset;

        const _: () = {
            static __RSP_ASSETS: ::rsp::__private::Assets = ::rsp::__private::Assets {
                files: &[#(#entries),*],
            };

            fn __rsp_assets<'a>(
                req: &'a mut ::rsp::Request,
                _res: &'a mut ::rsp::Response,
            ) -> ::rsp::__private::PageFuture<'a> {
                ::rsp::__private::serve_asset(&__RSP_ASSETS, req)
            }

            ::rsp::__private::inventory::submit! {
                ::rsp::__private::PageEntry {
                    target: ::rsp::__private::Target::Route { pattern: #pattern, methods: &[::rsp::Method::GET] },
                    name: ::core::concat!(::core::module_path!(), "::assets!(", #prefix, ")"),
                    file: ::core::file!(),
                    line: ::core::line!(),
                    handler: __rsp_assets,
                    csrf: false,
                    // Files, not pages: any HTML among them is served as it is.
                    csp: false,
                    json_errors: false,
                }
            }
        };
    })
}

/// The route of a URL prefix: `"/static"` → `"/static/{*path}"`, `"/"` → `"/{*path}"`.
fn route(prefix: &str) -> Result<String, String> {
    if !prefix.starts_with('/') {
        return Err(format!(
            "assets!: the URL prefix must start with `/`: `{prefix}`"
        ));
    }
    if prefix.contains(['{', '}', '*', '?', '#']) {
        return Err(format!(
            "assets!: the URL prefix must be a plain path, without `{{`, `}}`, `*`, `?` or `#`: `{prefix}`"
        ));
    }
    Ok(format!("{}/{{*path}}", prefix.trim_end_matches('/')))
}

/// Every file below `dir`, recursively, keyed by `/`-joined names; dot-files are skipped.
fn collect(dir: &Path, prefix: &str, depth: usize, out: &mut Vec<File>) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "assets!: {} is nested more than {MAX_DEPTH} folders deep (a link loop?)",
            dir.display()
        ));
    }
    let read = |e: std::io::Error| format!("assets!: {}: {e}", dir.display());
    for entry in std::fs::read_dir(dir).map_err(read)? {
        let entry = entry.map_err(read)?;
        let path = entry.path();
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(format!(
                "assets!: {} has a name that is not UTF-8",
                path.display()
            ));
        };
        if name.starts_with('.') {
            continue;
        }
        if name.contains('\\') {
            return Err(format!(
                "assets!: {} has a backslash in its name and cannot be served",
                path.display()
            ));
        }
        let key = format!("{prefix}{name}");
        // Follows symbolic links: a link to a file is that file.
        let meta =
            std::fs::metadata(&path).map_err(|e| format!("assets!: {}: {e}", path.display()))?;
        if meta.is_dir() {
            collect(&path, &format!("{key}/"), depth + 1, out)?;
        } else if meta.is_file() {
            out.push(File { key, path });
        }
    }
    Ok(())
}

/// `key` with the first 8 hex digits of its content hash before its extension:
/// `css/site.css` → `css/site.2cf24dba.css`.
fn fingerprinted(key: &str, bytes: &[u8]) -> String {
    let hash = &etag(bytes)[1..9];
    let (dir, name) = key.rsplit_once('/').map_or(("", key), |(d, n)| (d, n));
    let name = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash}.{ext}"),
        _ => format!("{name}.{hash}"),
    };
    if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    }
}

/// The `Asset { … }` of one file.
fn entry(key: &str, fingerprinted: &str, location: &str, bytes: &[u8]) -> TokenStream {
    let extension = key.rsplit_once('.').map_or("", |(_, ext)| ext);
    let content_type = media_types::content_type(extension);
    let etag = etag(bytes);
    let (gzip, br) = if media_types::compressible(extension) {
        (smaller(gzip(bytes), bytes), smaller(brotli(bytes), bytes))
    } else {
        (None, None)
    };
    let variant = |body: Option<Vec<u8>>, suffix: &str| match body {
        Some(body) => {
            let body = Literal::byte_string(&body);
            let etag = format!("\"{}-{suffix}\"", etag.trim_matches('"'));
            quote!(::core::option::Option::Some(::rsp::__private::Variant { body: #body, etag: #etag }))
        }
        None => quote!(::core::option::Option::None),
    };
    let gzip = variant(gzip, "gz");
    let br = variant(br, "br");
    let location = LitStr::new(location, Span::call_site());
    quote! {
        ::rsp::__private::Asset {
            path: #key,
            fingerprinted: #fingerprinted,
            body: ::core::include_bytes!(#location),
            content_type: #content_type,
            etag: #etag,
            gzip: #gzip,
            br: #br,
        }
    }
}

/// The strong ETag of some bytes: the first 128 bits of their SHA-256, hex, quoted.
fn etag(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for byte in &digest[..16] {
        let _ = write!(tag, "{byte:02x}");
    }
    tag.push('"');
    tag
}

/// A variant kept only if it is smaller than the original.
fn smaller(variant: Vec<u8>, original: &[u8]) -> Option<Vec<u8>> {
    (variant.len() < original.len()).then_some(variant)
}

/// How hard to compress. The macro runs again each time the crate compiles, and brotli's
/// best level takes seconds per megabyte, so development builds take fast levels that
/// lose a few percent (brotli 5, gzip 6) and release builds the best ones (11 and 9).
/// A proc macro is built with the debug assertions of the profile being built, so
/// `debug_assertions` tells the two apart.
const BEST: bool = !cfg!(debug_assertions);

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let level = if BEST {
        flate2::Compression::best()
    } else {
        flate2::Compression::default()
    };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    // Writing to a Vec cannot fail.
    encoder.write_all(bytes).expect("gzip into memory");
    encoder.finish().expect("gzip into memory")
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let quality = if BEST { 11 } else { 5 };
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, quality, 22);
        encoder.write_all(bytes).expect("brotli into memory");
        encoder.flush().expect("brotli into memory");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    /// A fresh folder under the system temp dir, removed at the end of the test.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir =
                std::env::temp_dir().join(format!("rsp-assets-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, key: &str, bytes: &[u8]) {
            let path = self.0.join(key);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn routes_come_from_the_prefix() {
        assert_eq!(route("/static").unwrap(), "/static/{*path}");
        assert_eq!(route("/static/").unwrap(), "/static/{*path}");
        assert_eq!(route("/a/b").unwrap(), "/a/b/{*path}");
        assert_eq!(route("/").unwrap(), "/{*path}");
        assert!(route("static").is_err());
        assert!(route("/s/{x}").is_err());
        assert!(route("/s?x").is_err());
    }

    #[test]
    fn fingerprints_go_before_the_extension() {
        assert_eq!(fingerprinted("style.css", b"hello"), "style.2cf24dba.css");
        assert_eq!(
            fingerprinted("js/app.min.js", b"hello"),
            "js/app.min.2cf24dba.js"
        );
        assert_eq!(fingerprinted("LICENSE", b"hello"), "LICENSE.2cf24dba");
        assert_eq!(fingerprinted("d/.x", b"hello"), "d/.x.2cf24dba");
    }

    #[test]
    fn etags_are_strong_quoted_content_hashes() {
        let tag = etag(b"hello");
        assert_eq!(tag, "\"2cf24dba5fb0a30e26e83b2ac5b9e29e\"");
        assert_ne!(etag(b"hello!"), tag);
    }

    #[test]
    fn variants_decompress_to_the_original_and_are_kept_only_if_smaller() {
        let text = "body { color: #333; }\n".repeat(50);
        let gz = gzip(text.as_bytes());
        let mut back = String::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        let br = brotli(text.as_bytes());
        let mut back = String::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_string(&mut back)
            .unwrap();
        assert_eq!(back, text);
        assert!(smaller(gz, text.as_bytes()).is_some());
        assert!(smaller(gzip(b"x"), b"x").is_none());
    }

    #[test]
    fn the_walk_keys_files_by_path_and_skips_dot_files() {
        let dir = TempDir::new("walk");
        dir.write("a.css", b"a");
        dir.write("nested/deeper/b.txt", b"b");
        dir.write(".env", b"SECRET=1");
        dir.write(".git/config", b"x");
        let mut files = Vec::new();
        collect(&dir.0, "", 0, &mut files).unwrap();
        let mut keys: Vec<_> = files.iter().map(|f| f.key.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["a.css", "nested/deeper/b.txt"]);
    }

    #[test]
    fn the_expansion_embeds_each_file_and_registers_one_route() {
        let dir = TempDir::new("expand");
        dir.write("style.css", "p { margin: 0 }\n".repeat(40).as_bytes());
        dir.write("img/logo.png", b"\x89PNG\r\n\x1a\n");
        let folder = dir.0.to_str().unwrap();
        let code = expand(quote!("/static", #folder)).to_string();
        assert!(code.contains(r#"pattern : "/static/{*path}""#), "{code}");
        assert!(code.contains("include_bytes !"), "{code}");
        // Sorted by key, for the runtime's binary search.
        let logo = code.find(r#"path : "img/logo.png""#).unwrap();
        let style = code.find(r#"path : "style.css""#).unwrap();
        assert!(logo < style);
        assert!(code.contains(r#""text/css; charset=utf-8""#));
        assert!(code.contains("-br\\\""), "{code}");
        assert!(code.contains("-gz\\\""), "{code}");
    }

    #[test]
    fn mistakes_are_compile_errors() {
        let missing = expand(quote!("/static", "no/such/folder")).to_string();
        assert!(missing.contains("is not a folder"), "{missing}");
        let prefix = expand(quote!("static", "src")).to_string();
        assert!(prefix.contains("must start with"), "{prefix}");
        let usage = expand(quote!("/static")).to_string();
        assert!(usage.contains("expected"), "{usage}");
        let extra = expand(quote!("/static", "src", "x")).to_string();
        assert!(extra.contains("expected"), "{extra}");
    }
}
