//! [`Sql`] over a Durable Object's SQLite storage (`ctx.storage.sql`).
//!
//! Rows are read through the cursor's raw iterator, whose `next` reports a JavaScript exception
//! as an error (`toArray`/`one` are not imported with `catch`, so an exception there would
//! unwind through the wasm module). Transactions use `ctx.storage.transactionSync`, which
//! workers-rs 0.8.7 does not wrap: it runs the closure synchronously, commits when it returns
//! and rolls back when it throws.

use wasm_bindgen::closure::ScopedClosure;
use wasm_bindgen::{JsCast, JsValue};
use worker::js_sys::{self, Function, Reflect};
use worker::{SqlStorage, SqlStorageValue, Storage};

use super::{Row, Sql, SqlValue, StoreError};

pub struct DoSql {
    storage: Storage,
    sql: SqlStorage,
}

impl DoSql {
    pub fn new(storage: Storage) -> Self {
        let sql = storage.sql();
        DoSql { storage, sql }
    }
}

impl Sql for DoSql {
    fn exec(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        let bindings: Vec<SqlStorageValue> = params.iter().map(to_storage).collect();
        let cursor = self.sql.exec(sql, bindings).map_err(sql_error)?;
        let mut rows = Vec::new();
        for row in cursor.raw() {
            rows.push(
                row.map_err(sql_error)?
                    .into_iter()
                    .map(from_storage)
                    .collect(),
            );
        }
        Ok(rows)
    }

    fn transaction<T>(
        &self,
        body: impl FnOnce() -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let storage: &JsValue = self.storage.as_raw().as_ref();
        let Some(transaction_sync) = Reflect::get(storage, &JsValue::from_str("transactionSync"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return Err(StoreError::Sql(
                "storage.transactionSync is not available".into(),
            ));
        };
        let mut body = Some(body);
        let mut outcome: Option<Result<T, StoreError>> = None;
        let mut run = || -> Result<JsValue, JsValue> {
            let Some(body) = body.take() else {
                return Err(JsValue::from_str("transaction body ran twice"));
            };
            let result = body();
            let failed = result.is_err();
            outcome = Some(result);
            if failed {
                // Throwing makes transactionSync roll back.
                Err(JsValue::from_str("rolled back"))
            } else {
                Ok(JsValue::UNDEFINED)
            }
        };
        let called = {
            let closure =
                ScopedClosure::<dyn FnMut() -> Result<JsValue, JsValue>>::borrow_mut_aborting(
                    &mut run,
                );
            transaction_sync.call1(storage, closure.as_ref())
        };
        match (outcome, called) {
            (Some(Err(error)), _) => Err(error),
            (Some(Ok(value)), Ok(_)) => Ok(value),
            (Some(Ok(_)), Err(error)) => Err(StoreError::Sql(format!(
                "commit failed: {}",
                describe(&error)
            ))),
            (None, Err(error)) => Err(StoreError::Sql(format!(
                "transaction did not run: {}",
                describe(&error)
            ))),
            (None, Ok(_)) => Err(StoreError::Sql("transaction did not run".into())),
        }
    }
}

fn to_storage(value: &SqlValue) -> SqlStorageValue {
    match value {
        SqlValue::Null => SqlStorageValue::Null,
        SqlValue::Integer(i) => SqlStorageValue::Integer(*i),
        SqlValue::Real(f) => SqlStorageValue::Float(*f),
        SqlValue::Text(s) => SqlStorageValue::String(s.clone()),
        SqlValue::Blob(b) => SqlStorageValue::Blob(b.clone()),
    }
}

fn from_storage(value: SqlStorageValue) -> SqlValue {
    match value {
        SqlStorageValue::Null => SqlValue::Null,
        SqlStorageValue::Boolean(b) => SqlValue::Integer(i64::from(b)),
        SqlStorageValue::Integer(i) => SqlValue::Integer(i),
        SqlStorageValue::Float(f) => SqlValue::Real(f),
        SqlStorageValue::String(s) => SqlValue::Text(s),
        SqlStorageValue::Blob(b) => SqlValue::Blob(b),
    }
}

fn sql_error(error: worker::Error) -> StoreError {
    StoreError::Sql(error.to_string())
}

fn describe(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"))
}
