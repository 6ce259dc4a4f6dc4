//! File uploads: `multipart/form-data` bodies, PHP's `$_FILES`, streamed and size-limited.
//!
//! [`Request::upload`] reads the whole multipart body with [multer]: text fields are kept
//! as strings, files in memory while small and in a temporary file beyond that (deleted
//! when the [`UploadedFile`] is dropped). Every limit is checked while the bytes arrive, so
//! a big or hostile body never sits in memory.

use std::borrow::Cow;
use std::fmt;
use std::fs::{self, File};
use std::io;
use std::path::Path;

use bytes::Bytes;
use futures_util::stream::{Stream, StreamExt};
use http::header::CONTENT_TYPE;
use http::StatusCode;
use tempfile::TempPath;

use crate::body::{self, BodyStream};

mod part_headers;

use part_headers::{PartHeaders, PartHeadersTooLarge, MAX_PART_HEADERS};
use tokio::io::AsyncWriteExt;

/// Most parts (fields and files, empty ones included) one upload may have.
const MAX_PARTS: usize = 1000;
/// Largest text field, in bytes.
const MAX_FIELD: u64 = 64 * 1024;
/// A file larger than this goes to a temporary file instead of memory.
const MEMORY_THRESHOLD: usize = 256 * 1024;
/// Most file bytes one request keeps in memory; files past it go to disk too.
const MEMORY_BUDGET: usize = 1024 * 1024;
/// Longest file name kept, in bytes.
const MAX_NAME: usize = 255;

/// The size limits of uploads, set with [`App::upload_limits`](crate::App::upload_limits).
#[derive(Debug, Clone, Copy)]
pub(crate) struct UploadLimits {
    /// Largest single file, in bytes.
    pub(crate) per_file: u64,
    /// Largest whole multipart body, in bytes.
    pub(crate) total: u64,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            per_file: 8 * 1024 * 1024,
            total: 32 * 1024 * 1024,
        }
    }
}

/// The boundary of a `multipart/form-data` body, or a 415 for another content type.
pub(crate) fn boundary(content_type: &str) -> Result<String, UploadRejection> {
    multer::parse_boundary(content_type).map_err(|_| UploadRejection::UnsupportedType {
        found: content_type.to_owned(),
    })
}

/// Reads and parses a multipart body (see `Request::upload`); what is left of a refused
/// body stays in `body`.
pub(crate) async fn read(
    boundary: String,
    body: &mut BodyStream,
    limits: UploadLimits,
) -> Result<Upload, UploadRejection> {
    let mut headers = PartHeaders::new(&boundary);
    let checked = body.map(move |chunk| {
        let chunk = chunk?;
        headers.check(&chunk)?;
        Ok(chunk)
    });
    parse(checked, boundary, limits).await
}

/// Reads a multipart body into an [`Upload`], checking every limit on the way.
async fn parse<S>(
    body: S,
    boundary: String,
    limits: UploadLimits,
) -> Result<Upload, UploadRejection>
where
    S: Stream<Item = Result<Bytes, body::BoxError>> + Send,
{
    let reject = |e| rejection(e, limits);
    let constraints =
        multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(limits.total));
    let mut multipart = multer::Multipart::with_constraints(body, boundary, constraints);
    let mut upload = Upload::default();
    let mut parts = 0;
    let mut in_memory = 0;
    while let Some(mut part) = multipart.next_field().await.map_err(reject)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(UploadRejection::TooManyParts { limit: MAX_PARTS });
        }
        let name = part.name().unwrap_or("").to_owned();
        match part.file_name() {
            // A part without a name, or an empty file input: nothing to keep.
            _ if name.is_empty() => skip(&mut part).await.map_err(reject)?,
            Some("") => skip(&mut part).await.map_err(reject)?,
            None => {
                let mut value = Vec::new();
                while let Some(chunk) = part.chunk().await.map_err(reject)? {
                    if (value.len() + chunk.len()) as u64 > MAX_FIELD {
                        return Err(UploadRejection::FieldTooLarge {
                            field: name,
                            limit: MAX_FIELD,
                        });
                    }
                    value.extend_from_slice(&chunk);
                }
                let value = String::from_utf8(value).map_err(|_| UploadRejection::InvalidUtf8 {
                    field: name.clone(),
                })?;
                upload.fields.push((name, value));
            }
            Some(raw_name) => {
                let file_name = sanitize_file_name(raw_name);
                let content_type = part
                    .headers()
                    .get(CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let mut sink = Sink::Memory(Vec::new());
                let mut size = 0u64;
                while let Some(chunk) = part.chunk().await.map_err(reject)? {
                    size += chunk.len() as u64;
                    if size > limits.per_file {
                        return Err(UploadRejection::FileTooLarge {
                            field: name,
                            limit: limits.per_file,
                        });
                    }
                    sink.write(&chunk, &mut in_memory)
                        .await
                        .map_err(UploadRejection::Storage)?;
                }
                upload.files.push(UploadedFile {
                    field: name,
                    name: file_name,
                    content_type,
                    size,
                    content: sink.finish().await.map_err(UploadRejection::Storage)?,
                });
            }
        }
    }
    Ok(upload)
}

