//! Sessions: PHP's `$_SESSION`, loaded only by pages that touch it.
//!
//! `req.session().await?` loads the visitor's session on first use (a page that never
//! calls it pays nothing); the runtime saves it after the page only if it changed, and
//! sends the cookie only when the id is new. The cookie holds nothing but a random id,
//! signed, HttpOnly, SameSite=Lax, and Secure when the app says so or the request came
//! over HTTPS (to the site, or to a trusted proxy: `App::trusted_proxies`). A cookie whose
//! signature fails starts a fresh session, never an error.
//!
//! ```no_run
//! use rsp::prelude::*;
//!
//! page! {
//!     GET "/counter" => counter;
//!     let session = req.session().await?;
//!     let visits = session.get::<u32>("visits").unwrap_or(0) + 1;
//!     session.set("visits", visits)?;
//!     "<p>Visit number <%= visits %></p>"
//! }
//! ```
//!
//! Values are stored as JSON, so any serde type can go in. Stores implement
//! [`SessionStore`]: [`MemoryStore`] (the default), [`SqliteStore`] (feature `sqlite`,
//! on by default: sessions survive a restart) and [`RedisStore`] (feature `redis`: several
//! instances share sessions). Every store forgets a session after the idle timeout.

mod lock;
mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "sqlite")]
mod sqlite;

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use cookie::{Cookie, Key, SameSite};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

use self::lock::{Locks, SessionLock};
use crate::cookie::RequestCookies;
use crate::error::Error;
use crate::response::Response;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// The name of the session cookie.
pub(crate) const COOKIE: &str = "rsp_session";

const FLASH: &str = "_flash";

/// When the session was last saved (seconds since the Unix epoch), kept beside its data.
const TOUCHED: &str = "_rsp_touched";

/// A boxed future, as store methods return.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

/// Where sessions live. Implement it to keep sessions anywhere else.
///
/// Data is the session's JSON text. `ttl` is the idle timeout: a store must forget a
/// session `ttl` after its last save.
pub trait SessionStore: Send + Sync + 'static {
    /// The data saved under `id`, if any and not expired.
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>>;
    /// Saves `data` under `id` for `ttl`.
    fn save<'a>(&'a self, id: &'a str, data: &'a str, ttl: Duration) -> StoreFuture<'a, ()>;
    /// Forgets `id`.
    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()>;

    /// Takes the lock on `id`'s session for `ttl`, unless another process holds it:
    /// `Some(token)` to give back to [`unlock`](SessionStore::unlock), or `None` while it
    /// is held (the runtime waits and asks again). A store that several processes share
    /// implements it so that their requests of one session never overwrite each other's
    /// changes; the default, for a store of one process, is always free (the runtime
    /// orders the requests within a process itself).
    fn try_lock<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, Option<String>> {
        let _ = (id, ttl);
        Box::pin(async { Ok(Some(String::new())) })
    }

    /// Whether instances on other machines may share this store (Redis does): then each
    /// needs the same cookie secret (`RSP_SECRET`), which a secret file of its own is not,
    /// and the runtime says so at start.
    fn shared_between_machines(&self) -> bool {
        false
    }

    /// Gives back the lock `token` holds on `id`'s session.
    fn unlock<'a>(&'a self, id: &'a str, token: &'a str) -> StoreFuture<'a, ()> {
        let _ = (id, token);
        Box::pin(async { Ok(()) })
    }

    /// Extends the lock `token` holds on `id`'s session to `ttl` from now; `false` if it
    /// is no longer this token's. The runtime renews the lock while its request runs, so
    /// a store's lock is a short lease: one left by a process that died lapses within it.
    fn renew_lock<'a>(
        &'a self,
        id: &'a str,
        token: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let _ = (id, token, ttl);
        Box::pin(async { Ok(true) })
    }
}

/// How sessions are kept: the store, the idle timeout, and the cookie's Secure flag.
pub(crate) struct SessionConfig {
    pub(crate) store: Arc<dyn SessionStore>,
    pub(crate) idle_timeout: Duration,
    pub(crate) secure_cookie: bool,
    pub(crate) locks: Arc<Locks>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        Self {
            store: Arc::new(MemoryStore::new()),
            idle_timeout: Duration::from_secs(24 * 60 * 60),
            secure_cookie: false,
            locks: Arc::default(),
        }
    }
}

/// The session id of a request, settled on first use: the id in the session cookie if its
/// signature holds, else a new random one. Shared with the CSRF token, which is bound to it.
pub(crate) struct SessionId {
    cookies: RequestCookies,
    key: Arc<Key>,
    id: OnceLock<(String, bool)>,
    /// Something outside the store depends on the id (a CSRF token was handed out), so
    /// the client must get it even if the session stays empty.
    pinned: AtomicBool,
}

impl SessionId {
    pub(crate) fn new(cookies: RequestCookies, key: Arc<Key>) -> Self {
        Self {
            cookies,
            key,
            id: OnceLock::new(),
            pinned: AtomicBool::new(false),
        }
    }

