//! The sandbox clock: the wall clock plus an offset kept in the store, so every process sharing
//! a database sees the same "now", and tests can move it (DESIGN.md, "The sandbox clock").

use chrono::{DateTime, Utc};

use crate::store::{Store, StoreError};

/// Milliseconds since the Unix epoch on the wall clock. For what must stay real: TOTP,
/// rate-limit windows, takeover of a crashed refresh.
pub fn wall_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The sandbox's "now" in milliseconds since the epoch.
pub fn now_ms(store: &Store) -> Result<i64, StoreError> {
    Ok(wall_ms() + offset_ms(store)?)
}

pub fn now(store: &Store) -> Result<DateTime<Utc>, StoreError> {
    Ok(from_ms(now_ms(store)?))
}

fn offset_ms(store: &Store) -> Result<i64, StoreError> {
    let conn = store.reader();
    let mut stmt = conn.prepare_cached("SELECT offset_ms FROM clock WHERE id = 1")?;
    Ok(stmt.query_row([], |r| r.get(0))?)
}

/// Moves "now" to `at`.
pub fn set(store: &Store, at: DateTime<Utc>) -> Result<(), StoreError> {
    let offset = at.timestamp_millis() - wall_ms();
    store.write(|tx| tx.execute("UPDATE clock SET offset_ms = ?1 WHERE id = 1", [offset]))?;
    Ok(())
}

/// Moves "now" forward (or back, for a negative amount) by `ms`.
pub fn advance(store: &Store, ms: i64) -> Result<(), StoreError> {
    store.write(|tx| {
        tx.execute(
            "UPDATE clock SET offset_ms = offset_ms + ?1 WHERE id = 1",
            [ms],
        )
    })?;
    Ok(())
}

pub fn from_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_and_advance_move_now() {
        let store = Store::in_memory().unwrap();
        let at: DateTime<Utc> = "2025-06-01T09:00:00Z".parse().unwrap();
        set(&store, at).unwrap();
        let drift = (now(&store).unwrap() - at).num_milliseconds();
        assert!((0..5_000).contains(&drift), "{drift}");
        advance(&store, 5 * 3_600_000).unwrap();
        let drift = (now(&store).unwrap() - at).num_milliseconds() - 5 * 3_600_000;
        assert!((0..5_000).contains(&drift), "{drift}");
    }
}