/// Reads a part to its end, keeping nothing.
async fn skip(part: &mut multer::Field<'_>) -> multer::Result<()> {
    while part.chunk().await?.is_some() {}
    Ok(())
}

fn rejection(error: multer::Error, limits: UploadLimits) -> UploadRejection {
    match error {
        multer::Error::StreamSizeExceeded { .. } => UploadRejection::TooLarge {
            limit: limits.total,
        },
        multer::Error::StreamReadFailed(why) if why.is::<PartHeadersTooLarge>() => {
            UploadRejection::PartHeadersTooLarge {
                limit: MAX_PART_HEADERS,
            }
        }
        multer::Error::StreamReadFailed(why) if body::is_timeout(&*why) => {
            UploadRejection::TimedOut(why.to_string())
        }
        multer::Error::StreamReadFailed(why) => UploadRejection::BodyRead(why.to_string()),
        other => UploadRejection::Malformed(other.to_string()),
    }
}

/// Where a file's bytes go while they arrive.
enum Sink {
    Memory(Vec<u8>),
    Disk(tokio::fs::File, TempPath),
}

impl Sink {
    async fn write(&mut self, chunk: &[u8], in_memory: &mut usize) -> io::Result<()> {
        if let Sink::Memory(buffer) = self {
            let len = buffer.len() + chunk.len();
            if len <= MEMORY_THRESHOLD && *in_memory + chunk.len() <= MEMORY_BUDGET {
                buffer.extend_from_slice(chunk);
                *in_memory += chunk.len();
                return Ok(());
            }
            let held = std::mem::take(buffer);
            *in_memory -= held.len();
            let temp = tokio::task::spawn_blocking(|| {
                tempfile::Builder::new().prefix("rsp-upload-").tempfile()
            })
            .await
            .map_err(io::Error::other)??;
            let (file, path) = temp.into_parts();
            let mut file = tokio::fs::File::from_std(file);
            file.write_all(&held).await?;
            *self = Sink::Disk(file, path);
        }
        match self {
            Sink::Disk(file, _) => file.write_all(chunk).await,
            Sink::Memory(_) => unreachable!("a memory sink moved to disk above"),
        }
    }

    async fn finish(self) -> io::Result<Content> {
        match self {
            Sink::Memory(buffer) => Ok(Content::Memory(Bytes::from(buffer))),
            Sink::Disk(mut file, path) => {
                file.flush().await?;
                drop(file);
                Ok(Content::Disk(path))
            }
        }
    }
}

/// The fields and files of a `multipart/form-data` body, from [`Request::upload`](crate::Request::upload).
///
/// ```no_run
/// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
/// let upload = req.upload().await?;
/// for (name, value) in upload.fields() {
///     println!("{name} = {value}");
/// }
/// for file in upload.files() {
///     println!("{}: {} ({} bytes)", file.field(), file.name(), file.size());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Upload {
    fields: Vec<(String, String)>,
    files: Vec<UploadedFile>,
}

