//! The log: what [`App::serve`](crate::App::serve) writes to stderr, filtered by
//! `RUST_LOG` (default `info`), one access-log line per request among it.
//!
//! Lines are not written one `write` at a time: an access log under load would cost a
//! system call per request, a sixth of a small request's CPU. They are gathered in a
//! buffer that a thread of its own writes out when it holds 32 KiB, and at least every
//! 50 ms, so a line is on its way within 50 ms; the end of `serve` writes what is left.

use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::Duration;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Gathered lines, and the wake-up of the thread that writes them.
struct Gathered {
    lines: Mutex<Vec<u8>>,
    full: Condvar,
}

/// Bytes gathered before the writer is woken early.
const BATCH: usize = 32 * 1024;
/// The longest a line waits.
const PAUSE: Duration = Duration::from_millis(50);

static GATHERED: OnceLock<Arc<Gathered>> = OnceLock::new();

/// `RUST_LOG` as a list of `target=level` and a default `level` (`info,rsp::access=off`);
/// `info` if it is unset, and if it cannot be read (saying so).
fn filter_from_env() -> Targets {
    filter(std::env::var("RUST_LOG").ok().as_deref())
}

fn filter(directives: Option<&str>) -> Targets {
    let default = Targets::new().with_default(tracing::Level::INFO);
    match directives {
        Some(text) => text.parse().unwrap_or_else(|e| {
            eprintln!("RUST_LOG={text:?} is not a list of target=level: {e}; logging at info");
            default
        }),
        None => default,
    }
}

/// Installs the log for a served app; no-op if the program installed a subscriber of its
/// own.
pub(crate) fn init() {
    use std::io::IsTerminal;

    let installed = tracing_subscriber::fmt()
        .with_writer(|| LineWriter)
        // Colours for a person at a terminal; plain text for a file or a log collector.
        .with_ansi(io::stderr().is_terminal())
        .with_max_level(tracing::Level::TRACE)
        .finish()
        .with(filter_from_env())
        .try_init();
    if installed.is_ok() {
        let gathered = GATHERED.get_or_init(|| {
            Arc::new(Gathered {
                lines: Mutex::new(Vec::with_capacity(BATCH * 2)),
                full: Condvar::new(),
            })
        });
        let gathered = Arc::clone(gathered);
        let _ = std::thread::Builder::new()
            .name("rsp-log".into())
            .spawn(move || write_out(&gathered));
    }
}

/// Writes what is gathered now: at the end of `serve`, so that nothing is lost.
pub(crate) fn flush() {
    if let Some(gathered) = GATHERED.get() {
        let lines = std::mem::take(&mut *lock(&gathered.lines));
        let _ = io::stderr().write_all(&lines);
    }
}

fn lock(lines: &Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    lines.lock().unwrap_or_else(|e| e.into_inner())
}

/// The writing thread: a batch whenever one is full or the pause is over.
fn write_out(gathered: &Gathered) {
    let mut batch = Vec::with_capacity(BATCH * 2);
    loop {
        {
            let lines = lock(&gathered.lines);
            let (mut lines, _) = gathered
                .full
                .wait_timeout_while(lines, PAUSE, |lines| lines.len() < BATCH)
                .unwrap_or_else(|e| e.into_inner());
            std::mem::swap(&mut *lines, &mut batch);
        }
        if !batch.is_empty() {
            let _ = io::stderr().write_all(&batch);
            batch.clear();
        }
    }
}

