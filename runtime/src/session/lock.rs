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

/// How long the store's lock lasts unless renewed: its holder renews it every third of
/// this while its request runs, so the lock of a process that died (killed, its machine
/// gone) keeps that session's requests waiting this long at most.
const LEASE: Duration = Duration::from_secs(5);

/// A session's lock, held from load to save; given back by [`release`](Self::release)
/// or, failing that, when dropped.
pub(crate) struct SessionLock {
    id: String,
    local: Option<OwnedMutexGuard<()>>,
    /// The store's token, while its lock is held.
    token: Option<String>,
    /// Renews the store's lock while it is held.
    renewal: Option<tokio::task::AbortHandle>,
    store: Arc<dyn SessionStore>,
    locks: Arc<Locks>,
}

impl Locks {
    /// Waits for `id`'s lock: first this process's, then the store's, asking again with
    /// growing pauses, for `patience` at most (then a 503).
    pub(crate) async fn acquire(
        self: &Arc<Self>,
        id: &str,
        store: &Arc<dyn SessionStore>,
        patience: Duration,
    ) -> Result<SessionLock, Error> {
        let mutex = {
            let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
            Arc::clone(sessions.entry(id.to_owned()).or_default())
        };
        let mut lock = SessionLock {
            id: id.to_owned(),
            local: Some(mutex.lock_owned().await),
            token: None,
            renewal: None,
            store: Arc::clone(store),
            locks: Arc::clone(self),
        };
        let give_up = Instant::now() + patience;
        let mut pause = Duration::from_millis(2);
        loop {
            if let Some(token) = store.try_lock(id, LEASE).await? {
                lock.renewal = Some(renew(Arc::clone(store), id.to_owned(), token.clone()));
                lock.token = Some(token);
                return Ok(lock);
            }
            if Instant::now() + pause > give_up {
                return Err(Error::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("the session stayed locked by another request for {patience:?}"),
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

/// Renews the store's lock on `id` every third of the lease, until aborted or the lock is
/// no longer `token`'s.
fn renew(store: Arc<dyn SessionStore>, id: String, token: String) -> tokio::task::AbortHandle {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(LEASE / 3).await;
            match store.renew_lock(&id, &token, LEASE).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!("a session's lock was lost: its request is still running");
                    return;
                }
                // The next renewal may get through; the lease has time left.
                Err(e) => tracing::warn!("could not renew a session's lock: {e}"),
            }
        }
    })
    .abort_handle()
}

impl SessionLock {
    /// Gives the lock back, the store's first.
    pub(crate) async fn release(mut self) {
        if let Some(renewal) = self.renewal.take() {
            renewal.abort();
        }
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
        if let Some(renewal) = self.renewal.take() {
            renewal.abort();
        }
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