impl Upload {
    /// The first value of a text field (CSRF tokens such as `_csrf` included).
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// let caption = upload.field("caption").unwrap_or("");
    /// # Ok(()) }
    /// ```
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every text field as `(name, value)`, in the order sent.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The text fields read into `T` (a serde type, or a [`Form`](crate::Form)), with the
    /// same rules and 400 errors naming the field as [`Request::form`](crate::Request::form);
    /// the files stay here.
    ///
    /// ```no_run
    /// #[derive(serde::Deserialize)]
    /// struct Attachment { description: String, public: Option<String> }
    ///
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// let about: Attachment = upload.form()?;
    /// for file in upload.files() {
    ///     file.persist(format!("/srv/files/{}", file.name()))?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn form<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::FormRejection> {
        crate::form::decode_pairs(self.fields())
    }

    /// The first file sent in a field (`<input type="file" name="…">`).
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// let Some(avatar) = upload.file("avatar") else {
    ///     return Err(rsp::Error::new(rsp::StatusCode::BAD_REQUEST, "choose a picture"));
    /// };
    /// # Ok(()) }
    /// ```
    pub fn file(&self, field: &str) -> Option<&UploadedFile> {
        self.files.iter().find(|f| f.field == field)
    }

    /// Every file, in the order sent. Empty file inputs (no file chosen) are not here.
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// // `<input type="file" name="docs" multiple>`
    /// let docs: Vec<_> = upload.files().iter().filter(|f| f.field() == "docs").collect();
    /// # Ok(()) }
    /// ```
    pub fn files(&self) -> &[UploadedFile] {
        &self.files
    }
}

/// Where an uploaded file's bytes are.
enum Content {
    Memory(Bytes),
    /// A temporary file, deleted on drop.
    Disk(TempPath),
}

/// One uploaded file, as PHP's `$_FILES['field']`: kept in memory when small, else in a
/// temporary file that is deleted when this value is dropped.
pub struct UploadedFile {
    field: String,
    name: String,
    content_type: String,
    size: u64,
    content: Content,
}

impl UploadedFile {
    /// The form field it was sent in.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The client's file name, made safe to use as a file name: no directories (all up to
    /// the last `/` or `\` is gone), no control characters, no leading dots (so neither
    /// `..` nor hidden files), at most 255 bytes (keeping the extension); `upload` if
    /// nothing is left. It is still the client's choice: check the extension before
    /// serving the file back, and never trust it to be unique.
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// // sent as `filename="../../etc/passwd"`
    /// let upload = req.upload().await?;
    /// assert_eq!(upload.file("doc").map(|f| f.name()), Some("passwd"));
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The content type the client sent (`image/png`), or `application/octet-stream`.
    /// The client may lie: look at the bytes when it matters.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The content, from memory or read from the temporary file (blocking file I/O).
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// if let Some(csv) = upload.file("csv") {
    ///     let text = String::from_utf8(csv.bytes()?.into_owned())?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn bytes(&self) -> io::Result<Cow<'_, [u8]>> {
        match &self.content {
            Content::Memory(bytes) => Ok(Cow::Borrowed(bytes)),
            Content::Disk(path) => fs::read(path).map(Cow::Owned),
        }
    }

    /// The temporary file that holds a large upload; `None` while it is in memory.
    /// The file is deleted when this `UploadedFile` is dropped.
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// if let Some(path) = upload.file("video").and_then(|f| f.path()) {
    ///     std::process::Command::new("ffprobe").arg(path).status()?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn path(&self) -> Option<&Path> {
        match &self.content {
            Content::Memory(_) => None,
            Content::Disk(path) => Some(path),
        }
    }

    /// Copies the content to `to`, replacing any file there (PHP's
    /// `move_uploaded_file`; blocking file I/O). The upload itself stays readable until
    /// it is dropped. Build `to` from your own name or [`name`](Self::name), never from
    /// an unsanitised client value.
    ///
    /// ```no_run
    /// # async fn page(req: &mut rsp::Request) -> rsp::Result<()> {
    /// let upload = req.upload().await?;
    /// if let Some(file) = upload.file("attachment") {
    ///     file.persist(std::path::Path::new("/srv/uploads").join(file.name()))?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn persist(&self, to: impl AsRef<Path>) -> io::Result<()> {
        match &self.content {
            Content::Memory(bytes) => fs::write(to, bytes),
            Content::Disk(path) => {
                let mut from = File::open(path)?;
                let mut into = File::create(to)?;
                io::copy(&mut from, &mut into)?;
                into.sync_all()
            }
        }
    }
}

impl fmt::Debug for UploadedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadedFile")
            .field("field", &self.field)
            .field("name", &self.name)
            .field("content_type", &self.content_type)
            .field("size", &self.size)
            .field("path", &self.path())
            .finish()
    }
}

