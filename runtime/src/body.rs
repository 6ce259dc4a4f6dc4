//! Bodies. Reading request bodies: the slow-body deadline (408), and what happens to a body
//! a page refused or never read — read and thrown away after the answer, for a bounded
//! time, so that a browser still sending reads the error page instead of a reset
//! connection. Writing response bodies: bytes in memory, or a file read a chunk at a time
//! as the connection takes them, so that memory stays flat however large the file.

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use tokio::time::Instant;

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A request body as a stream of chunks, however much of it was read before.
pub(crate) type BodyStream = BoxStream<'static, Result<Bytes, BoxError>>;

/// Each of these many bytes received gives a slow body one more second, as Apache's
/// `MinRate=500` does for its `RequestReadTimeout body=20`.
const MIN_RATE: u64 = 1024;

/// How long a refused body is read after the answer went out, and how long it may pause.
/// nginx's `lingering_time` and `lingering_timeout` are 30 s and 5 s.
const LINGER_TIME: Duration = Duration::from_secs(30);
const LINGER_PAUSE: Duration = Duration::from_secs(5);

/// A body that did not arrive in time: the chunk stream's error, a 408 for the page.
#[derive(Debug)]
pub(crate) struct TimedOut(pub(crate) Duration);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the request body did not arrive in time ({:?}, and one second more for each \
             {MIN_RATE} bytes received)",
            self.0
        )
    }
}

impl std::error::Error for TimedOut {}

/// `body` as a stream that fails with [`TimedOut`] once the body is late: it must arrive
/// within `timeout`, plus a second for each [`MIN_RATE`] bytes received, so a large upload
/// over a slow line gets the time it needs and a client sending a byte a second does not.
pub(crate) fn timed(body: Incoming, timeout: Duration) -> BodyStream {
    let deadline = Instant::now() + timeout;
    let data = body.into_data_stream();
    stream::unfold(Some((data, deadline)), move |state| async move {
        let (mut data, mut deadline) = state?;
        match tokio::time::timeout_at(deadline, data.next()).await {
            Ok(Some(Ok(chunk))) => {
                let grace = Duration::from_secs_f64(chunk.len() as f64 / MIN_RATE as f64);
                deadline += grace;
                Some((Ok(chunk), Some((data, deadline))))
            }
            Ok(Some(Err(e))) => Some((Err(BoxError::from(e)), None)),
            Ok(None) => None,
            Err(_) => Some((Err(BoxError::from(TimedOut(timeout))), None)),
        }
    })
    .boxed()
}

/// Whether a stream error is the slow-body deadline.
pub(crate) fn is_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    error.is::<TimedOut>()
}

/// Reads what is left of a body in the background and throws it away, for a bounded
/// time: the answer goes out meanwhile, and a client still sending then reads it.
pub(crate) fn linger(mut rest: BodyStream) {
    tokio::spawn(async move {
        let until = Instant::now() + LINGER_TIME;
        while let Ok(Some(Ok(_))) =
            tokio::time::timeout_at(until.min(Instant::now() + LINGER_PAUSE), rest.next()).await
        {
        }
    });
}

/// A file to send from disk, opened by the page; the part to send is chosen later, from
/// the request's `Range` and validators.
#[derive(Debug)]
pub(crate) struct FileBody {
    pub(crate) file: tokio::fs::File,
    /// Its length when opened.
    pub(crate) len: u64,
    pub(crate) modified: Option<std::time::SystemTime>,
}

/// Bytes read from a file per chunk: few reads for a large file, little memory each.
const FILE_CHUNK: usize = 128 * 1024;

/// A response body as hyper sends it.
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// In memory; taken by the first poll.
    Bytes(Option<Bytes>),
    /// Part of a file. Boxed: every response is moved several times on its way out, and
    /// most have no file.
    File(Box<FilePart>),
}

/// `remaining` bytes of a file, from where its cursor stands.
#[derive(Debug)]
pub(crate) struct FilePart {
    file: tokio::fs::File,
    remaining: u64,
    buf: bytes::BytesMut,
}

impl Outgoing {
    pub(crate) fn bytes(bytes: Bytes) -> Self {
        Self::Bytes(Some(bytes).filter(|b| !b.is_empty()))
    }

    /// The next `len` bytes of `file`.
    pub(crate) fn file(file: tokio::fs::File, len: u64) -> Self {
        Self::File(Box::new(FilePart {
            file,
            remaining: len,
            buf: bytes::BytesMut::new(),
        }))
    }
}

impl hyper::body::Body for Outgoing {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, std::io::Error>>> {
        use std::task::Poll;
        use tokio::io::{AsyncRead, ReadBuf};

        match self.get_mut() {
            Self::Bytes(bytes) => {
                Poll::Ready(bytes.take().map(|b| Ok(hyper::body::Frame::data(b))))
            }
            Self::File(part) => {
                let FilePart {
                    file,
                    remaining,
                    buf,
                } = &mut **part;
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let want = usize::try_from(*remaining).map_or(FILE_CHUNK, |r| r.min(FILE_CHUNK));
                buf.resize(want, 0);
                let mut read = ReadBuf::new(&mut buf[..]);
                match std::pin::Pin::new(file).poll_read(cx, &mut read) {
                    Poll::Pending => Poll::Pending,
                    Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
                    Poll::Ready(Ok(())) => {
                        let n = read.filled().len();
                        if n == 0 {
                            // Shorter than its length said: it was cut while being sent.
                            return Poll::Ready(Some(
                                Err(std::io::ErrorKind::UnexpectedEof.into()),
                            ));
                        }
                        *remaining -= n as u64;
                        buf.truncate(n);
                        Poll::Ready(Some(Ok(hyper::body::Frame::data(buf.split().freeze()))))
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            Self::Bytes(bytes) => bytes.is_none(),
            Self::File(part) => part.remaining == 0,
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        match self {
            Self::Bytes(bytes) => {
                hyper::body::SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Self::File(part) => hyper::body::SizeHint::with_exact(part.remaining),
        }
    }
}
