//! The log: what [`App::serve`](crate::App::serve) writes to stderr, filtered by
//! `RUST_LOG` (default `info`), one access-log line per request among it.
//!
//! Lines are not written one `write` at a time: an access log under load would cost a
//! system call per request, a sixth of a small request's CPU. Each thread gathers its
//! lines in a buffer of its own (so that two threads logging at once never wait for each
//! other), and a thread of the log's own writes them out when one holds 256 KiB, and at
//! least every 50 ms, so a line is on its way within 50 ms; the end of `serve` writes what
//! is left. Lines of one thread keep their order; lines of two threads written within the
//! same 50 ms may come out one thread's batch after the other's.

use std::io::{self, Write};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Bytes a thread gathers before the writer is woken early: a few thousand lines, so
/// that under load the writer runs a few times per pause rather than hundreds.
const BATCH: usize = 256 * 1024;
/// The longest a line waits.
const PAUSE: Duration = Duration::from_millis(50);

/// Every thread's gathered lines, and the thread that writes them out.
struct Gathered {
    threads: Mutex<Vec<Arc<Mutex<Lines>>>>,
    writer: OnceLock<std::thread::Thread>,
    /// Whether `RUST_LOG` lets access lines through: read once, as the filter never
    /// changes, rather than asked of the subscriber on every request.
    access: bool,
}

static GATHERED: OnceLock<Gathered> = OnceLock::new();

thread_local! {
    /// This thread's lines, registered with the writer on the thread's first line.
    static MINE: Arc<Mutex<Lines>> = {
        let mine = Arc::new(Mutex::new(Lines::default()));
        if let Some(gathered) = GATHERED.get() {
            lock(&gathered.threads).push(Arc::clone(&mine));
        }
        mine
    };
}

/// One thread's lines not yet written, and the start of its last timestamp, which
/// changes once a second.
#[derive(Default)]
struct Lines {
    bytes: Vec<u8>,
    second: Option<u64>,
    /// `2026-12-03T18:26:39.` for `second`.
    prefix: Vec<u8>,
}

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

    let filter = filter_from_env();
    let access = filter.would_enable("rsp::access", &tracing::Level::INFO);
    let installed = tracing_subscriber::fmt()
        .with_writer(|| LineWriter)
        // Colours for a person at a terminal; plain text for a file or a log collector.
        .with_ansi(io::stderr().is_terminal())
        .with_max_level(tracing::Level::TRACE)
        .finish()
        .with(filter)
        .try_init();
    if installed.is_ok() {
        let gathered = GATHERED.get_or_init(|| Gathered {
            threads: Mutex::new(Vec::new()),
            writer: OnceLock::new(),
            access,
        });
        if let Ok(writer) = std::thread::Builder::new()
            .name("rsp-log".into())
            .spawn(move || loop {
                std::thread::park_timeout(PAUSE);
                write_out(gathered);
            })
        {
            let _ = gathered.writer.set(writer.thread().clone());
        }
    }
}