/// Why an upload was refused. Each becomes a 4xx page that says so (see
/// [`status`](Self::status)).
#[derive(Debug)]
#[non_exhaustive]
pub enum UploadRejection {
    /// The body is not `multipart/form-data` with a boundary (415).
    UnsupportedType {
        /// The content type that was sent.
        found: String,
    },
    /// A file is larger than the per-file limit (413).
    FileTooLarge {
        /// The field the file was sent in.
        field: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The whole body is larger than the upload limit (413).
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A text field is larger than 64 KiB (413).
    FieldTooLarge {
        /// The field.
        field: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// More parts than allowed (413).
    TooManyParts {
        /// The limit.
        limit: usize,
    },
    /// A text field is not UTF-8 (400).
    InvalidUtf8 {
        /// The field.
        field: String,
    },
    /// The body is not well-formed multipart (400).
    Malformed(String),
    /// A part's headers are longer than 8 KiB (400).
    PartHeadersTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The body did not arrive in time (408).
    TimedOut(String),
    /// The body could not be read: the client went away or broke it off (400).
    BodyRead(String),
    /// The body was already taken by an earlier [`Request::upload`](crate::Request::upload) (500: a bug in the page).
    BodyConsumed,
    /// A large file could not be written to a temporary file (500).
    Storage(io::Error),
}

impl UploadRejection {
    /// The status of the error page.
    ///
    /// ```
    /// use rsp::{StatusCode, UploadRejection};
    ///
    /// let big = UploadRejection::TooLarge { limit: 1024 };
    /// assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
    /// assert_eq!(big.to_string(), "the upload is larger than the limit of 1024 bytes");
    /// ```
    pub fn status(&self) -> StatusCode {
        match self {
            UploadRejection::UnsupportedType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            UploadRejection::FileTooLarge { .. }
            | UploadRejection::TooLarge { .. }
            | UploadRejection::FieldTooLarge { .. }
            | UploadRejection::TooManyParts { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            UploadRejection::InvalidUtf8 { .. }
            | UploadRejection::Malformed(_)
            | UploadRejection::PartHeadersTooLarge { .. }
            | UploadRejection::BodyRead(_) => StatusCode::BAD_REQUEST,
            UploadRejection::TimedOut(_) => StatusCode::REQUEST_TIMEOUT,
            UploadRejection::BodyConsumed | UploadRejection::Storage(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl fmt::Display for UploadRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadRejection::UnsupportedType { found } if found.is_empty() => f.write_str(
                "expected a file upload (multipart/form-data with a boundary), got no content type",
            ),
            UploadRejection::UnsupportedType { found } => write!(
                f,
                "expected a file upload (multipart/form-data with a boundary), got `{found}`"
            ),
            UploadRejection::FileTooLarge { field, limit } => write!(
                f,
                "the file sent in `{field}` is larger than the limit of {limit} bytes per file"
            ),
            UploadRejection::TooLarge { limit } => {
                write!(f, "the upload is larger than the limit of {limit} bytes")
            }
            UploadRejection::FieldTooLarge { field, limit } => write!(
                f,
                "the form field `{field}` is larger than the limit of {limit} bytes"
            ),
            UploadRejection::TooManyParts { limit } => {
                write!(f, "the upload has more than {limit} fields and files")
            }
            UploadRejection::InvalidUtf8 { field } => {
                write!(f, "the form field `{field}` is not valid UTF-8")
            }
            UploadRejection::Malformed(why) => write!(f, "malformed multipart body: {why}"),
            UploadRejection::PartHeadersTooLarge { limit } => write!(
                f,
                "malformed multipart body: a part's headers are longer than {limit} bytes"
            ),
            UploadRejection::TimedOut(why) => f.write_str(why),
            UploadRejection::BodyRead(why) => write!(f, "could not read the request body: {why}"),
            UploadRejection::BodyConsumed => f.write_str(
                "the request body was already read: call req.upload() once and keep the Upload",
            ),
            UploadRejection::Storage(why) => {
                write!(f, "could not store the uploaded file: {why}")
            }
        }
    }
}

impl std::error::Error for UploadRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UploadRejection::Storage(e) => Some(e),
            _ => None,
        }
    }
}

crate::error::rejection!(UploadRejection);

/// The client's file name made safe to use as one (see [`UploadedFile::name`]).
fn sanitize_file_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').trim_start();
    if clean.is_empty() {
        return "upload".to_owned();
    }
    if clean.len() <= MAX_NAME {
        return clean.to_owned();
    }
    // Too long: cut the stem, keep a short extension.
    let ext = match clean.rfind('.') {
        Some(dot) if clean.len() - dot <= 16 => &clean[dot..],
        _ => "",
    };
    let mut end = MAX_NAME - ext.len();
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &clean[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::stream;

    #[test]
    fn file_names_are_sanitised() {
        let long = format!("{}.txt", "a".repeat(300));
        let long_unicode = "é".repeat(200);
        for (raw, expected) in [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd", "passwd"),
            ("C:\\Users\\x\\evil.exe", "evil.exe"),
            ("a/b/c.txt", "c.txt"),
            ("\0x", "x"),
            ("a\u{0}b\r\n\u{7f}\u{85}c.txt", "abc.txt"),
            ("...", "upload"),
            ("..", "upload"),
            ("dir/..", "upload"),
            (".htaccess", "htaccess"),
            ("../.bashrc", "bashrc"),
            ("", "upload"),
            ("   ", "upload"),
            ("/", "upload"),
            ("trailing/", "upload"),
            (" . hidden", "hidden"),
            ("a..b.txt", "a..b.txt"),
            ("résumé 📄.pdf", "résumé 📄.pdf"),
            ("日本語\\ファイル.png", "ファイル.png"),
        ] {
            assert_eq!(sanitize_file_name(raw), expected, "{raw:?}");
        }
        let cut = sanitize_file_name(&long);
        assert_eq!(cut.len(), MAX_NAME);
        assert!(cut.ends_with(".txt") && cut.starts_with("aaa"), "{cut}");
        let cut = sanitize_file_name(&long_unicode);
        assert!(cut.len() <= MAX_NAME && cut.len() >= MAX_NAME - 1);
        assert!(cut.chars().all(|c| c == 'é'));
        let many_dots = format!("{}.{}", "x".repeat(250), "y".repeat(20));
        assert_eq!(sanitize_file_name(&many_dots).len(), MAX_NAME);
    }

    const LIMITS: UploadLimits = UploadLimits {
        per_file: 1024 * 1024,
        total: 4 * 1024 * 1024,
    };

    /// A multipart body from `(name, file name, content)` parts.
    fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
        let mut raw = Vec::new();
        for (name, file, content) in parts {
            raw.extend_from_slice(b"--XYZ\r\nContent-Disposition: form-data; name=\"");
            raw.extend_from_slice(name.as_bytes());
            raw.push(b'"');
            if let Some(file) = file {
                raw.extend_from_slice(format!("; filename=\"{file}\"").as_bytes());
                raw.extend_from_slice(b"\r\nContent-Type: text/plain");
            }
            raw.extend_from_slice(b"\r\n\r\n");
            raw.extend_from_slice(content);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"--XYZ--\r\n");
        raw
    }

