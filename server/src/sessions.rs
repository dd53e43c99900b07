//! Sessions live in the application database, on SQLite or PostgreSQL, so
//! they survive restarts and every server process sharing the database
//! accepts them. The sqlx stores reuse SeaORM's own pool.

use async_trait::async_trait;
use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use crate::StartError;

#[derive(Clone, Debug)]
pub enum DbSessionStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl DbSessionStore {
    /// The store for this connection's backend, with its table created.
    pub async fn for_connection(db: &DatabaseConnection) -> Result<Self, StartError> {
        let store = match db.get_database_backend() {
            DatabaseBackend::Sqlite => {
                Self::Sqlite(SqliteStore::new(db.get_sqlite_connection_pool().clone()))
            }
            DatabaseBackend::Postgres => Self::Postgres(PostgresStore::new(
                db.get_postgres_connection_pool().clone(),
            )),
            other => return Err(StartError::Sessions(format!("{other:?} is not supported"))),
        };
        let migrated = match &store {
            Self::Sqlite(s) => s.migrate().await,
            Self::Postgres(s) => s.migrate().await,
        };
        migrated.map_err(|e| StartError::Sessions(e.to_string()))?;
        Ok(store)
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.create(record).await,
            Self::Postgres(s) => s.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.save(record).await,
            Self::Postgres(s) => s.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Self::Sqlite(s) => s.load(id).await,
            Self::Postgres(s) => s.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete(id).await,
            Self::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Self::Sqlite(s) => s.delete_expired().await,
            Self::Postgres(s) => s.delete_expired().await,
        }
    }
}
