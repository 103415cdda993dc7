//! HMRC's Self Assessment Test Support 1.0, vendor state (`itsa-apis.md` §3.11): delete the test
//! data an application has written (for one taxpayer, or every one it wrote for), and snapshot a
//! taxpayer's data as checkpoints to roll back to.
//!
//! A taxpayer's test data: its test businesses, everything submitted about any of its income
//! sources (updates, annual submissions, periods of account, elections, period and accounting
//! types, foreign properties) and its ITSA statuses. Businesses made by signing up stay: they are
//! the taxpayer's, not the vendor's.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use mtd_domain::Nino;
use rusqlite::params;
use rusqlite::types::Value as Sql;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::gateway::{Caller, act_for, endpoints};
use crate::{AppState, clock};

/// Tables keyed by an income source's ID.
const BY_BUSINESS: [&str; 7] = [
    "cumulative_summaries",
    "annual_submissions",
    "periods_of_account",
    "accounting_types",
    "quarterly_period_types",
    "ladr_elections",
    "foreign_properties",
];

/// Records that `client_id` wrote data about this taxpayer (called for each accepted write).
pub fn note(
    tx: &rusqlite::Transaction<'_>,
    client_id: &str,
    nino: &Nino,
) -> Result<(), rusqlite::Error> {
    tx.execute(
        "INSERT OR IGNORE INTO vendor_taxpayers (client_id, nino_stem) VALUES (?1, substr(?2, 1, 8))",
        params![client_id, nino.as_str()],
    )?;
    Ok(())
}

fn nino_param(query: Option<&str>) -> Result<Option<Nino>, ApiError> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "nino")
        .map(|(_, v)| {
            Nino::parse(&v).map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "FORMAT_NINO",
                    "The provided NINO is invalid",
                )
            })
        })
        .transpose()
}

/// The taxpayer's MTD ID, once the caller is known to act for it.
fn acting_for(state: &AppState, caller: &Caller, nino: &Nino) -> Result<String, ApiError> {
    let user = caller.user_id.as_deref().unwrap_or_default();
    let allowed = act_for::authorise(
        &state.store,
        user,
        nino.as_str(),
        &endpoints::VENDOR_STATE_DELETE,
    )?;
    Ok(allowed.mtd_it_id)
}

/// The SQL that picks a taxpayer's rows from `table` (`?1` its MTD ID, `?2` its NINO).
fn rows_of(table: &str) -> String {
    match table {
        "businesses" => {
            "SELECT * FROM businesses WHERE mtd_it_id = ?1 AND test_support = 1 AND ?2 = ?2".into()
        }
        "itsa_statuses" => {
            "SELECT * FROM itsa_statuses WHERE nino_stem = substr(?2, 1, 8) AND ?1 = ?1".into()
        }
        t => format!(
            "SELECT * FROM {t} WHERE business_id IN (SELECT business_id FROM businesses WHERE mtd_it_id = ?1) AND ?2 = ?2"
        ),
    }
}

fn delete_of(table: &str) -> String {
    rows_of(table).replacen("SELECT *", "DELETE", 1)
}

fn tables() -> impl Iterator<Item = &'static str> {
    // Children before their business rows go.
    BY_BUSINESS
        .into_iter()
        .chain(["businesses", "itsa_statuses"])
}

fn forget(
    tx: &rusqlite::Transaction<'_>,
    mtd_it_id: &str,
    nino: &str,
) -> Result<(), rusqlite::Error> {
    for t in tables() {
        tx.execute(&delete_of(t), params![mtd_it_id, nino])?;
    }
    Ok(())
}

fn to_json(v: Sql) -> Value {
    match v {
        Sql::Null => Value::Null,
        Sql::Integer(i) => json!(i),
        Sql::Real(f) => json!(f),
        Sql::Text(t) => json!(t),
        Sql::Blob(b) => json!({ "blob": b }),
    }
}

fn from_json(v: &Value) -> Sql {
    match v {
        Value::Null => Sql::Null,
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Sql::Real(n.as_f64().unwrap_or(0.0)), Sql::Integer),
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Blob(
            other["blob"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b.as_u64().map(|b| b as u8))
                .collect(),
        ),
    }
}