    /// `raw` sent in chunks of `size` bytes.
    fn chunked(raw: &[u8], size: usize) -> BodyStream {
        let chunks: Vec<_> = raw
            .chunks(size)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        stream::iter(chunks).boxed()
    }

    async fn run(parts: &[(&str, Option<&str>, &[u8])]) -> Result<Upload, UploadRejection> {
        read("XYZ".into(), &mut chunked(&multipart(parts), 7000), LIMITS).await
    }

    #[tokio::test]
    async fn part_headers_are_bounded_wherever_the_chunks_split() {
        let name = |n: usize| format!("{}.txt", "n".repeat(n));
        let fits = name(MAX_PART_HEADERS - 200);
        let long = name(MAX_PART_HEADERS);
        for size in [1, 2, 3, 5, 64, 7000, 1 << 20] {
            let raw = multipart(&[("a", None, b"x"), ("f", Some(&fits), b"data")]);
            let upload = read("XYZ".into(), &mut chunked(&raw, size), LIMITS).await;
            let upload = upload.unwrap_or_else(|e| panic!("chunks of {size}: {e}"));
            assert_eq!(upload.file("f").map(UploadedFile::size), Some(4));
            let raw = multipart(&[("a", None, b"x"), ("f", Some(&long), b"data")]);
            let refused = read("XYZ".into(), &mut chunked(&raw, size), LIMITS).await;
            assert!(
                matches!(refused, Err(UploadRejection::PartHeadersTooLarge { .. })),
                "chunks of {size}: {refused:?}"
            );
        }
        // A huge header is refused after a few KiB: the rest stays unread.
        let raw = multipart(&[("f", Some(&name(24 << 20)), b"data")]);
        let mut body = chunked(&raw, 64 * 1024);
        let refused = read("XYZ".into(), &mut body, LIMITS).await;
        assert_eq!(refused.unwrap_err().status(), StatusCode::BAD_REQUEST);
        assert!(body.count().await > 300, "the rest of the body was read");
    }