    /// The id, and whether it is new (the client has no cookie for it yet).
    fn get(&self) -> &(String, bool) {
        self.id.get_or_init(|| {
            self.cookies
                .jar()
                .ok()
                .and_then(|jar| crate::cookie::verified(jar, &self.key, COOKIE))
                .filter(|id| is_well_formed(id))
                .map_or_else(|| (new_id(), true), |id| (id, false))
        })
    }

    pub(crate) fn id(&self) -> &str {
        &self.get().0
    }

    /// The id, which the client must keep from now on.
    pub(crate) fn pin(&self) -> &str {
        self.pinned.store(true, Ordering::Relaxed);
        self.id()
    }

    /// Whether the request read the id: its session, or a CSRF token bound to it.
    pub(crate) fn is_used(&self) -> bool {
        self.id.get().is_some()
    }

    fn is_new(&self) -> bool {
        self.id.get().is_some_and(|(_, new)| *new)
    }

    pub(crate) fn key(&self) -> &Key {
        &self.key
    }

    /// The request's cookies, which the session id is read from.
    pub(crate) fn cookies(&self) -> &RequestCookies {
        &self.cookies
    }
}

/// 32 random bytes, hex: unguessable.
fn new_id() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_well_formed(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A visitor's session: typed values by name, flash messages, and id regeneration.
#[derive(Debug, Default)]
pub struct Session {
    data: Map<String, Value>,
    changed: bool,
    /// Set by `regenerate`: the id the data moves to; the old one is deleted.
    new_id: Option<String>,
    /// When the store last saw this session (seconds since the Unix epoch).
    touched: u64,
}

impl Session {
    /// A value, read as `T`; `None` if absent or of another shape.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        T::deserialize(self.data.get(key)?).ok()
    }

    /// Stores a value under `key`.
    ///
    /// # Errors
    /// If `value` cannot be represented as JSON (a map with non-string keys, say).
    pub fn set<T: Serialize>(&mut self, key: &str, value: T) -> Result<(), Error> {
        let value = serde_json::to_value(value)?;
        if self.data.get(key) != Some(&value) {
            self.data.insert(key.to_owned(), value);
            self.changed = true;
        }
        Ok(())
    }

    /// Removes a value; whether it was there.
    pub fn remove(&mut self, key: &str) -> bool {
        let removed = self.data.remove(key).is_some();
        self.changed |= removed;
        removed
    }

    /// Removes every value: logging out (with [`regenerate`](Session::regenerate), so the
    /// old id is worth nothing). An empty session is deleted from the store.
    pub fn clear(&mut self) {
        self.changed |= !self.data.is_empty();
        self.data.clear();
    }

    /// Moves the session to a new id, keeping its data: call it when a user logs in, so
    /// an id planted before the login (session fixation) is worth nothing after it.
    pub fn regenerate(&mut self) {
        self.new_id = Some(new_id());
        self.changed = true;
    }

    /// Adds a message for the next page that reads the flash (after a redirect, say).
    pub fn flash(&mut self, message: impl Into<String>) {
        let mut messages: Vec<String> = self.get(FLASH).unwrap_or_default();
        messages.push(message.into());
        self.data.insert(FLASH.to_owned(), Value::from(messages));
        self.changed = true;
    }

    /// The flash messages, removed as they are read: each is shown once.
    pub fn take_flash(&mut self) -> Vec<String> {
        let messages = self.get(FLASH).unwrap_or_default();
        self.remove(FLASH);
        messages
    }

    /// Whether the session holds no value.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// The session of one request, loaded on first use, and its lock until it is saved.
pub(crate) struct SessionSlot {
    pub(crate) id: Arc<SessionId>,
    loaded: Option<Session>,
    lock: Option<SessionLock>,
}

impl SessionSlot {
    pub(crate) fn new(id: Arc<SessionId>) -> Self {
        Self {
            id,
            loaded: None,
            lock: None,
        }
    }
}

impl fmt::Debug for SessionSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionSlot")
            .field("loaded", &self.loaded.is_some())
            .finish()
    }
}

impl SessionSlot {
    /// The session, loaded from the store on first use (see `Request::session`), once
    /// no other request of the session holds it; `patience` bounds how long another
    /// request's lock is waited for.
    pub(crate) async fn load(
        &mut self,
        config: &SessionConfig,
        patience: Duration,
    ) -> Result<&mut Session, Error> {
        if self.loaded.is_none() {
            let id = self.id.id().to_owned();
            if self.lock.is_none() {
                let lock = config.locks.acquire(&id, &config.store, patience).await?;
                self.lock = Some(lock);
            }
            let mut data: Map<String, Value> = match config.store.load(&id).await? {
                Some(text) => serde_json::from_str(&text).unwrap_or_default(),
                None => Map::new(),
            };
            let touched = data.remove(TOUCHED).and_then(|t| t.as_u64()).unwrap_or(0);
            self.loaded = Some(Session {
                data,
                touched,
                ..Session::default()
            });
        }
        Ok(self.loaded.as_mut().expect("loaded above"))
    }
}

