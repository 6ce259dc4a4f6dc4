//! One request at a time per session, as PHP's session lock gives: a request that loads a
//! session holds its lock until the session is saved, so concurrent requests of one
//! visitor never overwrite each other's changes. Within the process a mutex per session
//! orders them; across processes the store's own lock does ([`SessionStore::try_lock`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use tokio::sync::OwnedMutexGuard;
use tokio::time::Instant;

use super::SessionStore;
use crate::error::Error;

/// The sessions locked or waited for in this process.
#[derive(Default)]
pub(crate) struct Locks {
    sessions: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// A session's lock, held from load to save; given back by [`release`](Self::release)
/// or, failing that, when dropped.
pub(crate) struct SessionLock {
    id: String,
    local: Option<OwnedMutexGuard<()>>,
    /// The store's token, while its lock is held.
    token: Option<String>,
    store: Arc<dyn SessionStore>,
    locks: Arc<Locks>,
}

impl Locks {
    /// Waits for `id`'s lock: first this process's, then the store's, asking again with
    /// growing pauses. The store's lock lapses after `ttl`, so a process that died with
    /// it is waited for at most that long; past it, a 503.
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        id: &str,
        store: &Arc<dyn SessionStore>,
        ttl: Duration,
    ) -> Result<SessionLock, Error> {
        let mutex = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(sessions.entry(id.to_owned()).or_default())
        };
        let mut lock = SessionLock {
            id: id.to_owned(),
            local: Some(mutex.lock_owned().await),
            token: None,
            store: Arc::clone(store),
            locks: Arc::clone(self),
        };
        let give_up = Instant::now() + ttl;
        let mut pause = Duration::from_millis(2);
        loop {
            if let Some(token) = store.try_lock(id, ttl).await? {
                lock.token = Some(token);
                return Ok(lock);
            }
            if Instant::now() + pause > give_up {
                return Err(Error::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the session stayed locked by another request for {ttl:?}"),
                ));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }

    /// Forgets `id`'s mutex once no request holds or waits for it.
    fn forget(&self, id: &str) {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if sessions.get(id).is_some_and(|m| Arc::strong_count(m) == 1) {
            sessions.remove(id);
        }
    }
}

impl SessionLock {
    /// Gives the lock back, the store's first.
    pub(crate) async fn release(mut self) {
        if let Some(token) = self.token.take() {
            if let Err(e) = self.store.unlock(&self.id, &token).await {
                // It lapses by itself after its time.
                tracing::warn!("could not unlock a session: {e}");
            }
        }
    }
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        if let Some(token) = self.token.take() {
            // Dropped without `release` (a page that panicked): unlock in the background.
            let (store, id) = (Arc::clone(&self.store), self.id.clone());
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = store.unlock(&id, &token).await;
                });
            }
        }
        drop(self.local.take());
        self.locks.forget(&self.id);
    }
}
