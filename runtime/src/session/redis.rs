//! The shared store: sessions in Redis, so several instances behind a load balancer see
//! the same sessions.

use std::time::Duration;

use redis::aio::ConnectionManager;
use redis::AsyncCommands;

use super::{SessionStore, StoreFuture};

/// Sessions in Redis under `rsp:session:<id>`, expiring with Redis's own TTL.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let store = rsp::RedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let app = rsp::App::new().sessions(store);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    connection: ConnectionManager,
}

impl RedisStore {
    /// Connects to Redis; the connection reconnects by itself if it drops.
    ///
    /// # Errors
    /// If the URL is invalid or the server cannot be reached.
    pub async fn connect(url: &str) -> std::io::Result<Self> {
        let client = redis::Client::open(url).map_err(std::io::Error::other)?;
        let connection = client
            .get_connection_manager()
            .await
            .map_err(std::io::Error::other)?;
        Ok(Self { connection })
    }
}

fn key(id: &str) -> String {
    format!("rsp:session:{id}")
}

fn lock_key(id: &str) -> String {
    format!("rsp:session-lock:{id}")
}

/// Extends the lock only if it still holds this token.
const RENEW: &str = r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) else return 0 end"#;

/// Deletes the lock only if it still holds this token: a lock that lapsed and was taken
/// by another request stays theirs.
const UNLOCK: &str = r#"if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end"#;

impl SessionStore for RedisStore {
    fn shared_between_machines(&self) -> bool {
        true
    }

    fn load<'a>(&'a self, id: &'a str) -> StoreFuture<'a, Option<String>> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            connection
                .get::<_, Option<String>>(key(id))
                .await
                .map_err(std::io::Error::other)
        })
    }

    fn save<'a>(&'a self, id: &'a str, data: &'a str, ttl: Duration) -> StoreFuture<'a, ()> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            connection
                .set_ex::<_, _, ()>(key(id), data, ttl.as_secs().max(1))
                .await
                .map_err(std::io::Error::other)
        })
    }

    fn delete<'a>(&'a self, id: &'a str) -> StoreFuture<'a, ()> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            connection
                .del::<_, ()>(key(id))
                .await
                .map_err(std::io::Error::other)
        })
    }

    /// `SET rsp:session-lock:<id> <token> NX PX <ttl>`: the lock lapses by itself if the
    /// instance holding it dies.
    fn try_lock<'a>(&'a self, id: &'a str, ttl: Duration) -> StoreFuture<'a, Option<String>> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let token = format!("{:016x}", rand::random::<u64>());
            let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            let taken: Option<String> = redis::cmd("SET")
                .arg(lock_key(id))
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(millis)
                .query_async(&mut connection)
                .await
                .map_err(std::io::Error::other)?;
            Ok(taken.map(|_| token))
        })
    }

    fn renew_lock<'a>(
        &'a self,
        id: &'a str,
        token: &'a str,
        ttl: Duration,
    ) -> StoreFuture<'a, bool> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
            let renewed: i64 = redis::cmd("EVAL")
                .arg(RENEW)
                .arg(1)
                .arg(lock_key(id))
                .arg(token)
                .arg(millis)
                .query_async(&mut connection)
                .await
                .map_err(std::io::Error::other)?;
            Ok(renewed == 1)
        })
    }

    fn unlock<'a>(&'a self, id: &'a str, token: &'a str) -> StoreFuture<'a, ()> {
        let mut connection = self.connection.clone();
        Box::pin(async move {
            redis::cmd("EVAL")
                .arg(UNLOCK)
                .arg(1)
                .arg(lock_key(id))
                .arg(token)
                .query_async::<i64>(&mut connection)
                .await
                .map(drop)
                .map_err(std::io::Error::other)
        })
    }
}
