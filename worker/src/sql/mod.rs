//! The SQLite kernel every Durable Object's storage goes through: a small [`Sql`] trait (one
//! statement with `?` parameters, and a transaction), the values and errors it speaks, and the
//! schema [`migrations`] runner. Rooms (chat and settings), sessions and accounts each keep
//! their own tables on top of it.
//!
//! In the worker, `durable_object::DoSql` runs it on a Durable Object's SQLite storage; in
//! host tests, `host_db::HostDb` runs it on an in-memory SQLite.

pub mod migrations;

#[cfg(target_arch = "wasm32")]
pub mod durable_object;
#[cfg(test)]
pub(crate) mod host_db;

pub use migrations::{
    applied_version, apply_migrations, has_table, record_version, recorded_version, Migration,
};

/// A value bound to or read from SQL.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for SqlValue {
    fn from(value: i64) -> Self {
        SqlValue::Integer(value)
    }
}

impl From<&str> for SqlValue {
    fn from(value: &str) -> Self {
        SqlValue::Text(value.to_owned())
    }
}

impl From<String> for SqlValue {
    fn from(value: String) -> Self {
        SqlValue::Text(value)
    }
}

pub type Row = Vec<SqlValue>;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("SQL error: {0}")]
    Sql(String),
    /// A stored row is not what this code writes.
    #[error("unexpected row: {0}")]
    Corrupt(String),
}

/// Just enough of a SQL database: run one statement with `?` parameters and get every row, and
/// run a closure in a transaction (rolled back when it returns an error).
pub trait Sql {
    fn exec(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError>;
    fn transaction<T>(&self, body: impl FnOnce() -> Result<T, StoreError>)
        -> Result<T, StoreError>;
}