/// Writes what is gathered now: at the end of `serve`, so that nothing is lost.
pub(crate) fn flush() {
    if let Some(gathered) = GATHERED.get() {
        write_out(gathered);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes every thread's gathered lines, and forgets the threads that ended once their
/// last lines are out.
fn write_out(gathered: &Gathered) {
    let threads: Vec<_> = lock(&gathered.threads).clone();
    let mut batch = Vec::new();
    for lines in &threads {
        // Only this list and the clone above hold an ended thread's lines.
        let ended = Arc::strong_count(lines) == 2;
        std::mem::swap(&mut lock(lines).bytes, &mut batch);
        if !batch.is_empty() {
            let _ = io::stderr().write_all(&batch);
            batch.clear();
        }
        if ended {
            lock(&gathered.threads).retain(|kept| !Arc::ptr_eq(kept, lines));
        }
    }
}

/// Adds to this thread's lines, waking the writer when they fill a batch; `None` before
/// `init`.
fn gather<R>(write: impl FnOnce(&mut Lines) -> R) -> Option<R> {
    let gathered = GATHERED.get()?;
    let (result, filled) = MINE
        .try_with(|mine| {
            let mut lines = lock(mine);
            let before = lines.bytes.len();
            let result = write(&mut lines);
            (result, before < BATCH && lines.bytes.len() >= BATCH)
        })
        .ok()?;
    // Once, when the lines fill a batch (a wake-up is a system call), and with the lock
    // let go: on a shared core the writer runs at once and would wait for it.
    if filled {
        if let Some(writer) = gathered.writer.get() {
            writer.unpark();
        }
    }
    Some(result)
}

/// One event's writer: adds to the thread's lines (straight to stderr before `init`).
struct LineWriter;

impl Write for LineWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match gather(|lines| lines.bytes.extend_from_slice(bytes)) {
            Some(()) => Ok(bytes.len()),
            None => io::stderr().write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Logs one request: `REMOTE METHOD URI STATUS DURATIONus id=ID` at info level, target
/// `rsp::access`; the duration runs from `started` to now. With rsp's own log installed
/// the line is written by hand into the thread's lines, in the shape of every other line,
/// without the formatting machinery that would cost more than the rest of a small
/// request; under a subscriber of the program's own it is an ordinary event.
pub(crate) fn access(
    remote: std::net::SocketAddr,
    method: &http::Method,
    uri: &http::Uri,
    status: u16,
    started: SystemTime,
    id: crate::RequestId,
) {
    let enabled = match GATHERED.get() {
        Some(gathered) => gathered.access,
        None => tracing::enabled!(target: "rsp::access", tracing::Level::INFO),
    };
    if !enabled {
        return;
    }
    // The wall clock for the duration too: one clock read for both.
    let now = SystemTime::now();
    let micros = now.duration_since(started).unwrap_or_default().as_micros();
    let written = gather(|lines| {
        lines.timestamp(now);
        let line = &mut lines.bytes;
        line.extend_from_slice(b"  INFO rsp::access: ");
        socket_address(remote, line);
        line.push(b' ');
        line.extend_from_slice(method.as_str().as_bytes());
        line.push(b' ');
        // What the client sent, which may hold anything: control characters are escaped,
        // as tracing escapes them, so a request cannot forge a line.
        uri_text(uri, line);
        line.push(b' ');
        line.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
        line.push(b' ');
        line.extend_from_slice(itoa::Buffer::new().format(micros).as_bytes());
        line.extend_from_slice(b"us id=");
        line.extend_from_slice(&id.hex());
        line.push(b'\n');
    });
    if written.is_none() {
        tracing::info!(
            target: "rsp::access",
            "{remote} {method} {uri} {status} {micros}us id={id}"
        );
    }
}

impl Lines {
    /// Writes `now` as tracing does (`2026-12-03T18:26:39.123456Z`, UTC), its date and
    /// time of day made once a second.
    fn timestamp(&mut self, now: SystemTime) {
        let since = now
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let second = since.as_secs();
        if self.second != Some(second) {
            self.prefix.clear();
            date_and_time(second, &mut self.prefix);
            self.second = Some(second);
        }
        self.bytes.extend_from_slice(&self.prefix);
        fraction(since.subsec_micros(), &mut self.bytes);
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
    if !text.bytes().any(|byte| byte.is_ascii_control()) {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    for &byte in text.as_bytes() {
        if byte.is_ascii_control() {
            let _ = write!(out, "\\x{byte:02x}");
        } else {
            out.push(byte);
        }
    }
}

/// `2026-12-03T18:26:39.` for a second counted from 1970.
fn date_and_time(seconds: u64, out: &mut Vec<u8>) {
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
}

/// `123456Z`: the microseconds of a second, six digits.
fn fraction(micros: u32, out: &mut Vec<u8>) {
    let mut digits = [b'0', b'0', b'0', b'0', b'0', b'0', b'Z'];
    let mut rest = micros;
    for digit in digits[..6].iter_mut().rev() {
        *digit = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    out.extend_from_slice(&digits);
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
        // One thread's lines, as the log keeps them: the date and time made once a second.
        let mut lines = Lines::default();
        let mut at = |s: u64, micros: u32| {
            lines.bytes.clear();
            lines.timestamp(std::time::UNIX_EPOCH + Duration::new(s, micros * 1000));
            String::from_utf8(lines.bytes.clone()).unwrap()
        };
        assert_eq!(at(0, 0), "1970-01-01T00:00:00.000000Z");
        assert_eq!(at(951_782_400, 7), "2000-02-29T00:00:00.000007Z");
        assert_eq!(at(951_782_400, 999_999), "2000-02-29T00:00:00.999999Z");
        assert_eq!(at(951_782_401, 10), "2000-02-29T00:00:01.000010Z");
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
