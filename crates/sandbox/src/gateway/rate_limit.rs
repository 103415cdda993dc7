//! Per-application rate limit: a sliding one-second window on the wall clock, kept in the store
//! so that every process serving the same database counts the same requests.

use rusqlite::params;

use crate::store::{Store, StoreError};

/// Records a request for `client_id` at `wall_ms` if fewer than `limit` came in the last second.
/// A limit of 0 means no limit.
pub fn admit(store: &Store, client_id: &str, limit: u32, wall_ms: i64) -> Result<bool, StoreError> {
    if limit == 0 {
        return Ok(true);
    }
    store.write(|tx| {
        tx.prepare_cached("DELETE FROM rate_hits WHERE client_id = ?1 AND at_ms <= ?2")?
            .execute(params![client_id, wall_ms - 1000])?;
        let seen: u32 = tx
            .prepare_cached("SELECT COUNT(*) FROM rate_hits WHERE client_id = ?1")?
            .query_row([client_id], |r| r.get(0))?;
        if seen >= limit {
            return Ok(false);
        }
        tx.prepare_cached("INSERT INTO rate_hits (client_id, at_ms) VALUES (?1, ?2)")?
            .execute(params![client_id, wall_ms])?;
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_slides() {
        let store = Store::in_memory().unwrap();
        let t = 1_000_000;
        assert!(admit(&store, "a", 3, t).unwrap());
        assert!(admit(&store, "a", 3, t + 100).unwrap());
        assert!(admit(&store, "a", 3, t + 200).unwrap());
        assert!(!admit(&store, "a", 3, t + 300).unwrap());
        assert!(
            admit(&store, "b", 3, t + 300).unwrap(),
            "limits are per application"
        );
        assert!(
            admit(&store, "a", 3, t + 1000).unwrap(),
            "the first request left the window"
        );
        assert!(!admit(&store, "a", 3, t + 1050).unwrap());
        assert!(admit(&store, "a", 0, t + 1050).unwrap(), "0 is no limit");
    }
}
