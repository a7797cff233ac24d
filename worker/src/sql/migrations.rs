//! Schema migrations: numbered steps, each applied once per database in a transaction with the
//! bump of the version recorded in that schema's own version table.

use super::{Sql, SqlValue, StoreError};

/// One schema step. Applied in order, each in a transaction with the version bump, exactly once
/// per database; statements are also written to be harmless if repeated.
#[derive(Debug)]
pub struct Migration {
    pub version: i64,
    pub statements: &'static [&'static str],
}

/// Applies the `migrations` newer than the version recorded in `version_table` (created if
/// missing), each in one transaction with its version bump; returns the resulting version.
/// `version_table` is a constant of ours, never user input.
pub fn apply_migrations<S: Sql>(
    db: &S,
    version_table: &str,
    migrations: &[Migration],
) -> Result<i64, StoreError> {
    let applied = recorded_version(db, version_table)?;
    let mut current = applied;
    for migration in migrations.iter().filter(|m| m.version > applied) {
        db.transaction(|| {
            for statement in migration.statements {
                db.exec(statement, &[])?;
            }
            record_version(db, version_table, migration.version)
        })?;
        current = migration.version;
    }
    Ok(current)
}

/// Whether the database has a table `name`; only reads (a fresh database stays empty).
pub fn has_table<S: Sql>(db: &S, name: &str) -> Result<bool, StoreError> {
    let rows = db.exec(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
        &[name.into()],
    )?;
    Ok(!rows.is_empty())
}

/// The version recorded in `version_table`, which is created (at version 0) if missing.
pub fn recorded_version<S: Sql>(db: &S, version_table: &str) -> Result<i64, StoreError> {
    db.exec(
        &format!("CREATE TABLE IF NOT EXISTS {version_table} (version INTEGER NOT NULL)"),
        &[],
    )?;
    applied_version(db, version_table)
}

/// Records `version` in `version_table` (call it in the transaction that made it true).
pub fn record_version<S: Sql>(db: &S, version_table: &str, version: i64) -> Result<(), StoreError> {
    db.exec(&format!("DELETE FROM {version_table}"), &[])?;
    db.exec(
        &format!("INSERT INTO {version_table} (version) VALUES (?)"),
        &[version.into()],
    )?;
    Ok(())
}

/// The version recorded in `version_table` (0 for a new database).
pub fn applied_version<S: Sql>(db: &S, version_table: &str) -> Result<i64, StoreError> {
    let rows = db.exec(&format!("SELECT MAX(version) FROM {version_table}"), &[])?;
    match rows.first().and_then(|row| row.first()) {
        None | Some(SqlValue::Null) => Ok(0),
        Some(SqlValue::Integer(v)) => Ok(*v),
        Some(other) => Err(StoreError::Corrupt(format!("schema version {other:?}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::host_db::HostDb;

    const FIRST: &[Migration] = &[Migration {
        version: 1,
        statements: &["CREATE TABLE IF NOT EXISTS a (x INTEGER)"],
    }];
    const SECOND: &[Migration] = &[
        Migration {
            version: 1,
            statements: &["CREATE TABLE IF NOT EXISTS b (x INTEGER)"],
        },
        Migration {
            version: 2,
            statements: &["INSERT INTO b (x) VALUES (2)"],
        },
    ];

    #[test]
    fn each_schema_keeps_its_own_version_and_steps_run_once() {
        let db = HostDb::new();
        assert!(
            applied_version(&db, "first_schema").is_err(),
            "no table yet"
        );
        assert_eq!(apply_migrations(&db, "first_schema", FIRST), Ok(1));
        assert_eq!(apply_migrations(&db, "second_schema", SECOND), Ok(2));
        assert_eq!(apply_migrations(&db, "second_schema", SECOND), Ok(2));
        assert_eq!(db.count("SELECT COUNT(*) FROM b"), 1, "version 2 ran once");
        assert_eq!(applied_version(&db, "first_schema"), Ok(1));
    }
}
