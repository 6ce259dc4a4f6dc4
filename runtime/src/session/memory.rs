//! The in-memory store: the default, for tests and single-process sites that can lose
//! their sessions on restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{SessionStore, StoreFuture};

/// Sessions in a map in this process, forgotten `ttl` after their last save.
///
/// ```
/// let app = rsp::App::new().sessions(rsp::MemoryStore::new());
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<String, (String, Instant)>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SessionStore for MemoryStore {
    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let found = match sessions.get(id) {
            Some((data, expires)) if *expires > now => Some(data.clone()),
            Some(_) => {
                sessions.remove(id);
                None
            }
            None => None,
        };
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(&'a self, id: &'a str, data: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        // Sweep expired sessions now and then, so the map does not grow without bound.
        if sessions.len() % 1024 == 1023 {
            sessions.retain(|_, (_, expires)| *expires > now);
        }
        sessions.insert(id.to_owned(), (data.to_owned(), now + ttl));
        Box::pin(async { Ok(()) })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        self.sessions
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        Box::pin(async { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn save_load_expire_delete() {
        let store = MemoryStore::new();
        store
            .save("a", "{}", Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(store.load("a").await.unwrap().as_deref(), Some("{}"));
        store.save("b", "{}", Duration::ZERO).await.unwrap();
        assert_eq!(store.load("b").await.unwrap(), None, "expired");
        store.delete("a").await.unwrap();
        assert_eq!(store.load("a").await.unwrap(), None);
    }
}