/// Each table's columns and the taxpayer's rows in it.
fn snapshot(
    conn: &rusqlite::Connection,
    mtd_it_id: &str,
    nino: &str,
) -> Result<Value, rusqlite::Error> {
    let mut out = Map::new();
    for t in tables() {
        let mut stmt = conn.prepare(&rows_of(t))?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let n = columns.len();
        let rows: Vec<Value> = stmt
            .query_map(params![mtd_it_id, nino], |r| {
                Ok(Value::Array(
                    (0..n)
                        .map(|i| r.get::<_, Sql>(i).map(to_json))
                        .collect::<Result<_, _>>()?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        out.insert(t.into(), json!({ "columns": columns, "rows": rows }));
    }
    Ok(Value::Object(out))
}

fn restore_rows(tx: &rusqlite::Transaction<'_>, data: &Value) -> Result<(), rusqlite::Error> {
    // Parents first when putting back.
    for t in ["businesses", "itsa_statuses"]
        .into_iter()
        .chain(BY_BUSINESS)
    {
        let columns: Vec<&str> = data[t]["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        if columns.is_empty() {
            continue;
        }
        let marks = vec!["?"; columns.len()].join(", ");
        let sql = format!("INSERT INTO {t} ({}) VALUES ({marks})", columns.join(", "));
        for row in data[t]["rows"].as_array().into_iter().flatten() {
            let values: Vec<Sql> = row
                .as_array()
                .into_iter()
                .flatten()
                .map(from_json)
                .collect();
            tx.execute(&sql, rusqlite::params_from_iter(values))?;
        }
    }
    Ok(())
}

/// `DELETE …/vendor-state[?nino=]` → 204.
pub async fn delete(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<StatusCode, ApiError> {
    let nino = nino_param(query.as_deref())?;
    let targets: Vec<(String, String)> = match &nino {
        Some(n) => vec![(acting_for(&state, &caller, n)?, n.to_string())],
        None => {
            let conn = state.store.reader();
            let mut stmt = conn.prepare(
                "SELECT m.value, n.value FROM vendor_taxpayers v
                 JOIN identifiers n ON n.kind = 'nino' AND substr(n.value, 1, 8) = v.nino_stem
                 JOIN identifiers m ON m.kind = 'mtdItId' AND m.user_id = n.user_id
                 WHERE v.client_id = ?1",
            )?;
            stmt.query_map([&caller.client_id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?
        }
    };
    if targets.is_empty() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "MATCHING_RESOURCE_NOT_FOUND",
            "This application has no test data",
        ));
    }
    state.store.write(|tx| {
        for (id, n) in &targets {
            forget(tx, id, n)?;
        }
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST …/vendor-state/checkpoints?nino=` → 201 `{"checkpointId"}`.
pub async fn create_checkpoint(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let nino = nino_param(query.as_deref())?.ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "FORMAT_NINO",
            "Give the taxpayer's NINO",
        )
    })?;
    let mtd_it_id = acting_for(&state, &caller, &nino)?;
    // 36 letters and digits: HMRC's path pattern allows hyphens, its list schema does not.
    let id = crate::secrets::random_alphanumeric(36);
    let made = state.store.write(|tx| {
        let data = snapshot(tx, &mtd_it_id, nino.as_str())?;
        let empty = data
            .as_object()
            .is_some_and(|t| t.values().all(|v| v["rows"].as_array().is_none_or(Vec::is_empty)));
        if empty {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO checkpoints (checkpoint_id, client_id, nino, created_at_ms, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, caller.client_id, nino.as_str(), clock::wall_ms(), data.to_string()],
        )?;
        Ok(true)
    })?;
    if !made {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "MATCHING_RESOURCE_NOT_FOUND",
            "There is no test data for this NINO to keep in a checkpoint",
        ));
    }
    Ok((StatusCode::CREATED, Json(json!({ "checkpointId": id }))))
}

/// `GET …/vendor-state/checkpoints[?nino=]`
pub async fn list_checkpoints(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let nino = nino_param(query.as_deref())?;
    if let Some(n) = &nino {
        acting_for(&state, &caller, n)?;
    }
    let conn = state.store.reader();
    let mut stmt = conn.prepare(
        "SELECT checkpoint_id, nino, created_at_ms FROM checkpoints
         WHERE client_id = ?1 AND (?2 IS NULL OR substr(nino, 1, 8) = substr(?2, 1, 8)) ORDER BY created_at_ms",
    )?;
    let list: Vec<Value> = stmt
        .query_map(params![caller.client_id, nino.as_ref().map(Nino::as_str)], |r| {
            Ok(json!({
                "checkpointId": r.get::<_, String>(0)?,
                "nino": r.get::<_, String>(1)?,
                "checkpointCreationTimestamp": clock::from_ms(r.get(2)?).format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            }))
        })?
        .collect::<Result<_, _>>()?;
    Ok(Json(json!({ "checkpoints": list })))
}

fn checkpoint_id(path: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    let id = path.map(|Path(p)| p).unwrap_or_default();
    let ok = id.len() == 36 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(id)
    } else {
        Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "FORMAT_CHECKPOINT_ID",
            "The checkpoint ID is invalid",
        ))
    }
}

fn no_checkpoint() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "MATCHING_RESOURCE_NOT_FOUND",
        "No checkpoint has this ID",
    )
}

/// `DELETE …/vendor-state/checkpoints/{checkpointId}` → 204.
pub async fn delete_checkpoint(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = checkpoint_id(path)?;
    let (nino, _) = checkpoint(&state, &caller, &id)?;
    acting_for(&state, &caller, &nino)?;
    let n = state.store.write(|tx| {
        tx.execute(
            "DELETE FROM checkpoints WHERE checkpoint_id = ?1 AND client_id = ?2",
            params![id, caller.client_id],
        )
    })?;
    if n == 1 {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_checkpoint())
    }
}

/// This application's checkpoint `id`: whose data it holds, and the data.
fn checkpoint(state: &AppState, caller: &Caller, id: &str) -> Result<(Nino, String), ApiError> {
    let found: Option<(String, String)> =
        rusqlite::OptionalExtension::optional(state.store.reader().query_row(
            "SELECT nino, data FROM checkpoints WHERE checkpoint_id = ?1 AND client_id = ?2",
            params![id, caller.client_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))?;
    let (nino, data) = found.ok_or_else(no_checkpoint)?;
    let nino = Nino::parse(&nino).map_err(|_| no_checkpoint())?;
    Ok((nino, data))
}

/// `POST …/vendor-state/checkpoints/{checkpointId}/restore` → 201: the taxpayer's test data as it
/// was, in one transaction.
pub async fn restore_checkpoint(
    State(state): State<AppState>,
    axum::Extension(caller): axum::Extension<Caller>,
    path: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = checkpoint_id(path)?;
    let (nino, data) = checkpoint(&state, &caller, &id)?;
    let mtd_it_id = acting_for(&state, &caller, &nino)?;
    let data: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
    state.store.write(|tx| {
        forget(tx, &mtd_it_id, nino.as_str())?;
        restore_rows(tx, &data)
    })?;
    Ok(StatusCode::CREATED)
}