    #[tokio::test]
    async fn fields_and_files() {
        let big = vec![7u8; 300 * 1024];
        let upload = run(&[
            ("title", None, b"hello"),
            ("_csrf", None, b"token"),
            ("small", Some("a.txt"), b"abc"),
            ("empty", Some(""), b""),
            ("big", Some("dir/big.bin"), &big),
        ])
        .await
        .unwrap();
        assert_eq!(upload.field("title"), Some("hello"));
        assert_eq!(upload.field("_csrf"), Some("token"));
        assert_eq!(upload.fields().count(), 2);
        assert_eq!(upload.files().len(), 2);
        let small = upload.file("small").unwrap();
        assert_eq!((small.name(), small.size()), ("a.txt", 3));
        assert_eq!(small.content_type(), "text/plain");
        assert_eq!(&*small.bytes().unwrap(), b"abc");
        assert!(small.path().is_none());
        assert!(upload.file("empty").is_none());
        let big_file = upload.file("big").unwrap();
        assert_eq!((big_file.name(), big_file.size()), ("big.bin", 300 * 1024));
        let path = big_file.path().unwrap().to_owned();
        assert!(path.exists());
        assert_eq!(&*big_file.bytes().unwrap(), &big[..]);
        let copy = tempfile::NamedTempFile::new().unwrap();
        big_file.persist(copy.path()).unwrap();
        assert_eq!(fs::read(copy.path()).unwrap(), big);
        drop(upload);
        assert!(!path.exists(), "the temporary file is deleted on drop");
    }

    #[tokio::test]
    async fn limits_are_enforced() {
        let over = vec![0u8; LIMITS.per_file as usize + 1];
        let err = run(&[("f", Some("x"), &over)]).await.unwrap_err();
        assert!(
            matches!(err, UploadRejection::FileTooLarge { limit, .. } if limit == LIMITS.per_file)
        );
        assert_eq!(err.status(), StatusCode::PAYLOAD_TOO_LARGE);

        let ok = vec![0u8; LIMITS.per_file as usize];
        let parts: Vec<_> = (0..5).map(|_| ("f", Some("x"), &ok[..])).collect();
        let err = run(&parts).await.unwrap_err();
        assert!(matches!(err, UploadRejection::TooLarge { limit } if limit == LIMITS.total));

        let long = vec![b'a'; MAX_FIELD as usize + 1];
        let err = run(&[("t", None, &long)]).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "the form field `t` is larger than the limit of 65536 bytes"
        );

        let parts: Vec<_> = (0..=MAX_PARTS).map(|_| ("t", None, &b""[..])).collect();
        let err = run(&parts).await.unwrap_err();
        assert!(matches!(err, UploadRejection::TooManyParts { .. }));
    }

    #[tokio::test]
    async fn bad_text_and_malformed_bodies_are_400() {
        let err = run(&[("t", None, b"\xff\xfe")]).await.unwrap_err();
        assert_eq!(err.to_string(), "the form field `t` is not valid UTF-8");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);

        let garbage = stream::iter([Ok(Bytes::from_static(b"no boundary here"))]).boxed();
        let err = parse(garbage, "XYZ".into(), LIMITS).await.unwrap_err();
        assert!(matches!(err, UploadRejection::Malformed(_)), "{err}");
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn many_medium_files_stay_within_the_memory_budget() {
        let medium = vec![1u8; 200 * 1024];
        let parts: Vec<_> = (0..8).map(|_| ("f", Some("m"), &medium[..])).collect();
        let upload = run(&parts).await.unwrap();
        let in_memory: u64 = upload
            .files()
            .iter()
            .filter(|f| f.path().is_none())
            .map(UploadedFile::size)
            .sum();
        assert!(in_memory <= MEMORY_BUDGET as u64, "{in_memory}");
        assert!(upload.files().iter().any(|f| f.path().is_some()));
        assert!(upload.files().iter().all(|f| f.bytes().unwrap() == medium));
    }
}