/// One event's writer: adds to the gathered lines (straight to stderr before `init`).
struct LineWriter;

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let Some(gathered) = GATHERED.get() else {
            return io::stderr().write(bytes);
        };
        let mut lines = lock(&gathered.lines);
        lines.extend_from_slice(bytes);
        if lines.len() >= BATCH {
            gathered.full.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Logs one request: `REMOTE METHOD URI STATUS DURATIONus id=ID` at info level, target
/// `rsp::access`. With rsp's own log installed the line is written by hand into the
/// gathered lines, in the shape of every other line, without the formatting machinery
/// that would cost more than the rest of a small request; under a subscriber of the
/// program's own it is an ordinary event.
pub(crate) fn access(
    remote: std::net::SocketAddr,
    method: &http::Method,
    uri: &http::Uri,
    status: u16,
    micros: u128,
    id: crate::RequestId,
) {
    if !tracing::enabled!(target: "rsp::access", tracing::Level::INFO) {
        return;
    }
    let Some(gathered) = GATHERED.get() else {
        tracing::info!(
            target: "rsp::access",
            "{remote} {method} {uri} {status} {micros}us id={id}"
        );
        return;
    };
    let now = std::time::SystemTime::now();
    // Written straight into the gathered lines: no buffer of its own per request.
    let mut lines = lock(&gathered.lines);
    let line = &mut *lines;
    timestamp(now, line);
    line.extend_from_slice(b"  INFO rsp::access: ");
    socket_address(remote, line);
    line.push(b' ');
    line.extend_from_slice(method.as_str().as_bytes());
    line.push(b' ');
    // What the client sent, which may hold anything: control characters are escaped, as
    // tracing escapes them, so a request cannot forge a line.
    uri_text(uri, line);
    line.push(b' ');
    line.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
    line.push(b' ');
    line.extend_from_slice(itoa::Buffer::new().format(micros).as_bytes());
    line.extend_from_slice(b"us id=");
    line.extend_from_slice(&id.hex());
    line.push(b'\n');
    if lines.len() >= BATCH {
        gathered.full.notify_one();
    }
}

/// `1.2.3.4:5678` as `Display` writes it, by hand for IPv4 (what most clients and proxies
/// are); IPv6 through `Display`.
fn socket_address(address: std::net::SocketAddr, out: &mut Vec<u8>) {
    match address {
        std::net::SocketAddr::V4(v4) => {
            for (i, octet) in v4.ip().octets().into_iter().enumerate() {
                if i > 0 {
                    out.push(b'.');
                }
                out.extend_from_slice(itoa::Buffer::new().format(octet).as_bytes());
            }
            out.push(b':');
            out.extend_from_slice(itoa::Buffer::new().format(v4.port()).as_bytes());
        }
        std::net::SocketAddr::V6(_) => {
            let _ = write!(out, "{address}");
        }
    }
}

fn uri_text(uri: &http::Uri, out: &mut Vec<u8>) {
    let text = match uri.path_and_query() {
        // Origin form, what nearly every request has: no scheme or authority to add.
        Some(path) if uri.scheme().is_none() => std::borrow::Cow::Borrowed(path.as_str()),
        _ => std::borrow::Cow::Owned(uri.to_string()),
    };
    for &byte in text.as_bytes() {
        if byte.is_ascii_control() {
            let _ = write!(out, "\\x{byte:02x}");
        } else {
            out.push(byte);
        }
    }
}

/// `2026-12-03T18:26:39.123456Z`, as tracing writes it, in UTC.
fn timestamp(now: std::time::SystemTime, out: &mut Vec<u8>) {
    let since = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let seconds = since.as_secs();
    let (year, month, day) = civil_date(seconds / 86_400);
    let of_day = seconds % 86_400;
    let two = |out: &mut Vec<u8>, n: u64| {
        out.push(b'0' + (n / 10) as u8);
        out.push(b'0' + (n % 10) as u8);
    };
    out.extend_from_slice(itoa::Buffer::new().format(year).as_bytes());
    out.push(b'-');
    two(out, month);
    out.push(b'-');
    two(out, day);
    out.push(b'T');
    two(out, of_day / 3600);
    out.push(b':');
    two(out, of_day / 60 % 60);
    out.push(b':');
    two(out, of_day % 60);
    out.push(b'.');
    let mut buffer = itoa::Buffer::new();
    let micros = buffer.format(since.subsec_micros());
    out.extend(std::iter::repeat_n(b'0', 6 - micros.len()));
    out.extend_from_slice(micros.as_bytes());
    out.push(b'Z');
}

/// The proleptic Gregorian date of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_date(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc_3339_in_utc() {
        let at = |s: u64, micros: u32| {
            let mut out = Vec::new();
            let time = std::time::UNIX_EPOCH + Duration::new(s, micros * 1000);
            timestamp(time, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(at(1_796_316_399, 123_456), "2026-12-03T16:46:39.123456Z");
        assert_eq!(at(4_107_542_399, 999_999), "2100-02-28T23:59:59.999999Z");
    }

    #[test]
    fn a_uri_cannot_break_the_line() {
        let mut out = Vec::new();
        uri_text(&"/a%0Ab?q=1".parse().unwrap(), &mut out);
        assert_eq!(out, b"/a%0Ab?q=1");
        let mut out = Vec::new();
        uri_text(&"http://example.test/x".parse().unwrap(), &mut out);
        assert_eq!(out, b"http://example.test/x");
    }

    #[test]
    fn addresses_and_ids_are_written_as_display_writes_them() {
        for address in [
            "127.0.0.1:8080",
            "0.0.0.0:0",
            "255.255.255.255:65535",
            "[::1]:443",
        ] {
            let address: std::net::SocketAddr = address.parse().unwrap();
            let mut out = Vec::new();
            socket_address(address, &mut out);
            assert_eq!(out, address.to_string().as_bytes());
        }
        for id in [0, 1, 0xabc, u64::MAX, 0x0123_4567_89ab_cdef] {
            let id = crate::RequestId(id);
            assert_eq!(id.to_string(), format!("{:016x}", id.0));
        }
    }

    #[test]
    fn rust_log_sets_levels_by_target() {
        use tracing::Level;

        let default = filter(None);
        assert!(default.would_enable("rsp::access", &Level::INFO));
        assert!(!default.would_enable("rsp", &Level::DEBUG));

        let quiet_access = filter(Some("info,rsp::access=off"));
        assert!(!quiet_access.would_enable("rsp::access", &Level::INFO));
        assert!(quiet_access.would_enable("rsp::server", &Level::INFO));

        let warn = filter(Some("warn,site=debug"));
        assert!(!warn.would_enable("rsp::access", &Level::INFO));
        assert!(warn.would_enable("site::pages", &Level::DEBUG));

        // Unreadable: the default, not silence.
        let unreadable = filter(Some("rsp=loud"));
        assert!(unreadable.would_enable("rsp::access", &Level::INFO));
    }
}
