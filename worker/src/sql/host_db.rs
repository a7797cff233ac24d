//! An in-memory SQLite behind the [`Sql`] trait, for host tests of everything that stores data.

use std::cell::{Cell, RefCell};

use super::{Row, Sql, SqlValue, StoreError};
use rusqlite::types::{Value, ValueRef};

/// In-memory SQLite behind the [`Sql`] trait; can be told to fail statements containing a text.
pub struct HostDb {
    conn: rusqlite::Connection,
    fail_when: RefCell<Option<String>>,
    pub statements: Cell<usize>,
}

impl HostDb {
    pub fn new() -> Self {
        HostDb {
            conn: rusqlite::Connection::open_in_memory().expect("in-memory SQLite"),
            fail_when: RefCell::new(None),
            statements: Cell::new(0),
        }
    }

    pub fn fail_statements_containing(&self, needle: Option<&str>) {
        *self.fail_when.borrow_mut() = needle.map(str::to_owned);
    }

    /// Runs a statement that must succeed (test setup), outside the [`Sql`] count.
    pub fn exec_ok(&self, sql: &str) {
        self.conn
            .execute_batch(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn
            .query_row(sql, [], |row| row.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

impl Sql for HostDb {
    fn exec(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        self.statements.set(self.statements.get() + 1);
        if let Some(needle) = self.fail_when.borrow().as_deref() {
            if sql.contains(needle) {
                return Err(StoreError::Sql(format!("injected failure on {needle}")));
            }
        }
        let err = |e: rusqlite::Error| StoreError::Sql(e.to_string());
        let mut statement = self.conn.prepare(sql).map_err(err)?;
        let columns = statement.column_count();
        let values: Vec<Value> = params
            .iter()
            .map(|p| match p {
                SqlValue::Null => Value::Null,
                SqlValue::Integer(i) => Value::Integer(*i),
                SqlValue::Real(f) => Value::Real(*f),
                SqlValue::Text(s) => Value::Text(s.clone()),
                SqlValue::Blob(b) => Value::Blob(b.clone()),
            })
            .collect();
        let mut rows = statement
            .query(rusqlite::params_from_iter(values))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(err)? {
            let mut values = Vec::with_capacity(columns);
            for i in 0..columns {
                values.push(match row.get_ref(i).map_err(err)? {
                    ValueRef::Null => SqlValue::Null,
                    ValueRef::Integer(i) => SqlValue::Integer(i),
                    ValueRef::Real(f) => SqlValue::Real(f),
                    ValueRef::Text(t) => SqlValue::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => SqlValue::Blob(b.to_vec()),
                });
            }
            out.push(values);
        }
        Ok(out)
    }

    fn transaction<T>(
        &self,
        body: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let err = |e: rusqlite::Error| StoreError::Sql(e.to_string());
        self.conn.execute_batch("SAVEPOINT tx").map_err(err)?;
        match body() {
            Ok(value) => {
                self.conn.execute_batch("RELEASE tx").map_err(err)?;
                Ok(value)
            }
            Err(error) => {
                self.conn
                    .execute_batch("ROLLBACK TO tx; RELEASE tx")
                    .map_err(err)?;
                Err(error)
            }
        }
    }
}