/// After the page: saves the session if it changed (or, if it was only read, now and then,
/// so that the idle timeout counts from the last visit), sends the cookie for a new id,
/// and gives the session's lock back.
pub(crate) async fn commit(
    slot: &mut SessionSlot,
    config: &SessionConfig,
    over_https: bool,
    res: &mut Response,
) -> io::Result<()> {
    let saved = save(slot, config, over_https, res).await;
    if let Some(lock) = slot.lock.take() {
        lock.release().await;
    }
    saved
}

/// The saving part of [`commit`].
async fn save(
    slot: &mut SessionSlot,
    config: &SessionConfig,
    over_https: bool,
    res: &mut Response,
) -> io::Result<()> {
    let old_id = slot.id.id.get().map(|(id, _)| id.clone());
    let pinned = slot.id.pinned.load(Ordering::Relaxed);
    let mut send_id = (slot.id.is_new() && pinned)
        .then(|| old_id.clone())
        .flatten();
    if let Some(mut session) = slot.loaded.take() {
        let old_id = old_id.unwrap_or_default();
        let now = unix_seconds();
        let idle = config.idle_timeout.as_secs();
        let stale = now.saturating_sub(session.touched) > idle / 4;
        if session.data.is_empty() && session.new_id.is_none() {
            // Nothing to keep. The cookie stays: the id still binds the CSRF tokens of
            // forms already on the visitor's screen.
            if session.changed {
                config.store.delete(&old_id).await?;
            }
        } else if session.changed || stale {
            let id = match session.new_id.take() {
                Some(new) => {
                    config.store.delete(&old_id).await?;
                    send_id = Some(new.clone());
                    new
                }
                None => old_id,
            };
            session.data.insert(TOUCHED.to_owned(), Value::from(now));
            let text = serde_json::to_string(&session.data)?;
            config.store.save(&id, &text, config.idle_timeout).await?;
            if slot.id.is_new() {
                send_id = Some(id);
            }
        }
    }
    if let Some(id) = send_id {
        let cookie = Cookie::build((COOKIE, id))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(config.secure_cookie || over_https)
            .build();
        res.set_cookie_with(cookie);
    }
    Ok(())
}

fn unix_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_cookies() -> RequestCookies {
        RequestCookies::new(&http::HeaderMap::new())
    }

    #[test]
    fn typed_values_and_change_tracking() {
        let mut s = Session::default();
        assert_eq!(s.get::<u32>("n"), None);
        s.set("n", 3u32).unwrap();
        assert!(s.changed);
        assert_eq!(s.get::<u32>("n"), Some(3));
        assert_eq!(s.get::<String>("n"), None, "another shape reads as None");
        s.changed = false;
        s.set("n", 3u32).unwrap();
        assert!(!s.changed, "setting the same value changes nothing");
        assert!(s.remove("n") && s.changed);
    }

    #[test]
    fn flash_is_read_once() {
        let mut s = Session::default();
        s.flash("saved");
        s.flash("again");
        assert_eq!(s.take_flash(), ["saved", "again"]);
        assert!(s.take_flash().is_empty());
        assert!(s.is_empty());
    }

    /// A slot holding a loaded, unchanged session with one value, last saved at `touched`.
    fn read_only_session(touched: u64) -> SessionSlot {
        let mut data = Map::new();
        data.insert("user".into(), Value::from("ann"));
        let id = SessionId::new(no_cookies(), Arc::new(Key::generate()));
        SessionSlot {
            id: Arc::new(id),
            loaded: Some(Session {
                data,
                touched,
                ..Session::default()
            }),
            lock: None,
        }
    }

    #[tokio::test]
    async fn a_session_only_read_is_saved_now_and_then_to_stay_alive() {
        let store = Arc::new(MemoryStore::new());
        let config = SessionConfig {
            store: Arc::clone(&store) as Arc<dyn SessionStore>,
            idle_timeout: Duration::from_secs(3600),
            secure_cookie: false,
            locks: Arc::default(),
        };
        let mut res = Response::default();

        let mut fresh = read_only_session(unix_seconds());
        let id = fresh.id.id().to_owned();
        commit(&mut fresh, &config, false, &mut res).await.unwrap();
        assert_eq!(
            store.load(&id).await.unwrap(),
            None,
            "touched just now: no write"
        );

        let mut old = read_only_session(unix_seconds() - 3600);
        let id = old.id.id().to_owned();
        commit(&mut old, &config, false, &mut res).await.unwrap();
        let saved = store.load(&id).await.unwrap().expect("saved again");
        assert!(saved.contains(r#""user":"ann""#), "{saved}");
        assert!(saved.contains(TOUCHED), "{saved}");
    }

    #[test]
    fn forged_or_malformed_cookie_gets_a_new_id() {
        let key = Arc::new(Key::generate());
        let mut forged = http::HeaderMap::new();
        forged.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("rsp_session=abc"),
        );
        let id = SessionId::new(RequestCookies::new(&forged), Arc::clone(&key));
        assert!(is_well_formed(id.id()));
        assert!(id.is_new());
        let none = SessionId::new(no_cookies(), key);
        assert_ne!(none.id(), id.id());
    }
}
