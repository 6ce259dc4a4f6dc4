//! Where the guestbook and the list of uploads are kept: SQLite files in the data directory
//! (nothing to set up), or PostgreSQL when `--database-url postgres://…` is given, so that
//! several instances share them. PostgreSQL's schema comes from the migrations below, run
//! at start under an advisory lock, so two instances starting at once do not race.

use std::sync::{Arc, Mutex};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use rsp::rusqlite::Connection;

/// A database a store keeps its rows in.
#[derive(Clone)]
pub enum Database {
    /// One connection is plenty for these tables; their queries take microseconds.
    Sqlite(Arc<Mutex<Connection>>),
    Postgres(Pool),
}

/// PostgreSQL's schema, one step a version; a step never changes once released.
const MIGRATIONS: &[(i32, &str)] = &[(
    1,
    "CREATE TABLE entries (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        message TEXT NOT NULL,
        written TIMESTAMPTZ NOT NULL DEFAULT now()
    );
    CREATE TABLE uploads (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        description TEXT NOT NULL,
        size BIGINT NOT NULL,
        sha256 TEXT NOT NULL
    );",
)];

/// Any number that the site's instances agree on: the key of the migrations' lock.
const MIGRATION_LOCK: i64 = 0x7273_705f_7369_7465;

impl Database {
    /// Opens (creating if needed) the SQLite file `path` with `schema`.
    pub fn sqlite(path: &std::path::Path, schema: &str) -> rsp::rusqlite::Result<Self> {
        let db = Connection::open(path)?;
        db.execute_batch(schema)?;
        Ok(Self::Sqlite(Arc::new(Mutex::new(db))))
    }

    /// Connects a pool to PostgreSQL at `url` and brings its schema up to date.
    pub async fn postgres(url: &str) -> Result<Self, String> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| format!("{e}"))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| e.to_string())?;
        migrate(&pool).await?;
        Ok(Self::Postgres(pool))
    }

    /// Whether the database answers: what `/readyz` asks.
    pub async fn ping(&self) -> Result<(), String> {
        match self {
            Self::Sqlite(db) => db
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .query_row("SELECT 1", [], |_| Ok(()))
                .map_err(|e| e.to_string()),
            Self::Postgres(pool) => {
                let client = pool.get().await.map_err(|e| e.to_string())?;
                client
                    .simple_query("SELECT 1")
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Applies the migrations not applied yet, one instance at a time.
async fn migrate(pool: &Pool) -> Result<(), String> {
    let mut client = pool.get().await.map_err(|e| e.to_string())?;
    let transaction = client.transaction().await.map_err(|e| e.to_string())?;
    // Held until the transaction ends: a second instance waits here, then finds the
    // versions the first one applied.
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(|e| e.to_string())?;
    transaction
        .batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        .await
        .map_err(|e| e.to_string())?;
    for (version, step) in MIGRATIONS {
        let applied = transaction
            .query_opt(
                "SELECT 1 FROM schema_migrations WHERE version = $1",
                &[version],
            )
            .await
            .map_err(|e| e.to_string())?
            .is_some();
        if applied {
            continue;
        }
        transaction
            .batch_execute(step)
            .await
            .map_err(|e| format!("migration {version}: {e}"))?;
        transaction
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[version],
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    transaction.commit().await.map_err(|e| e.to_string())
}
